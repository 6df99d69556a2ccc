"""Where reports, author rules, the classifier, undo and erasure meet, and what an outsider tried."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from comments import privacy, reports, spam, transitions
from comments.models import AuthorRule, Comment, ModerationEvent, Report
from tests.comments.test_spam import teach
from tests.helpers import ARTICLE_URL

Status = Comment.Status


def _report(comment, ip):
    return Client().post(reverse("comments:report", args=[comment.pk]), {"kind": "spam"}, REMOTE_ADDR=ip)


@pytest.fixture
def reported(article, make_comment, settings):
    settings.COMMENTS_REPORT_CLIENT_SECONDS = settings.COMMENTS_REPORT_COMMENT_SECONDS = 0
    comment = make_comment(article, author_name="Carla", author_email="carla@example.com")
    assert _report(comment, "203.0.113.9").status_code == 302
    return comment


def test_undoing_a_decision_reopens_the_reports_it_closed(reported, moderator):
    transitions.trash(Comment.objects.filter(pk=reported.pk), moderator)
    assert Report.objects.get().outcome == Report.Outcome.REMOVED
    batch = ModerationEvent.objects.filter(comment_id=reported.pk).latest("at").batch

    transitions.undo(batch, moderator)

    report = Report.objects.get()
    assert Comment.objects.get(pk=reported.pk).status == Status.APPROVED
    assert report.outcome == Report.Outcome.OPEN and report.decided_at is None and report.decision_reason == ""


def test_a_decided_report_keeps_no_trace_of_the_readers_address(reported, moderator):
    assert Report.objects.get().reporter_key
    transitions.unapprove(Comment.objects.filter(pk=reported.pk), moderator)  # hidden for review
    assert Report.objects.get().reporter_key == ""


def test_purging_addresses_forgets_old_open_reports_readers(reported):
    privacy.purge_ips(older_than_days=0)
    assert Report.objects.get().reporter_key == ""


def test_readers_of_one_ipv6_48_count_as_one(article, make_comment, settings):
    settings.COMMENTS_REPORT_CLIENT_SECONDS = settings.COMMENTS_REPORT_COMMENT_SECONDS = 0
    settings.COMMENTS_REPORTS_TO_HIDE = 2
    comment = make_comment(article)
    for subnet in ("a1", "a2", "a3"):  # three /64s of one home connection's /56
        _report(comment, f"2001:db8:1:{subnet}::1")
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED
    assert reports.reporter_key("2001:db8:1:a1::1") == reports.reporter_key("2001:db8:1:ff::1")
    assert reports.reporter_key("2001:db8:1:a1::1") != reports.reporter_key("2001:db8:2::1")


def test_erasing_an_author_leaves_no_rule_value_in_their_comments_reasons(article, post_comment):
    AuthorRule.objects.create(kind=AuthorRule.Kind.TRUSTED, target=AuthorRule.Target.EMAIL, value="jane@example.org")
    post_comment(article, author_name="Jane", author_email="jane@example.org")
    comment = Comment.objects.latest("pk")
    assert comment.status == Status.APPROVED and comment.reasons[0]["code"] == "trusted"

    privacy.erase_personal_data(["jane@example.org"])

    assert "jane@example.org" not in str(Comment.objects.get(pk=comment.pk).reasons)


def test_the_classifier_holds_a_trusted_authors_spam_instead_of_filing_it(
    article, make_comment, moderator, post_comment, settings
):
    settings.COMMENTS_SPAM_MIN_EXAMPLES, settings.COMMENTS_SPAM_MIN_PER_KIND = 8, 4
    settings.COMMENTS_FLOOD_SECONDS = 0
    settings.COMMENTS_SPAM_THRESHOLD, settings.COMMENTS_SPAM_HOLD_THRESHOLD = 0.01, 0.005
    teach(article, make_comment, moderator)
    assert spam.acting(spam.current_model())
    AuthorRule.objects.create(kind=AuthorRule.Kind.TRUSTED, target=AuthorRule.Target.EMAIL, value="kim@example.com")

    post_comment(article, body="Check out my channel and subscribe", author_name="Kim", author_email="kim@example.com")
    post_comment(article, body="Check out my channel and subscribe", author_name="Lee", author_email="lee@example.com")

    trusted, stranger = Comment.objects.order_by("-pk")[:2][::-1]
    assert trusted.status == Status.PENDING and "classifier" in [r["code"] for r in trusted.reasons]
    assert stranger.status == Status.SPAM


def test_staff_who_may_not_see_comments_cannot_preview_one_or_test_an_email(article, make_comment):
    comment = make_comment(article, status=Status.PENDING, author_email="held@example.com")
    staff = User.objects.create_user("staff", "staff@example.com", "staff-password", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("admin:comments_comment_preview", args=[comment.pk])).status_code == 403
    queue = reverse("admin:comments_comment_changelist")
    assert client.get(queue, {"q": "held@example.com"}).status_code == 403


def test_a_form_body_django_cannot_read_is_a_400_not_a_server_error(article):
    response = Client(raise_request_exception=False).post(
        ARTICLE_URL, "a=b", content_type="application/x-www-form-urlencoded; charset=latin-1"
    )
    assert response.status_code == 400
