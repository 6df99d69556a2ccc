"""RSS 2.0 feeds of approved comments: per article and for the whole site. Never an email or IP."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.models import Article

from .models import Comment

FEED_LENGTH = 50


class LatestCommentsFeed(Feed):
    title = _("skinsite: latest comments")
    description = _("The latest approved comments on skinsite.")

    def link(self):
        return reverse("home")

    def items(self):
        return self.latest(Comment.objects.approved())

    @staticmethod
    def latest(comments):
        return comments.select_related("article").order_by("-submitted_at", "-pk")[:FEED_LENGTH]

    def item_title(self, comment):
        return _("%(name)s on “%(title)s”") % {"name": comment.author_name, "title": comment.article.title}

    def item_description(self, comment):
        return comment.body_html  # the sanitiser's output, escaped once more by the feed writer

    def item_link(self, comment):
        return comment.get_absolute_url()

    def item_author_name(self, comment):
        return comment.author_name

    def item_pubdate(self, comment):
        return comment.submitted_at

    def item_guid(self, comment):
        return f"{settings.SITE_URL}{comment.get_absolute_url()}"

    item_guid_is_permalink = False


class ArticleCommentsFeed(LatestCommentsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Article.objects.published(), slug=slug)

    def title(self, article):
        return _("Comments on “%(title)s”") % {"title": article.title}

    def description(self, article):
        return self.title(article)

    def link(self, article):
        return article.get_absolute_url()

    def items(self, article):
        return self.latest(Comment.objects.approved().for_article(article))
