"""Every change of a comment's status, and the rules that pick a new comment's status.

The view, the admin actions and the tests all call these functions, so counts,
moderation stamps and cache keys are kept right in one place.
"""

import hashlib
import ipaddress
from dataclasses import dataclass
from math import ceil

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from articles.models import Article

from . import notifications
from .models import Comment, WordList
from .ratelimit import seconds_to_wait

Status = Comment.Status


# ---------------------------------------------------------------- transitions


def refresh_articles(article_ids):
    """Recount approved comments and threads and bump the list's version, in the caller's transaction.

    The version (comments_changed_at) is what cached comment lists are keyed on, so
    every app server sees a change on its next request without invalidation calls.
    """
    now = timezone.now()
    for article_id in set(article_ids):
        counts = (
            Comment.objects.filter(article_id=article_id)
            .approved()
            .aggregate(comments=Count("pk"), threads=Count("pk", filter=Q(parent=None)))
        )
        Article.objects.filter(pk=article_id).update(
            approved_comment_count=counts["comments"],
            approved_thread_count=counts["threads"],
            comments_changed_at=now,
        )


def set_status(comments, status, user=None):
    """Move comments to a status, stamping who did it; returns how many changed."""
    with transaction.atomic():
        changing = list(comments.exclude(status=status).values_list("pk", "article_id"))
        changed = Comment.objects.filter(pk__in=[pk for pk, _article in changing]).update(
            status=status, moderated_by=user, moderated_at=timezone.now()
        )
        refresh_articles(article_id for _pk, article_id in changing)
        if status == Status.APPROVED:
            notifications.comments_approved([pk for pk, _article in changing])
    return changed


def approve(comments, user=None):
    return set_status(comments, Status.APPROVED, user)


def unapprove(comments, user=None):
    return set_status(comments, Status.PENDING, user)


def mark_spam(comments, user=None):
    return set_status(comments, Status.SPAM, user)


def trash(comments, user=None):
    return set_status(comments, Status.TRASH, user)


def delete(comments):
    """Delete comments (and, by cascade, their replies) for good; returns how many went."""
    with transaction.atomic():
        article_ids = list(comments.values_list("article_id", flat=True).distinct())
        deleted, _per_model = comments.delete()
        refresh_articles(article_ids)
    return deleted


# ---------------------------------------------------------------- posting


@dataclass
class Refusal(Exception):
    """A post that is turned away with a message for the reader."""

    status: int
    message: str
    retry_after: int | None = None


def client_ip(request):
    """The address of the client, trusting only as many X-Forwarded-For hops as we have proxies."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.COMMENTS_TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    return normalized_ip(address)


def normalized_ip(text):
    """An IP address in its canonical form, or None when the text is not one."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def check_flood(ip_address, email):
    """Refuse a second comment from one IP or email within COMMENTS_FLOOD_SECONDS, on any app server."""
    limit = settings.COMMENTS_FLOOD_SECONDS
    if not limit:
        return
    keys = [f"comments:flood:email:{hashlib.sha256(email.lower().encode()).hexdigest()}"]
    if ip_address:
        keys.append(f"comments:flood:ip:{ip_address}")
    for key in keys:
        if wait := seconds_to_wait(key, limit):
            raise Refusal(429, _("You are posting comments too quickly. Slow down."), retry_after=ceil(wait))


def _matches(entries, comment):
    haystack = [
        comment.author_name,
        comment.author_email,
        comment.author_url,
        comment.body,
        strip_tags(comment.body),
        comment.ip_address or "",
        comment.user_agent,
    ]
    haystack = [field.casefold() for field in haystack]
    return any(entry in field for entry in entries for field in haystack)


def initial_status(comment, *, looks_automated):
    """Pick a new comment's status by the rules, in order (closed articles never get here)."""
    if looks_automated:
        return Status.SPAM
    lists = {wordlist.kind: wordlist.entries() for wordlist in WordList.objects.all()}
    if _matches(lists.get(WordList.Kind.DISALLOWED, []), comment):
        return Status.SPAM
    if comment.link_count() > settings.COMMENTS_MAX_LINKS or _matches(lists.get(WordList.Kind.MODERATION, []), comment):
        return Status.PENDING
    if settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS and (
        Comment.objects.approved()
        .filter(author_name=comment.author_name, author_email__iexact=comment.author_email)
        .exists()
    ):
        return Status.APPROVED
    return Status.PENDING


def submit(comment, *, looks_automated=False):
    """Store a new comment with the status the rules give it; raises Refusal for a duplicate."""
    comment.status = initial_status(comment, looks_automated=looks_automated)
    try:
        with transaction.atomic():
            comment.save()
            if comment.status == Status.APPROVED:
                refresh_articles([comment.article_id])
                notifications.comments_approved([comment.pk])
            elif comment.status == Status.PENDING:
                notifications.comment_held(comment)
    except IntegrityError:
        if (
            Comment.objects.filter(article_id=comment.article_id, fingerprint=comment.fingerprint)
            .exclude(status=Status.TRASH)
            .exists()
        ):
            raise Refusal(409, _("Duplicate comment detected; it looks as though you’ve already said that!")) from None
        raise
    return comment
