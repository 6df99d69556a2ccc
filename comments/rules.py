"""The posting rules: whether a new comment is taken, which status it gets, and the flood limit.

Cheap checks come first: the flood limit is read before the form is validated (and the
comment sanitised), and recorded only for a comment that is actually stored, so neither
a refused post nor a rejected duplicate makes anyone wait.
"""

from dataclasses import dataclass
from datetime import timedelta
from math import ceil
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import notifications, transitions
from .clientip import rate_limit_network
from .models import Comment, WordList
from .normalize import email_key, text_key
from .ratelimit import limit_key, seconds_left, seconds_to_wait

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from articles.models import Article

Status = Comment.Status


@dataclass
class Refusal(Exception):
    """A post that is turned away with a message for the reader."""

    status: int
    message: "StrOrPromise"  # a lazy translation too
    retry_after: int | None = None


def comments_open(article: "Article") -> bool:
    """Open by the article's own switch, and not past COMMENTS_CLOSE_AFTER_DAYS (0: never closes)."""
    if not article.comments_open:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return not days or timezone.now() < article.published_at + timedelta(days=days)


# ---------------------------------------------------------------- flood


def _flood_keys(ip_address: str | None, email: str) -> list[str]:
    """One key per client network and one per mailbox (so "+tag" variants count as one)."""
    keys = [limit_key("flood-ip", rate_limit_network(ip_address))] if ip_address else []
    if email.strip():
        keys.append(limit_key("flood-email", email_key(email)))
    return keys


def _too_quick(wait: float) -> Refusal:
    seconds = ceil(wait)
    message = ngettext(
        "You are posting comments too quickly. Please wait %(seconds)d second and post again.",
        "You are posting comments too quickly. Please wait %(seconds)d seconds and post again.",
        seconds,
    ) % {"seconds": seconds}
    return Refusal(429, message, retry_after=seconds)


def check_flood(ip_address: str | None, email: str) -> None:
    """Refuse a second comment from one network or mailbox within COMMENTS_FLOOD_SECONDS; records nothing."""
    limit = settings.COMMENTS_FLOOD_SECONDS
    for key in _flood_keys(ip_address, email) if limit else []:
        if wait := seconds_left(key, limit):
            raise _too_quick(wait)


def _record_flood(ip_address: str | None, email: str) -> None:
    """Start the wait, atomically: of two simultaneous posts one is refused (network first, then mailbox)."""
    limit = settings.COMMENTS_FLOOD_SECONDS
    for key in _flood_keys(ip_address, email) if limit else []:
        if wait := seconds_to_wait(key, limit):
            raise _too_quick(wait)


# ---------------------------------------------------------------- status


def _matches(entries: list[str] | None, comment: Comment) -> bool:
    if not entries:
        return False
    fields = [
        comment.author_name,
        comment.author_email,
        comment.author_url,
        comment.body,
        strip_tags(comment.body),  # "vi<b></b>agra"
        comment.ip_address or "",
        comment.user_agent,
    ]
    haystack = [text_key(field) for field in fields]
    return any(entry in field for entry in entries for field in haystack)


def initial_status(comment: Comment, *, looks_automated: bool) -> str:
    """Pick a new comment's status by the rules, in order (closed articles never get here)."""
    if looks_automated:
        return Status.SPAM
    lists = {wordlist.kind: wordlist.entries() for wordlist in WordList.objects.all()}
    if _matches(lists.get(WordList.Kind.DISALLOWED), comment):
        return Status.SPAM
    if comment.link_count() > settings.COMMENTS_MAX_LINKS or _matches(lists.get(WordList.Kind.MODERATION), comment):
        return Status.PENDING
    if settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS and (
        Comment.objects.approved()
        .filter(author_name=comment.author_name, author_email__iexact=comment.author_email)
        .exists()
    ):
        return Status.APPROVED
    return Status.PENDING


# ---------------------------------------------------------------- storing


def _form_key(nonce: str) -> str:
    return f"comments:form-used:{nonce}"


def form_used(nonce: str) -> bool:
    """Whether the form with this nonce has already produced a stored comment."""
    return cache.get(_form_key(nonce)) is not None


def submit(
    comment: Comment, *, looks_automated: bool = False, form_nonce: str | None = None, limit_flood: bool = True
) -> Comment:
    """Store a new comment with the status the rules give it, or raise Refusal (duplicate, flood).

    A form is good for one comment: a replayed form's comment is filed as spam. Nothing
    is stored, and no limit is started, for a refused post.
    """
    replayed = form_nonce is not None and form_used(form_nonce)
    comment.status = initial_status(comment, looks_automated=looks_automated or replayed)
    try:
        with transaction.atomic():
            comment.save()
            if limit_flood:
                _record_flood(comment.ip_address, comment.author_email)  # a Refusal here rolls the comment back
            first_use = form_nonce is None or cache.add(
                _form_key(form_nonce), 1, settings.COMMENTS_FORM_MAX_AGE_SECONDS
            )
            if not first_use and comment.status != Status.SPAM:  # the same form posted twice at once
                comment.status = Status.SPAM
                Comment.objects.filter(pk=comment.pk).update(status=Status.SPAM)
            transitions.shift([(comment.article_id, None, comment.status, comment.parent_id is None)])
            if comment.status == Status.APPROVED:
                notifications.comments_approved([comment.pk])
            elif comment.status == Status.PENDING:
                notifications.comment_held(comment)
    except IntegrityError:
        if _duplicate_exists(comment):
            raise Refusal(409, _("Duplicate comment detected; it looks as though you’ve already said that!")) from None
        raise
    return comment


def _duplicate_exists(comment: Comment) -> bool:
    return (
        Comment.objects.filter(article_id=comment.article_id, fingerprint=comment.fingerprint)
        .exclude(status=Status.TRASH)
        .exists()
    )
