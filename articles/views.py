from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from .models import Article


def home(request: HttpRequest) -> HttpResponseRedirect:
    """Send readers to the newest article's canonical address."""
    article = Article.objects.published().first()
    if article is None:
        raise Http404("No article has been published yet.")
    return redirect(article)


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One article; its template brings in the comment section through the comments app's tags."""
    article = Article.objects.published_by_slug(slug)
    if article is None:
        raise Http404("No such article.")
    return TemplateResponse(request, "articles/article_detail.html", {"article": article})
