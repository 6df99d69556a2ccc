"""Readers' reports of published comments: filing one, hiding a comment many readers report, dismissing them.

A reader is told apart from another by a keyed hash of their network (as rate limits
count them), never by their address. Deciding on a reported comment (approve, unapprove,
spam, trash) goes through comments.transitions, which closes its open reports.
"""

import uuid
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import notifications, transitions
from .clientip import reader_network
from .models import Comment, Reason, Report
from .ratelimit import limit_key, seconds_left, seconds_to_wait

CommentT = TypeVar("CommentT", bound=Comment)
REPORTED_COOKIE = "comment_reported"
MAX_REPORTED_IN_COOKIE = 50


def reporter_key(ip_address: str | None) -> str:
    """A keyed hash of the reader's network (IPv4 address or IPv6 /48): one reader, and no address, stored."""
    network = reader_network(ip_address) if ip_address else ""
    return salted_hmac("comments.report", network, algorithm="sha256").hexdigest()


def reported_ids(request: HttpRequest) -> list[int]:
    """The comments this browser has reported (a signed cookie)."""
    value = request.get_signed_cookie(REPORTED_COOKIE, default="", salt=REPORTED_COOKIE)
    return [int(part) for part in str(value).split(",") if part.isascii() and part.isdigit()]


def seconds_to_wait_for(comment: Comment, ip_address: str | None) -> float:
    """0, and the report is counted, if this client may report this comment now; else how long until it may.

    At most one report per client (COMMENTS_REPORT_CLIENT_SECONDS) and one per comment
    from anyone (COMMENTS_REPORT_COMMENT_SECONDS); a refused report counts for neither.
    """
    limits = [
        (
            limit_key("report-client", reader_network(ip_address) if ip_address else ""),
            settings.COMMENTS_REPORT_CLIENT_SECONDS,
        ),
        (limit_key("report-comment", str(comment.pk)), settings.COMMENTS_REPORT_COMMENT_SECONDS),
    ]
    wait = max(seconds_left(key, interval) for key, interval in limits)
    if not wait:
        wait = max(seconds_to_wait(key, interval) for key, interval in limits)
    return wait


def file_report(comment: Comment, ip_address: str | None, **fields: Any) -> Report | None:
    """Store a reader's report of an approved comment; None when this reader has an open report of it already.

    A comment whose reports a moderator dismissed is not reported again until its text
    changes: the report is stored as already decided, and its reporter told so. A comment
    that COMMENTS_REPORTS_TO_HIDE distinct readers report is unpublished and held in the
    queue with the reason "reported".
    """
    key = reporter_key(ip_address)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        reports = Report.objects.filter(comment=comment)
        if reports.open().filter(reporter_key=key).exists():
            return None
        report = Report(comment=comment, reporter_key=key, fingerprint=comment.fingerprint, **fields)
        if reports.filter(outcome=Report.Outcome.KEPT, fingerprint=comment.fingerprint).exists():
            report.outcome, report.decided_at = Report.Outcome.KEPT, timezone.now()
            report.save()
            notifications.reports_decided([report.pk])
            return report
        report.save()
        readers = reports.open().order_by().values("reporter_key").distinct().count()
        if comment.is_approved and readers >= settings.COMMENTS_REPORTS_TO_HIDE:
            _hide(comment, readers)
    return report


def _hide(comment: Comment, readers: int) -> None:
    """Unpublish a comment that too many readers reported, to wait in the queue for a moderator."""
    transitions.unapprove(Comment.objects.filter(pk=comment.pk), rule=Reason.REPORTED)
    reasons = [reason for reason in comment.reasons if reason.get("code") != Reason.REPORTED]
    Comment.objects.filter(pk=comment.pk).update(
        held_for=Reason.REPORTED, reasons=[{"code": Reason.REPORTED, "readers": readers}, *reasons]
    )
    notifications.comment_held(comment)


def open_report_counts(comments: QuerySet[CommentT]) -> QuerySet[CommentT]:
    """Comments with open reports, each with how many and when the last came, newest report first."""
    return (
        comments.filter(reports__outcome=Report.Outcome.OPEN)
        .annotate(open_reports=Count("reports"), last_reported=Max("reports__reported_at"))
        .order_by("-last_reported", "-pk")
    )


def dismiss(comments: QuerySet[Comment], user: Any = None) -> int:
    """Keep these comments and close their open reports; returns how many comments had any.

    A comment that its reports unpublished is published again (an approval, recorded in
    its history); later reports of the same text are ignored.
    """
    batch = uuid.uuid4()
    with transaction.atomic():
        pks = list(comments.filter(reports__outcome=Report.Outcome.OPEN).values_list("pk", flat=True).distinct())
        hidden = Comment.objects.filter(pk__in=pks, status=Comment.Status.PENDING, held_for=Reason.REPORTED)
        transitions.approve(hidden, user, batch=batch)  # closes their reports as kept
        decided = Report.objects.open().filter(comment_id__in=pks).decide(Report.Outcome.KEPT, user)
        notifications.reports_decided(decided)
    return len(pks)
