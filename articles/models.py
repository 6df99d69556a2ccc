from typing import Any, Self

from django.db import models
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skinsite.versioned_cache import current_version, get_or_compute, publish_version

VERSION_KEY = "articles:version"


def _version_now() -> str:
    """The state of every article: changes with any edit, addition or deletion."""
    state = Article.objects.aggregate(updated=Max("updated_at"), count=Count("pk"))
    return f"{state['updated'].timestamp() if state['updated'] else 0}-{state['count']}"


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> Self:
        return self.filter(is_public=True, published_at__lte=timezone.now())

    def published_by_slug(self, slug: str) -> "Article | None":
        """The published article with this slug, or None; from the cache while no article changes."""
        version = current_version(VERSION_KEY, _version_now)
        article = get_or_compute(lambda: self.filter(slug=slug).first() or "", "articles:slug", version, slug)
        return article if article and article.is_published() else None


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    body = models.TextField(_("body"), help_text=_("HTML, written by staff and rendered as is."))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    comments_open = models.BooleanField(_("comments open"), default=True)
    # Off for an imported draft, pending, private, scheduled or password-protected post: kept, never shown.
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Readers see the article (from its publication date) only when set.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The post's id in the WordPress site it was imported from, so importing again changes nothing.
    wordpress_id = models.PositiveBigIntegerField(_("WordPress id"), null=True, blank=True, unique=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def is_published(self) -> bool:
        return self.is_public and self.published_at <= timezone.now()


@receiver([post_save, post_delete], sender=Article, dispatch_uid="articles-version")
def _article_changed(sender: type[Article], **kwargs: Any) -> None:
    """Any saved or deleted article (bulk deletes too) makes every cached article lookup stale."""
    publish_version(VERSION_KEY, _version_now())
