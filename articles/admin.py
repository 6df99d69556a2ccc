from django.contrib import admin

from .models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Articles as staff edit them.

    The comments app adds "Export as WordPress file" (articles knows nothing of comments).
    """

    list_display = ["title", "slug", "published_at", "is_public", "comments_open"]
    list_filter = ["is_public", "comments_open"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
