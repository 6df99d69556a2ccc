"""Emails about comments, sent through the task queue so that posting and moderating never wait for mail.

Moderators hear about every held comment. A reader who asked to be told about replies
hears when one is approved, in an email that carries no commenter's words (so nobody can
use the site to mail their text to a stranger), at most once an hour per article. A reader
who reported illegal content and left an email hears the decision once, with its reason
(the Digital Services Act's statement of reasons), and nothing about the commenter.
"""

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend, task

from .models import Comment, Rejection, Report
from .normalize import email_key
from .ratelimit import limit_key, seconds_to_wait

if TYPE_CHECKING:
    from django_tasks.base import Task

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "comments.unsubscribe"


def comment_held(comment: Comment) -> None:
    """Tell the moderators about a comment waiting for them, once the transaction commits."""
    transaction.on_commit(lambda: send_moderation_email.enqueue(comment.pk))


def comments_approved(comment_ids: Sequence[int]) -> None:
    """Tell subscribed parent authors about newly approved replies, once the transaction commits."""
    if comment_ids:
        transaction.on_commit(lambda: [send_reply_email.enqueue(pk) for pk in comment_ids])


def reports_decided(report_ids: Sequence[int]) -> None:
    """Tell the reporters of these reports who asked for it what was decided, once the transaction commits.

    Where the task queue can wait, the email waits out the undo window (COMMENTS_UNDO_SECONDS):
    an undone decision reopens its reports, and the task then sends nothing.
    """
    asked = list(Report.objects.filter(pk__in=report_ids).exclude(reporter_email="").values_list("pk", flat=True))
    if not asked:
        return
    send = send_report_outcome_email
    if default_task_backend.supports_defer:
        send = send.using(run_after=timezone.now() + timedelta(seconds=settings.COMMENTS_UNDO_SECONDS))
    transaction.on_commit(lambda: [send.enqueue(pk) for pk in asked])


def moderator_addresses() -> list[str]:
    moderators = (
        get_user_model()
        .objects.filter(groups__name=settings.COMMENTS_MODERATORS_GROUP, is_active=True)
        .exclude(email="")
    )
    addresses = {user.email for user in moderators} | {address for _name, address in settings.MANAGERS}
    return sorted(addresses)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@task()
def send_moderation_email(comment_id: int, attempt: int = 1) -> None:
    comment = Comment.objects.select_related("article").filter(pk=comment_id, status=Comment.Status.PENDING).first()
    recipients = moderator_addresses()
    if comment is None or not recipients:
        return
    context = {
        "comment": comment,
        "change_url": _absolute(reverse("admin:comments_comment_change", args=[comment.pk])),
        "queue_url": _absolute(reverse("admin:comments_comment_changelist")),
    }
    _send(
        send_moderation_email,
        comment_id,
        attempt,
        subject=f"[skinsite] Please moderate: “{comment.article.title}”",
        body=render_to_string("comments/email/held.txt", context),
        recipients=recipients,
    )


@task()
def send_reply_email(reply_id: int, attempt: int = 1) -> None:
    reply = (
        Comment.objects.select_related("article", "parent")
        .filter(pk=reply_id, status=Comment.Status.APPROVED, parent__notify_replies=True)
        .first()
    )
    if reply is None:
        return
    parent = cast(Comment, reply.parent)  # the query above selects replies only
    address = parent.author_email
    if not address or address.lower() == reply.author_email.lower():
        return  # never to the reply's own author
    # At most one such email per mailbox and article per interval, across every worker.
    key = limit_key("reply-email", f"{reply.article_id}:{email_key(address)}")
    if attempt == 1 and seconds_to_wait(key, settings.COMMENTS_REPLY_EMAIL_INTERVAL_SECONDS):
        return
    unsubscribe_url = _absolute(reverse("comments:unsubscribe", args=[unsubscribe_token(parent)]))
    context = {
        "article": reply.article,
        "reply_url": _absolute(reply.get_absolute_url()),
        "unsubscribe_url": unsubscribe_url,
        "max_age_days": settings.COMMENTS_UNSUBSCRIBE_MAX_AGE_DAYS,
    }
    _send(
        send_reply_email,
        reply_id,
        attempt,
        subject=f"New reply on “{reply.article.title}”",
        body=render_to_string("comments/email/reply.txt", context),
        recipients=[address],
        # RFC 8058: mail programs offer "Unsubscribe", and unsubscribe with one POST.
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


@task()
def send_report_outcome_email(report_id: int, attempt: int = 1) -> None:
    # Claimed before sending, so the reporter gets one email however often the task runs.
    claimed = Report.objects.filter(pk=report_id, notified_at=None).exclude(outcome=Report.Outcome.OPEN)
    if not claimed.update(notified_at=timezone.now()):
        return
    report = Report.objects.select_related("comment__article").get(pk=report_id)
    article = report.comment.article
    # Only what the reporter already knows or is owed: never the commenter's name, email, address or words.
    context = {
        "article_title": article.title,
        "article_url": _absolute(article.get_absolute_url()),
        "comment_id": report.comment_id,
        "reported_at": report.reported_at,
        "kind": report.get_kind_display(),
        "outcome": report.outcome,
        "outcome_label": report.get_outcome_display(),
        "reason": Rejection(report.decision_reason).label if report.decision_reason else "",
        "decided_at": report.decided_at,
        "automated": report.decided_by_id is None,
    }
    if not _send(
        send_report_outcome_email,
        report_id,
        attempt,
        subject=f"Your report about a comment on “{article.title}”: the decision",
        body=render_to_string("comments/email/report_outcome.txt", context),
        recipients=[report.reporter_email],
    ):
        Report.objects.filter(pk=report_id).update(notified_at=None)  # a retry may claim it again
    else:
        Report.objects.filter(pk=report_id).update(reporter_email="")  # told: the address is needed no more


def _send(
    task_function: "Task[[int, int], None]",
    object_id: int,
    attempt: int,
    *,
    subject: str,
    body: str,
    recipients: list[str],
    headers: dict[str, str] | None = None,
) -> bool:
    """Send one email; on failure log it without any address and try again later, a few times.

    Returns whether it was sent.
    """
    try:
        EmailMessage(subject, body, to=recipients, headers=headers).send()
    except Exception as error:  # any SMTP or network failure; the comment itself is already saved
        logger.warning(
            "Email %s for comment %s failed on attempt %s (%s)",
            task_function.name,
            object_id,
            attempt,
            type(error).__name__,
        )
        if attempt < settings.COMMENTS_EMAIL_ATTEMPTS and default_task_backend.supports_defer:
            delay = timedelta(minutes=2**attempt)
            task_function.using(run_after=timezone.now() + delay).enqueue(object_id, attempt + 1)
        return False
    return True


def unsubscribe_token(comment: Comment) -> str:
    """An opaque signed link id: the subscribed comment's id, never its address."""
    return signing.dumps(comment.pk, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> Comment | None:
    """The subscribed comment (or None if it is gone); raises signing.BadSignature (SignatureExpired when too old)."""
    max_age = timedelta(days=settings.COMMENTS_UNSUBSCRIBE_MAX_AGE_DAYS)
    comment_id = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=max_age)
    if not isinstance(comment_id, int):
        raise signing.BadSignature("Not an unsubscribe link.")
    return Comment.objects.select_related("article").filter(pk=comment_id).first()


def unsubscribe(comment: Comment) -> int:
    """Stop every further reply email about this comment's article to its author's address."""
    if not comment.author_email:
        return 0
    return Comment.objects.filter(
        article_id=comment.article_id, author_email__iexact=comment.author_email, notify_replies=True
    ).update(notify_replies=False)
