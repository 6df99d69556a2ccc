"""Akismet, when AKISMET_API_KEY is set: a second opinion on each new comment, and the moderators' corrections.

Everything here runs in the task queue once the transaction has committed, so posting and
moderating never wait for Akismet. A failure, a timeout or a refused key is logged (never
with an address), retried a few times when it may pass, and never changes a comment.

Akismet never approves anything. "Spam" files a pending comment as spam and holds a comment
that a rule approved (it stays reviewable rather than disappearing), both with the rule
"akismet" in its history, and only while nobody has moved the comment since it was posted: a
moderator's decision always stands. "Ham" changes nothing. The answer is kept in
Comment.akismet and shown among the comment's reasons in the queue.

Moderators' corrections go back as Akismet asks (its submit-spam and submit-ham calls): spam
that Akismet did not call spam, and comments it called spam that a moderator took out of spam.

Setting the key is the site owner's choice to send each comment's name, email, website, IP
address and user agent to Akismet (README, "Personal data").
"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import akismet
import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from . import transitions
from .models import AkismetVerdict, Comment, Reason, Rejection

logger = logging.getLogger(__name__)
Status = Comment.Status
SPAM_VERDICTS = [AkismetVerdict.SPAM, AkismetVerdict.DISCARD]
VERDICTS = {
    akismet.CheckResponse.HAM: AkismetVerdict.HAM,
    akismet.CheckResponse.SPAM: AkismetVerdict.SPAM,
    akismet.CheckResponse.DISCARD: AkismetVerdict.DISCARD,
}


def enabled() -> bool:
    return bool(settings.AKISMET_API_KEY)


def comment_posted(comment: Comment) -> None:
    """Have Akismet check a comment just stored, once the transaction commits (not one the rules filed as spam)."""
    if enabled() and comment.status in (Status.PENDING, Status.APPROVED):
        transaction.on_commit(lambda: check_comment.enqueue(comment.pk))


def comments_moved(moves: Iterable[tuple[int, str, str]], user: Any, reason: str) -> None:
    """Report a moderator's spam and not-spam decisions, (comment id, old status, new status), once committed."""
    if not enabled() or user is None:  # rules, imports and Akismet itself teach Akismet nothing
        return
    reports = []
    for pk, old, new in moves:
        if old != Status.SPAM and (new == Status.SPAM or (new == Status.TRASH and Rejection.means_spam(reason))):
            reports.append((pk, True))
        elif old == Status.SPAM and new in (Status.PENDING, Status.APPROVED):
            reports.append((pk, False))
    if reports:
        transaction.on_commit(lambda: [report_decision.enqueue(pk, is_spam) for pk, is_spam in reports])


def http_client(**options: Any) -> httpx.Client:
    """The HTTP client the library talks through: its own user agent and our timeout (tests add a transport)."""
    headers = {"User-Agent": akismet.USER_AGENT}
    return httpx.Client(headers=headers, timeout=settings.AKISMET_TIMEOUT_SECONDS, **options)


@contextmanager
def _client() -> Iterator[akismet.SyncClient]:
    """A client whose key Akismet has just verified (verify-key, as the library recommends); closed after use."""
    config = akismet.Config(key=settings.AKISMET_API_KEY, url=settings.AKISMET_BLOG_URL)
    with http_client() as http, akismet.SyncClient(config=config, http_client=http) as client:
        yield client


def _arguments(comment: Comment) -> akismet.AkismetArguments:
    """What Akismet's comment-check asks for (its submit calls take the same, to learn from)."""
    return akismet.AkismetArguments(
        user_agent=comment.user_agent,
        comment_author=comment.author_name,
        comment_author_email=comment.author_email,
        comment_author_url=comment.author_url,
        comment_content=comment.body,
        comment_type="reply",  # Akismet's type for a reply to a blog post
        comment_date_gmt=comment.submitted_at.astimezone(UTC).isoformat(),
        permalink=f"{settings.SITE_URL}{comment.article.get_absolute_url()}",
        blog_lang=settings.LANGUAGE_CODE.split("-")[0],
        blog_charset="UTF-8",
    )


def _comment(comment_id: int, *statuses: str) -> Comment | None:
    """The comment, if it still exists with an IP address (Akismet requires one; imports and purges have none)."""
    comments = Comment.objects.select_related("article").filter(pk=comment_id, ip_address__isnull=False)
    return comments.filter(status__in=statuses or Status.values).first()


@task()
def check_comment(comment_id: int, attempt: int = 1) -> None:
    comment = _comment(comment_id, Status.PENDING, Status.APPROVED)  # once a moderator filed it, no call is needed
    if comment is None:
        return
    try:
        with _client() as client:
            answer = client.comment_check(str(comment.ip_address), **_arguments(comment))
    except akismet.AkismetError as error:
        if _should_retry("comment-check", comment_id, attempt, error):
            check_comment.using(run_after=_later(attempt)).enqueue(comment_id, attempt + 1)
        return
    verdict = VERDICTS[answer]
    with transaction.atomic():
        Comment.objects.filter(pk=comment_id).update(akismet=verdict)
        if verdict in SPAM_VERDICTS:
            # Only a comment nobody has moved since it was posted: never overrule a moderator.
            untouched = Comment.objects.filter(pk=comment_id, moderated_at=None)
            transitions.mark_spam(untouched.pending(), rule=Reason.AKISMET)
            transitions.unapprove(untouched.approved(), rule=Reason.AKISMET)


@task()
def report_decision(comment_id: int, is_spam: bool, attempt: int = 1) -> None:
    """Tell Akismet about spam it missed (submit-spam) or a comment it wrongly called spam (submit-ham).

    Checked again when it runs, so a decision undone meanwhile is not reported.
    """
    comment = _comment(comment_id)
    if comment is None:
        return
    akismet_said_spam = comment.akismet in SPAM_VERDICTS
    if is_spam and (akismet_said_spam or comment.status not in (Status.SPAM, Status.TRASH)):
        return
    if not is_spam and (not akismet_said_spam or comment.status == Status.SPAM):
        return
    operation = "submit-spam" if is_spam else "submit-ham"
    try:
        with _client() as client:
            submit = client.submit_spam if is_spam else client.submit_ham
            submit(str(comment.ip_address), **_arguments(comment))
    except akismet.AkismetError as error:
        if _should_retry(operation, comment_id, attempt, error):
            report_decision.using(run_after=_later(attempt)).enqueue(comment_id, is_spam, attempt + 1)


def _should_retry(operation: str, comment_id: int, attempt: int, error: akismet.AkismetError) -> bool:
    """Log a failed call without any personal data (nor the key); whether to try again later."""
    if isinstance(error, akismet.ConfigurationError):  # a refused key or blog URL: retrying cannot help
        logger.error(
            "Akismet refused AKISMET_API_KEY for AKISMET_BLOG_URL %s; %s of comment %s not done",
            settings.AKISMET_BLOG_URL,
            operation,
            comment_id,
        )
        return False
    logger.warning(
        "Akismet %s of comment %s failed on attempt %s (%s: %s)",
        operation,
        comment_id,
        attempt,
        type(error).__name__,
        " ".join(str(error).split())[:300],  # the library's message: the status, or Akismet's answer and debug help
    )
    return attempt < settings.AKISMET_ATTEMPTS and default_task_backend.supports_defer


def _later(attempt: int) -> datetime:
    return timezone.now() + timedelta(minutes=2**attempt)
