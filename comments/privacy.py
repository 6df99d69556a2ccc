"""Personal data in comments: export it, erase it, and stop keeping IP addresses for long.

The management commands and the admin actions all call these functions.
"""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import spam, transitions
from .clientip import author_network, truncate_ip
from .models import Comment, Report

ANONYMOUS = "Anonymous"


def comments_by(emails: Sequence[str]) -> QuerySet[Comment]:
    """Every comment written with one of these addresses (case-insensitive), oldest first."""
    match = Q()
    for email in emails:
        match |= Q(author_email__iexact=email.strip())
    return (
        Comment.objects.filter(match).select_related("article").order_by("submitted_at", "pk")
        if emails
        else Comment.objects.none()
    )


def export_personal_data(emails: Sequence[str]) -> list[dict[str, Any]]:
    """A JSON-ready list of every comment by these addresses, with all we hold about each."""
    return [
        {
            "article": comment.article.title,
            "article_url": comment.article.get_absolute_url(),
            "date": comment.submitted_at.isoformat(),
            "name": comment.author_name,
            "email": comment.author_email,
            "website": comment.author_url,
            "comment": comment.body,
            "status": comment.status,
            "ip_address": comment.ip_address,
            "user_agent": comment.user_agent,
        }
        for comment in comments_by(emails)
    ]


def erase_personal_data(emails: Sequence[str], *, delete: bool = False) -> list[Comment]:
    """Anonymise (or, with delete, remove) every comment by these addresses, in one transaction.

    Returns the comments as they were, for the caller to report. An anonymised comment
    keeps its text and leaves duplicate detection (its fingerprint no longer names anyone)
    and the spam classifier's training set. Reports these addresses sent keep their content,
    but the outcome is no longer emailed.
    """
    with transaction.atomic():
        for email in emails:
            Report.objects.filter(reporter_email__iexact=email.strip()).update(reporter_email="")
        comments = list(comments_by(emails))
        spam.forget(c.pk for c in comments)  # out of the spam classifier's training set, which is trained again
        if delete:
            transitions.delete(Comment.objects.filter(pk__in=[c.pk for c in comments]))
            return comments
        for comment in comments:
            truncated = truncate_ip(comment.ip_address)
            Comment.objects.filter(pk=comment.pk).update(
                author_name=ANONYMOUS,
                author_email="",
                author_email_key="",
                author_url="",
                ip_address=truncated,
                ip_network=author_network(truncated),
                user_agent="",
                notify_replies=False,
                fingerprint=f"erased:{comment.pk}",
            )
        transitions.touch(c.article_id for c in comments)
    return comments


def purge_ips(older_than_days: int) -> int:
    """Empty the IP address (and its network) and user agent of comments older than that; returns how many changed."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    old = Comment.objects.filter(submitted_at__lt=cutoff).exclude(ip_address=None, user_agent="")
    # A report's keyed hash of the reader's network is an address too (guessable with the key).
    Report.objects.filter(reported_at__lt=cutoff).exclude(reporter_key="").update(reporter_key="")
    return old.update(ip_address=None, ip_network="", user_agent="")
