import hashlib
import ipaddress
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from skinsite.versioned_cache import current_version, get_or_compute, publish_version

from .clientip import author_network
from .normalize import email_key, text_key
from .sanitize import sanitize_comment

if TYPE_CHECKING:
    from articles.models import Article


def comment_fingerprint(parent_id: int | None, author_name: str, body: str) -> str:
    """What makes two comments on one article "the same comment again": parent, name and text, normalised.

    The email is left out on purpose: whether a post counts as a duplicate then depends
    only on what is public, so it can never confirm a guessed address.
    """
    # The parent is part of the key (0 for top level) because NULLs never clash
    # in a unique index on SQLite or PostgreSQL < 15.
    key = "\x00".join([str(parent_id or 0), text_key(author_name), text_key(strip_tags(body))])
    return hashlib.sha256(key.encode()).hexdigest()


class CommentQuerySet(models.QuerySet["Comment"]):
    def approved(self) -> Self:
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self) -> Self:
        return self.filter(status=Comment.Status.PENDING)

    def for_article(self, article: "Article") -> Self:
        return self.filter(article=article)

    def visible_to(self, own_ids: Iterable[int] = ()) -> Self:
        """Approved comments, plus the reader's own comments that are not published yet.

        The reader's own spam is shown to them as if it were pending, so a bot cannot
        tell that it was caught.
        """
        held = [Comment.Status.PENDING, Comment.Status.SPAM]
        return self.filter(Q(status=Comment.Status.APPROVED) | Q(status__in=held, pk__in=list(own_ids)))


class Reason(models.TextChoices):
    """Why the posting rules gave a new comment its first status (the deciding rule)."""

    HONEYPOT = "honeypot", _("honeypot filled")
    TOO_FAST = "too_fast", _("posted too fast")
    REPLAYED = "replayed", _("form used before")
    FLOOD = "flood", _("mailbox posted seconds before")
    DISALLOWED_WORD = "disallowed_word", _("disallowed word")
    MODERATION_WORD = "moderation_word", _("moderation word")
    LINKS = "links", _("too many links")
    FIRST_COMMENT = "first_comment", _("first comment by this author")
    HELD = "held", _("every comment is reviewed")
    KNOWN_AUTHOR = "known_author", _("known author, approved")
    TRUSTED = "trusted", _("trusted author")
    AUTHOR_HELD = "author_held", _("author always held")
    BLOCKED = "blocked", _("blocked author")
    REJECTED_HISTORY = "rejected_history", _("most recent comments rejected")
    IMPORTED = "imported", _("imported")
    MODERATOR = "moderator", _("written by a moderator")
    AKISMET = "akismet", _("Akismet")
    REPORTED = "reported", _("reported by readers")
    CLASSIFIER = "classifier", _("spam classifier")


# The queue's "highest spam score first": an unscored comment (no model yet) counts as -1, below every score.
SPAM_ORDER = Coalesce("spam_score", Value(-1.0)).desc()


class Rejection(models.TextChoices):
    """Why a moderator marked a comment as spam or moved it to the trash."""

    SPAM = "spam", _("Spam")
    ADVERTISING = "advertising", _("Advertising")
    OFF_TOPIC = "off_topic", _("Off-topic")
    ABUSIVE = "abusive", _("Abusive")
    PERSONAL_ATTACK = "personal_attack", _("Personal attack")
    ILLEGAL = "illegal", _("Illegal content")
    OTHER = "other", _("Other")

    @classmethod
    def means_spam(cls, reason: str) -> bool:
        """Whether trashing for this reason says "spam" (to the classifier and to Akismet): an advert, not a person."""
        return reason in (cls.SPAM, cls.ADVERTISING)


class AkismetVerdict(models.TextChoices):
    """What Akismet answered about a comment (comments.akismet); "discard" is its blatant spam."""

    HAM = "ham", _("not spam")
    SPAM = "spam", _("spam")
    DISCARD = "discard", _("blatant spam")


