from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import get_language

from skinsite.versioned_cache import get_or_compute

from .models import Article


@dataclass(frozen=True)
class PageAddition:
    """What another app (the comments) adds to the article page, which this app cannot know.

    `shared_state` names the state of what it shows in the template, as a cache key, or
    is None when it shows this reader something of their own; `page_end` is what it adds
    after the template for each request (the comment form's tokens).
    """

    shared_state: Callable[[HttpRequest, Article], str | None]
    page_end: Callable[[HttpRequest, Article], str]


def home(request: HttpRequest) -> HttpResponseRedirect:
    """Send readers to the newest article's canonical address."""
    article = Article.objects.published().first()
    if article is None:
        raise Http404("No article has been published yet.")
    return redirect(article)


def article_detail(request: HttpRequest, slug: str, *, addition: PageAddition | None = None) -> HttpResponse:
    """One article; its template brings in the comment section through the comments app's tags."""
    article = Article.objects.published_by_slug(slug)
    if article is None:
        raise Http404("No such article.")
    return article_response(request, article, addition=addition)


def article_response(
    request: HttpRequest,
    article: Article,
    *,
    addition: PageAddition | None = None,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The article page: its template, then the end of the page that `addition` gives this request.

    The template's output is the same for every reader with nothing of their own on the
    page: it is then rendered once per state of the article and of the addition. A page
    with more `context` (a form with errors) is rendered for its reader alone.
    """
    key = _shared_key(request, article, addition) if context is None else None

    def render() -> bytes:  # kept encoded: the page is tens of kilobytes, the end a few hundred bytes
        return render_to_string(
            "articles/article_detail.html", {"article": article} | (context or {}), request
        ).encode()

    html = get_or_compute(render, "article-page", key) if key else render()
    end = addition.page_end(request, article).encode() if addition else b""
    return HttpResponse(html + end, status=status)


def _shared_key(request: HttpRequest, article: Article, addition: PageAddition | None) -> str | None:
    """Everything the template's output depends on, or None: render it for this reader.

    Without an addition nothing is cached: the template may show another app's state,
    which only that app can name.
    """
    state = addition.shared_state(request, article) if addition else None
    if state is None:
        return None
    origin = f"{request.scheme}://{request.get_host()}"  # the page's absolute links
    return f"{article.pk}:{article.updated_at.timestamp()}:{get_language()}:{origin}:{state}"
