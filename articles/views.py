from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from comments.views import article_response

from .models import Article


def home(request):
    """Send readers to the newest article's canonical address."""
    article = Article.objects.published().first()
    if article is None:
        raise Http404("No article has been published yet.")
    return redirect(article)


def article_detail(request, slug):
    """One article, its comments and the "Leave a Reply" form."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    return article_response(request, article)