class SpamLabel(models.TextChoices):
    """A moderator's decision as an example for the spam classifier."""

    SPAM = "spam", _("spam")
    HAM = "ham", _("not spam")


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        TRASH = "trash", _("Trash")

    article = models.ForeignKey("articles.Article", models.CASCADE, related_name="comments", verbose_name=_("article"))
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="replies", verbose_name=_("in reply to")
    )
    # The top-level comment of this one's thread (itself, for a top-level comment), so
    # that one indexed query loads whole threads. Empty only until the first save.
    thread = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="+", editable=False, db_index=False
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=1, editable=False)
    author_name = models.CharField(_("name"), max_length=245)
    author_email = models.EmailField(
        _("email"), max_length=100, blank=True, help_text=_("Never published: only moderators can see it.")
    )
    # The mailbox (comments.normalize.email_key), for finding an author's comments by an index.
    author_email_key = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    author_url = models.URLField(_("website"), max_length=200, blank=True)
    body = models.TextField(_("comment"), max_length=65525, help_text=_("As the reader typed it."))
    body_html = models.TextField(_("comment (sanitised)"), editable=False)
    notify_replies = models.BooleanField(_("notify of replies"), default=False)
    # Identifies "the same comment again" so the database itself refuses duplicates.
    fingerprint = models.CharField(max_length=64, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The address's network (comments.clientip.author_network: IPv4 /24, IPv6 /64), for finding neighbours by an index.
    ip_network = models.CharField(_("IP network"), max_length=43, blank=True, editable=False)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    # The comment's id in the WordPress site it was imported from (unique per article).
    wordpress_id = models.PositiveBigIntegerField(_("WordPress id"), null=True, blank=True, editable=False)
    # The rule that decided the first status, and every rule that spoke, with its details
    # ({"code": "links", "count": 3, "max": 2}), for the queue's badges and the change page.
    held_for = models.CharField(_("decided by"), max_length=20, choices=Reason, blank=True, editable=False)
    reasons = models.JSONField(_("reasons"), default=list, blank=True, editable=False)
    # The post's id at Disqus, when imported from a Disqus export (unique: Disqus ids are global).
    disqus_id = models.PositiveBigIntegerField(_("Disqus id"), null=True, blank=True, editable=False)
    # Akismet's answer, when AKISMET_API_KEY is set (empty: not asked, or no answer yet).
    akismet = models.CharField(_("Akismet"), max_length=7, choices=AkismetVerdict, blank=True, editable=False)
    # The spam classifier's probability when the comment was posted (None: no model yet), and the
    # features that weighed most ([["…check…", 0.81], …]): comments.spam.
    spam_score = models.FloatField(_("spam score"), null=True, blank=True, editable=False)
    spam_why = models.JSONField(_("spam score's reasons"), default=list, blank=True, editable=False)
    # What a moderator's last decision taught the classifier about this comment (empty: nothing).
    spam_label = models.CharField(
        _("training label"), max_length=4, choices=SpamLabel, blank=True, editable=False, db_index=True
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [("moderate_comment", _("Can moderate comments"))]
        indexes = [
            # The article page: one article's approved top-level comments, in order…
            models.Index(fields=["article", "status", "parent", "submitted_at", "id"], name="comment_article_threads"),
            # …and every comment of the threads on one page.
            models.Index(fields=["thread", "status"], name="comment_thread_status"),
            # The moderation queue, newest first: by status, all, and the same within one article.
            models.Index(fields=["status", "-submitted_at", "-id"], name="comment_queue"),
            models.Index(fields=["-submitted_at", "-id"], name="comment_queue_all"),
            models.Index(fields=["article", "status", "-submitted_at", "-id"], name="comment_queue_article"),
            models.Index(fields=["article", "-submitted_at", "-id"], name="comment_queue_article_all"),
            # An author's comments: newest first, and counted per status and date (comments.authors).
            models.Index(fields=["author_email_key", "-submitted_at", "-id"], name="comment_author"),
            models.Index(fields=["author_email_key", "status", "submitted_at"], name="comment_author_status"),
            models.Index(fields=["ip_network", "-submitted_at", "-id"], name="comment_ip_network"),
            # Searching by address; the queue by the rule that held a comment.
            models.Index(fields=["ip_address"], name="comment_ip"),
            models.Index(fields=["held_for", "status", "-submitted_at", "-id"], name="comment_queue_reason"),
            models.Index(fields=["held_for", "-submitted_at", "-id"], name="comment_queue_reason_all"),
            # The queue sorted by spam score, highest first.
            # Highest score first, unscored comments last on every database (PostgreSQL sorts NULLs
            # first, and SQLite has no NULLS LAST in an index): SPAM_ORDER.
            models.Index(F("status"), SPAM_ORDER, F("id").desc(), name="comment_queue_spam_score"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "spam", "trash"]),
                name="comment_status_valid",
            ),
            models.UniqueConstraint(
                fields=["article", "fingerprint"],
                condition=~Q(status="trash"),
                name="comment_unique_unless_trashed",
            ),
            models.UniqueConstraint(fields=["article", "wordpress_id"], name="comment_unique_wordpress_id"),
            # Partial, so that SQLite adds an index instead of rebuilding the table (and its search triggers).
            models.UniqueConstraint(
                fields=["disqus_id"], condition=Q(disqus_id__isnull=False), name="comment_unique_disqus_id"
            ),
        ]

    def __str__(self) -> str:
        excerpt = " ".join(strip_tags(self.body).split())[:50]
        # First-strong isolates, so a right-to-left override in a name cannot reorder what follows it.
        return f"\u2068{self.author_name}\u2069: \u2068{excerpt}\u2069"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.prepare()
        super().save(*args, **kwargs)
        if self.thread_id is None:  # a new top-level comment starts its own thread
            self.thread_id = self.pk
            Comment.objects.filter(pk=self.pk).update(thread=self.pk)

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    # The body that body_html was last sanitised from, so a post is sanitised once, not on every save.
    _sanitized_body: str | None = None

    def use_body(self, body: str, body_html: str) -> None:
        """Set the body together with its already sanitised HTML (the form has just computed it)."""
        self.body, self.body_html, self._sanitized_body = body, body_html, body

    def prepare(self) -> None:
        """Compute every derived field (HTML, depth, thread, fingerprint): the one place they come from.

        save() calls it; bulk inserts call it themselves, then set `thread` of new
        top-level comments to their own id, as save() does.
        """
        if self._sanitized_body != self.body:
            self.use_body(self.body, sanitize_comment(self.body))
        if self.parent_id:
            parent = cast(Comment, self.parent)  # never None while parent_id is set
            self.depth = parent.depth + 1
            self.thread_id = parent.thread_id
        self.fingerprint = comment_fingerprint(self.parent_id, self.author_name, self.body)
        self.author_email_key = email_key(self.author_email)[:100]
        self.ip_network = author_network(self.ip_address)

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    def link_count(self) -> int:
        return self.body_html.count("<a ")

    def reply_parent(self) -> "Comment":
        """The comment a reply to this one attaches to: itself, or beside it below the deepest level (WordPress)."""
        if self.depth >= settings.COMMENTS_MAX_DEPTH and self.parent_id:
            return cast(Comment, self.parent)
        return self


