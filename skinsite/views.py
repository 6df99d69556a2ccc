from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from articles.views import article_detail
from comments.section import ON_ARTICLE_PAGE
from comments.views import post_comment_on_article


@never_cache
def healthz(request):
    """200 when the database (and the cache, when it is shared) answer, 503 otherwise; nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        cache.get("healthz")
    except Exception:  # any failure of a backend means "not healthy"; details stay in the logs
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def article_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The article's address: the page (articles) on GET, the comment form's post (comments) on POST.

    The one place that knows both apps, so that a form shown again with errors keeps the
    article's address, which a reload asks for again instead of getting a 405.
    """
    if request.method == "POST":
        return post_comment_on_article(request, slug)
    return article_detail(request, slug, addition=ON_ARTICLE_PAGE)
