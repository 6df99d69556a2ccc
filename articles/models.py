from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__lte=timezone.now())


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    body = models.TextField(_("body"), help_text=_("HTML, written by staff and rendered as is."))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    comments_open = models.BooleanField(_("comments open"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The post's id in the WordPress site it was imported from, so importing again changes nothing.
    wordpress_id = models.PositiveBigIntegerField(_("WordPress id"), null=True, blank=True, unique=True, editable=False)
    # Kept exact by comments.moderation in the transaction that changes a status.
    approved_comment_count = models.PositiveIntegerField(_("approved comments"), default=0, editable=False)
    approved_thread_count = models.PositiveIntegerField(_("approved threads"), default=0, editable=False)
    # Bumped in the same transactions, so it names the state of the comment list
    # (cache keys are built from it).
    comments_changed_at = models.DateTimeField(_("comments changed"), default=timezone.now, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def accepts_comments(self):
        """Open by its own switch, and not past COMMENTS_CLOSE_AFTER_DAYS (0: never closes)."""
        if not self.comments_open:
            return False
        days = settings.COMMENTS_CLOSE_AFTER_DAYS
        return not days or timezone.now() < self.published_at + timedelta(days=days)