class ModerationEvent(models.Model):
    """One status change of one comment, by a moderator, a rule or an import: the append-only history.

    The comment is named by its id, not a foreign key, so its history outlives it.
    Events of one action share a `batch`, which is what Undo restores.
    """

    comment_id = models.BigIntegerField(_("comment"), db_index=True)
    article_id = models.BigIntegerField(_("article"))
    from_status = models.CharField(_("from"), max_length=10, choices=Comment.Status, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Comment.Status)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    rule = models.CharField(_("rule"), max_length=20, choices=Reason, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Rejection, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    batch = models.UUIDField(_("action"), db_index=True)
    undoes = models.UUIDField(_("undoes"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation history")
        indexes = [
            models.Index(fields=["user", "-at"], name="event_by_user"),
            models.Index(fields=["-at"], name="event_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.from_status or '—'} → {self.to_status}"

    @property
    def actor(self) -> str:
        if self.user_id:
            return str(self.user)
        return str(Reason(self.rule).label) if self.rule else ""


class CommentStats(models.Model):
    """An article's comment counts per status and the time its public comments last changed.

    Kept exact by comments.transitions in the transaction that changes a status, so
    neither the page nor the moderation queue ever counts rows; the change time is the
    version that cached pages of comments are keyed on.
    """

    article = models.OneToOneField(
        "articles.Article", models.CASCADE, primary_key=True, related_name="comment_stats", verbose_name=_("article")
    )
    approved_count = models.PositiveIntegerField(_("approved comments"), default=0)
    thread_count = models.PositiveIntegerField(_("approved threads"), default=0)
    pending_count = models.PositiveIntegerField(_("pending comments"), default=0)
    spam_count = models.PositiveIntegerField(_("spam comments"), default=0)
    trash_count = models.PositiveIntegerField(_("trashed comments"), default=0)
    changed_at = models.DateTimeField(_("comments changed"), default=timezone.now)

    class Meta:
        verbose_name = _("comment statistics")
        verbose_name_plural = _("comment statistics")

    def __str__(self) -> str:
        return str(self.article_id)

    @staticmethod
    def _key(article_id: int) -> str:
        return f"comments:stats:{article_id}"

    @classmethod
    def snapshot_of(cls, article_id: int) -> "Snapshot":
        """The article's Snapshot: from the cache, or the database when the cache has none."""

        def load() -> Snapshot:
            stats = cls.objects.filter(article_id=article_id).first() or cls(article_id=article_id)
            return stats.snapshot()

        return current_version(cls._key(article_id), load)

    @classmethod
    def totals(cls, article_id: int | None = None) -> dict[str, int]:
        """Comments per status, of one article or of all, as kept here (no comment is counted)."""
        stats = cls.objects.filter(article_id=article_id) if article_id else cls.objects.all()
        sums = stats.aggregate(**{status: models.Sum(cls.count_field(status)) for status in Comment.Status.values})
        return {status: count or 0 for status, count in sums.items()}

    @staticmethod
    def count_field(status: str) -> str:
        """The field counting comments with this status."""
        return f"{status}_count"

    def snapshot(self) -> "Snapshot":
        return Snapshot(self.approved_count, self.thread_count, self.changed_at.timestamp())

    def publish(self) -> None:
        """Make this state current for every app server when the transaction commits."""
        publish_version(self._key(self.article_id), self.snapshot())


@dataclass(frozen=True)
class Snapshot:
    """What readers' pages need of CommentStats; `version` names the state of the comment list."""

    approved_count: int
    thread_count: int
    version: float


class WordList(models.Model):
    """A moderator-edited list of words, one word or phrase per line."""

    class Kind(models.TextChoices):
        DISALLOWED = "disallowed", _("Disallowed words (comment goes to spam)")
        MODERATION = "moderation", _("Moderation words (comment is held for review)")

    kind = models.CharField(_("list"), max_length=20, choices=Kind, unique=True)
    words = models.TextField(
        _("words"),
        blank=True,
        help_text=_(
            "One word, phrase or IP address per line. Matched inside the name, email, website, comment "
            "text, IP address and user agent, whatever the case, spacing, invisible characters or look-alike letters."
        ),
    )

    class Meta:
        verbose_name = _("word list")
        verbose_name_plural = _("word lists")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["disallowed", "moderation"]), name="wordlist_kind_valid")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def entries(self) -> list[str]:
        """The entries as normalised keys (comments.normalize), so they match however they are disguised."""
        return [key for key in map(text_key, self.words.splitlines()) if key]


class ReportQuerySet(models.QuerySet["Report"]):
    def open(self) -> Self:
        return self.filter(outcome=Report.Outcome.OPEN)

    def decide(self, outcome: str, user: Any = None, reason: str = "", batch: uuid.UUID | None = None) -> list[int]:
        """Close these reports with a decision about their comment; returns the ids of those closed.

        Each keeps the fingerprint of the comment as it was decided, so a dismissal covers
        that text only: the same comment reported again is ignored until it changes. `batch`
        names the moderation action (ModerationEvent.batch), whose undo reopens them.
        """
        ids = list(self.values_list("pk", flat=True))
        current = Comment.objects.filter(pk=models.OuterRef("comment_id")).values("fingerprint")[:1]
        Report.objects.filter(pk__in=ids).update(
            reporter_key="",  # only open reports tell readers apart: a decided one keeps no trace of the address
            outcome=outcome,
            decided_by=user,
            decided_at=timezone.now(),
            decision_reason=reason,
            decided_batch=batch,
            fingerprint=models.Subquery(current),
        )
        return ids

    def reopen_undone(self, batch: uuid.UUID) -> int:
        """Open again the reports that the action `batch` closed (it was undone)."""
        return self.filter(decided_batch=batch).update(
            outcome=Report.Outcome.OPEN, decided_by=None, decided_at=None, decision_reason="", decided_batch=None
        )


class Report(models.Model):
    """A reader's report of a published comment (a notice under the EU Digital Services Act, Art. 16).

    The reader is known only by a keyed hash of their network (never the address), and,
    for illegal content, by the email they chose to give for the outcome.
    """

    class Kind(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSIVE = "abusive", _("Abusive or harassing")
        OFF_TOPIC = "off_topic", _("Off-topic")
        PERSONAL = "personal", _("Shares personal information")
        ILLEGAL = "illegal", _("Illegal content")

    class Outcome(models.TextChoices):
        OPEN = "open", _("Waiting for a moderator")
        KEPT = "kept", _("Kept: no breach of the rules found")
        HIDDEN = "hidden", _("Unpublished for review")
        REMOVED = "removed", _("Removed")

    comment = models.ForeignKey(Comment, models.CASCADE, related_name="reports", verbose_name=_("comment"))
    kind = models.CharField(_("reason"), max_length=20, choices=Kind)
    explanation = models.TextField(_("why it is illegal"), max_length=2000, blank=True)
    reporter_email = models.EmailField(
        _("reporter's email"), max_length=100, blank=True, help_text=_("Only for the outcome; never shown to anyone.")
    )
    # comments.reports.reporter_key: tells readers apart without storing their address.
    reporter_key = models.CharField(max_length=64, editable=False)
    # The comment's fingerprint when reported, and when decided (see ReportQuerySet.decide).
    fingerprint = models.CharField(max_length=64, editable=False)
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome, default=Outcome.OPEN)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    decision_reason = models.CharField(_("decision reason"), max_length=20, choices=Rejection, blank=True)
    decided_batch = models.UUIDField(null=True, blank=True, editable=False)  # the action that decided it
    # Set when the reporter has been told the outcome: they get one email, however often it is retried.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            # A comment's open reports (the threshold, the Reported view), and its dismissals.
            models.Index(fields=["comment", "outcome", "fingerprint"], name="report_comment_outcome"),
            models.Index(fields=["outcome", "-reported_at"], name="report_open_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["open", "kept", "hidden", "removed"]), name="report_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: #{self.comment_id}"


class AuthorRuleQuerySet(models.QuerySet["AuthorRule"]):
    def active(self) -> Self:
        """Rules in force now: without an expiry, or expiring later than now (expiring exactly now is over)."""
        return self.filter(Q(expires_at=None) | Q(expires_at__gt=timezone.now()))


class AuthorRule(models.Model):
    """A moderator's standing decision about an author: trust them, always hold them, or block them.

    An author is named by a mailbox (comments.normalize.email_key, so "+tag" and Gmail's dots
    make no difference), by every mailbox of a domain (and its subdomains), or by an IP network.
    """

    class Kind(models.TextChoices):
        # In order of precedence: when several rules match, the first kind here decides.
        BLOCKED = "blocked", _("Blocked")
        HOLD = "hold", _("Always hold")
        TRUSTED = "trusted", _("Trusted")

    class Target(models.TextChoices):
        EMAIL = "email", _("Email address")
        DOMAIN = "domain", _("Email domain")
        NETWORK = "network", _("IP network (CIDR)")

    kind = models.CharField(
        _("rule"),
        max_length=10,
        choices=Kind,
        help_text=_(
            "Blocked: new comments are filed as spam (the author sees nothing unusual). Always hold: never "
            "approved automatically. Trusted: approved unless a word list or the link limit holds them."
        ),
    )
    target = models.CharField(_("applies to"), max_length=10, choices=Target, default=Target.EMAIL)
    value = models.CharField(
        _("email, domain or network"),
        max_length=100,
        help_text=_("jane@example.org, example.org (and its subdomains), or 192.0.2.0/24 or 2001:db8::/48."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Why: for the other moderators."))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, help_text=_("Empty: never."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = AuthorRuleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("author rule")
        verbose_name_plural = _("trusted and blocked authors")
        indexes = [models.Index(fields=["target", "value"], name="authorrule_target")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["blocked", "hold", "trusted"]), name="authorrule_kind_valid"),
            models.CheckConstraint(
                condition=Q(target__in=["email", "domain", "network"]), name="authorrule_target_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self.publish()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        self.publish()
        return deleted

    # Names the state of the rules (a new name for every change): every post reads them, from memory.
    VERSION_KEY = "comments:author-rules"

    @classmethod
    def in_force(cls) -> list["AuthorRule"]:
        """The rules in force when this state was first read (one may have expired since: check `active`)."""
        version = current_version(cls.VERSION_KEY, lambda: uuid.uuid4().hex)  # lost: a new name, read afresh
        return get_or_compute(lambda: list(cls.objects.active()), "comments:author-rules", version)

    @classmethod
    def publish(cls) -> None:
        """Name a new state of the rules for every app server when the transaction commits.

        A name, not the rules: two changes committed at once each publish a name, and whichever
        wins is read from the database afterwards, with both changes in it.
        """
        publish_version(cls.VERSION_KEY, uuid.uuid4().hex)

    def clean(self) -> None:
        """Store the value as rules match it: an email as its mailbox, a domain bare, a network in CIDR."""
        value = self.value.strip()
        if self.target == self.Target.EMAIL:
            if "@" not in value.strip("@"):
                raise ValidationError({"value": _("Enter an email address.")}, code="email")
            self.value = email_key(value)
        elif self.target == self.Target.DOMAIN:
            domain = email_key("x@" + value.lstrip("@")).partition("@")[2]  # googlemail.com is gmail.com
            if "." not in domain or "@" in domain:
                raise ValidationError({"value": _("Enter a domain such as example.org.")}, code="domain")
            self.value = domain
        else:
            try:
                self.value = str(ipaddress.ip_network(value, strict=False))
            except ValueError:
                raise ValidationError(
                    {"value": _("Enter a network such as 192.0.2.0/24, or one address.")}, code="network"
                ) from None

    @property
    def active(self) -> bool:
        return self.expires_at is None or self.expires_at > timezone.now()


class ReportedComment(Comment):
    """Comments with open reports: the admin's Reported view."""

    class Meta:
        proxy = True
        verbose_name = _("reported comment")
        verbose_name_plural = _("reported comments")


class SpamModel(models.Model):
    """The spam classifier, as trained from the moderators' decisions: one row, replaced by each training.

    `model` is a comments.spamfeatures.Model: a linear model as plain JSON (features of
    comment text → weights, a bias, the counts of examples). No email, name, IP address
    or comment id is in it; words and fragments come only from at least two comments.
    """

    model = models.JSONField(_("model"))
    spam_examples = models.PositiveIntegerField(_("spam examples"))
    ham_examples = models.PositiveIntegerField(_("legitimate examples"))
    # When training read its examples: a training asked for before that has nothing new to learn.
    trained_at = models.DateTimeField(_("trained"), default=timezone.now)
    # Names this model in every process's cache of it (comments.spam.current_model).
    version = models.UUIDField(_("version"), default=uuid.uuid4, editable=False)
    training_seconds = models.FloatField(_("training time (s)"), default=0.0)

    class Meta:
        ordering = ["-trained_at"]  # one row; two trainings at once may briefly leave two
        verbose_name = _("spam model")
        verbose_name_plural = _("spam models")

    def __str__(self) -> str:
        return f"{self.spam_examples} spam, {self.ham_examples} legitimate ({self.trained_at:%Y-%m-%d %H:%M})"
