from django.contrib import admin
from django.urls import include, path

from articles.views import home
from comments.feeds import ArticleCommentsFeed
from skinsite.views import article_page, favicon, healthz

urlpatterns = [
    path("", home, name="home"),
    # Before articles.urls, whose "detail" names the same address for reverse().
    path("articles/<slug:slug>/", article_page),
    path("articles/", include("articles.urls")),
    path("articles/<slug:slug>/comments/feed/", ArticleCommentsFeed(), name="article-comments-feed"),
    path("comments/", include("comments.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
]

admin.site.site_header = "skinsite moderation"
admin.site.site_title = "skinsite"
admin.site.index_title = "Moderation"
admin.site.enable_nav_sidebar = False  # the queue's columns need the width
