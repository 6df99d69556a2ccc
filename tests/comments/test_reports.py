"""Readers' reports of published comments (issue 15, items 5-7): the form, its limits, the Reported view,
the threshold that hides a comment, dismissals, and the outcome email to a reporter (DSA Art. 16/17)."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import reports, transitions
from comments.models import Comment, ModerationEvent, Reason, Report
from tests.helpers import page, text_of

REPORTED = reverse("admin:comments_reportedcomment_changelist")
COMMENTER = {"author_name": "Carla Commenter", "author_email": "carla@example.com", "ip_address": "198.51.100.7"}
REPORTER_EMAIL = "rita.reporter@example.org"
REPORTER_IP = "203.0.113.9"


@pytest.fixture(autouse=True)
def _no_waiting(settings):
    settings.COMMENTS_REPORT_CLIENT_SECONDS = 0
    settings.COMMENTS_REPORT_COMMENT_SECONDS = 0


@pytest.fixture
def comment(article, make_comment):
    return make_comment(article, **COMMENTER)


def url_of(comment):
    return reverse("comments:report", args=[comment.pk])


def report(comment, via=None, ip=REPORTER_IP, **fields):
    """Post the report form from `via` (a new browser unless given) at address `ip`."""
    data = {"kind": "spam"} | fields
    return (via or Client()).post(url_of(comment), data, REMOTE_ADDR=ip)


def illegal(**fields):
    return {
        "kind": "illegal",
        "explanation": "It reveals a private address, which the law forbids.",
        "reporter_email": REPORTER_EMAIL,
        "good_faith": "on",
    } | fields


# ---- the link and the form


def test_every_approved_comment_has_a_report_link_in_the_shared_page(client, article, comment):
    html = page(client.get(article.get_absolute_url()))
    links = html.findall(".//a[@class='comment-report-link']")
    approved = Comment.objects.for_article(article).approved().count()
    assert len(links) == approved
    assert url_of(comment) in [link.get("href") for link in links]


def test_own_pending_comment_has_no_report_link(client, article, post_comment):
    response = post_comment(article)
    own = Comment.objects.latest("pk")
    html = page(client.get(response["Location"]))
    assert html.find(f".//li[@id='comment-{own.pk}']//a[@class='comment-report-link']") is None


def test_report_link_adds_no_query_to_the_reader_page(client, article, comment, django_assert_num_queries):
    Client().get(article.get_absolute_url())  # another reader warms the cache
    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url())
    assert b"comment-report-link" in response.content


def test_report_form_shows_the_reasons_and_the_dsa_fields(client, comment):
    response = client.get(url_of(comment))
    assert response.status_code == 200
    html = page(response)
    kinds = [radio.get("value") for radio in html.findall(".//input[@name='kind']")]
    assert kinds == ["spam", "abusive", "off_topic", "personal", "illegal"]
    for name in ("explanation", "reporter_email", "good_faith", "csrfmiddlewaretoken"):
        assert html.find(f".//*[@name='{name}']") is not None
    assert "private" in response["Cache-Control"]


def test_report_form_is_csrf_protected(comment):
    response = Client(enforce_csrf_checks=True).post(url_of(comment), {"kind": "spam"})
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_report_is_stored_and_the_reader_thanked(comment):
    reader = Client()
    response = report(comment, via=reader, kind="abusive")
    assert response.status_code == 302 and response["Location"] == url_of(comment)
    stored = Report.objects.get()
    assert (stored.comment, stored.kind, stored.outcome) == (comment, "abusive", "open")
    assert "Thank you for your report" in text_of(page(reader.get(url_of(comment))).find(".//main"))


def test_missing_reason_is_a_field_error(comment):
    response = report(comment, kind="")
    assert response.status_code == 200
    assert response.context["form"].has_error("kind", "required")
    assert "Please choose what is wrong" in response.content.decode()
    assert not Report.objects.exists()


def test_illegal_content_needs_an_explanation_and_good_faith_and_keeps_the_input(comment):
    response = report(comment, **illegal(explanation="  ", good_faith=""))
    form = response.context["form"]
    assert response.status_code == 200
    assert form.has_error("explanation", "explanation_required")
    assert form.has_error("good_faith", "good_faith_required")
    html = page(response)
    assert html.find(".//input[@name='reporter_email']").get("value") == REPORTER_EMAIL
    assert html.find(".//input[@value='illegal']").get("checked") is not None
    assert "Your report could not be sent" in response.content.decode()
    assert not Report.objects.exists()


def test_invalid_email_is_a_field_error(comment):
    response = report(comment, **illegal(reporter_email="not an address"))
    assert response.context["form"].has_error("reporter_email", "invalid")
    assert "Why it is illegal" in response.content.decode()


def test_other_reasons_keep_no_email_nor_explanation(comment):
    report(comment, kind="spam", explanation="whatever", reporter_email=REPORTER_EMAIL)
    stored = Report.objects.get()
    assert (stored.explanation, stored.reporter_email) == ("", "")


@pytest.mark.parametrize("data", [{"kind": "nonsense"}, {"kind": ["spam", "illegal"]}, {"explanation": "x" * 5000}])
def test_odd_input_is_never_a_500(comment, data):
    response = report(comment, **data)
    assert response.status_code == 200
    assert not Report.objects.exists()


def test_only_published_comments_can_be_reported(client, article, make_comment):
    pending = make_comment(article, status="pending")
    assert client.get(url_of(pending)).status_code == 404
    assert report(pending).status_code == 404
    assert client.get(reverse("comments:report", args=[999999])).status_code == 404


# ---- one report per reader, limits, no address stored


def test_a_browser_cannot_report_the_same_comment_twice(comment):
    reader = Client()
    report(comment, via=reader)
    again = report(comment, via=reader, ip="192.0.2.50")  # even from another network
    assert again.status_code == 200 and "Thank you" in again.content.decode()
    assert Report.objects.count() == 1


def test_a_forged_reported_cookie_is_ignored(comment):
    reader = Client()
    reader.cookies["comment_reported"] = str(comment.pk)
    assert report(comment, via=reader).status_code == 302
    assert Report.objects.count() == 1


def test_the_same_network_without_the_cookie_counts_once(comment):
    report(comment)
    report(comment)  # a new browser, the same address
    assert Report.objects.count() == 1


def test_reports_are_limited_per_client(settings, article, make_comment, comment):
    settings.COMMENTS_REPORT_CLIENT_SECONDS = 60
    other = make_comment(article)
    assert report(comment).status_code == 302
    refused = report(other)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "please send it again" in refused.content.decode()
    assert page(refused).find(".//input[@value='spam']").get("checked") is not None  # the input is kept
    assert report(other, ip="192.0.2.50").status_code == 302  # another client is not limited


def test_reports_are_limited_per_comment(settings, article, make_comment, comment):
    settings.COMMENTS_REPORT_COMMENT_SECONDS = 60
    assert report(comment).status_code == 302
    assert report(comment, ip="192.0.2.50").status_code == 429
    assert report(make_comment(article), ip="192.0.2.50").status_code == 302  # another comment is not


def test_a_refused_report_uses_up_no_limit(settings, article, make_comment, comment):
    settings.COMMENTS_REPORT_COMMENT_SECONDS = 60
    report(comment)
    assert report(comment, ip="192.0.2.50").status_code == 429
    settings.COMMENTS_REPORT_CLIENT_SECONDS = 60
    assert report(make_comment(article), ip="192.0.2.50").status_code == 302


def test_reports_store_a_keyed_hash_of_the_network_never_the_address(comment):
    report(comment, ip=REPORTER_IP)
    stored = Report.objects.get()
    assert stored.reporter_key == reports.reporter_key(REPORTER_IP)
    assert re.fullmatch(r"[0-9a-f]{64}", stored.reporter_key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM comments_report")
        row = " ".join(map(str, cursor.fetchone()))
    assert REPORTER_IP not in row and "203.0.113" not in row


def test_reporter_key_is_keyed_and_counts_an_ipv6_48_as_one(settings):
    key = reports.reporter_key("2001:db8:1:2::1")
    assert key == reports.reporter_key("2001:db8:1:3:ffff::9")  # the same /48: one home's many /64s
    assert key != reports.reporter_key("2001:db8:2:2::1")
    settings.SECRET_KEY = "another-secret-key-for-this-test-0123456789abcdefghijklmnop"
    assert reports.reporter_key("2001:db8:1:2::1") != key  # not a plain hash anyone could recompute


# ---- the threshold


def test_distinct_readers_at_the_threshold_unpublish_the_comment(settings, article, comment, moderator, committed):
    settings.COMMENTS_REPORTS_TO_HIDE = 3
    report(comment, ip="192.0.2.1")
    report(comment, ip="192.0.2.2")
    comment.refresh_from_db()
    assert comment.is_approved
    with committed():
        report(comment, ip="192.0.2.3")
    comment.refresh_from_db()
    assert comment.status == "pending"
    assert comment.held_for == Reason.REPORTED
    assert comment.reasons[0] == {"code": "reported", "readers": 3}
    event = ModerationEvent.objects.filter(comment_id=comment.pk).first()
    assert (event.to_status, event.rule, event.user) == ("pending", "reported", None)
    assert f"comment-{comment.pk}" not in Client().get(article.get_absolute_url()).content.decode()
    assert [m.to for m in mail.outbox] == [[moderator.email]]  # the moderators hear of it as of any held comment
    assert Report.objects.open().count() == 3  # still waiting for a moderator


def test_reports_from_one_reader_never_reach_the_threshold(settings, comment):
    settings.COMMENTS_REPORTS_TO_HIDE = 2
    for _ in range(3):
        report(comment, ip="192.0.2.1")
    comment.refresh_from_db()
    assert comment.is_approved


# ---- the Reported view


def test_reported_view_lists_reported_comments_newest_report_first(moderator_client, article, make_comment):
    first, second = make_comment(article), make_comment(article)
    make_comment(article)  # never reported
    report(first, ip="192.0.2.1", kind="spam")
    report(second, ip="192.0.2.2", kind="abusive")
    report(first, ip="192.0.2.3", **illegal())
    response = moderator_client.get(REPORTED)
    assert response.status_code == 200
    rows = page(response).findall(".//table[@id='result_list']/tbody/tr")
    assert [int(row.find(".//*[@data-comment-id]").get("data-comment-id")) for row in rows] == [first.pk, second.pk]
    cells = text_of(rows[0])
    assert "2 reports" in cells and "Spam ×1" in cells and "Illegal content ×1" in cells
    assert "reveals a private address" in cells and "asked for the outcome" in cells
    assert REPORTER_EMAIL not in response.content.decode()
    assert REPORTER_IP not in response.content.decode()


def test_reported_view_is_for_moderators_only(client, admin_user, django_user_model, comment):
    report(comment)
    staff = django_user_model.objects.create_user("staff", "staff@example.com", "pw", is_staff=True)
    client.force_login(staff)
    assert client.get(REPORTED).status_code == 403


def test_reported_view_queries_do_not_grow_with_rows(moderator_client, article, make_comment):
    for n in range(3):
        report(make_comment(article), ip=f"192.0.2.{n}")
    with CaptureQueriesContext(connection) as few:
        moderator_client.get(REPORTED)
    for n in range(10):
        report(
            make_comment(article),
            ip=f"192.0.3.{n}",
            kind="illegal",
            **{k: v for k, v in illegal().items() if k != "kind"},
        )
    with CaptureQueriesContext(connection) as many:
        moderator_client.get(REPORTED)
    assert len(many) == len(few)


def _act(client, name, comments, **extra):
    data = {"action": name, "_selected_action": [c.pk for c in comments], "index": 0} | extra
    return client.post(REPORTED, data, follow=True)


def test_dismiss_keeps_the_comment_and_ignores_later_reports_of_the_same_text(moderator_client, comment, moderator):
    report(comment, ip="192.0.2.1")
    response = _act(moderator_client, "dismiss_reports", [comment])
    assert "Reports dismissed: 1 comment kept." in response.content.decode()
    comment.refresh_from_db()
    assert comment.is_approved
    assert Report.objects.get().outcome == "kept" and Report.objects.get().decided_by == moderator
    report(comment, ip="192.0.2.2")
    assert not Report.objects.open().exists()  # ignored: stored as already decided
    assert comment.pk not in [c.pk for c in moderator_client.get(REPORTED).context["cl"].result_list]


def test_a_changed_comment_can_be_reported_again_after_a_dismissal(moderator_client, comment):
    report(comment, ip="192.0.2.1")
    _act(moderator_client, "dismiss_reports", [comment])
    comment.body = "Edited: now it says something else."
    comment.save()
    report(comment, ip="192.0.2.2")
    assert Report.objects.open().count() == 1


def test_dismissing_a_hidden_comment_publishes_it_again(settings, moderator_client, comment):
    settings.COMMENTS_REPORTS_TO_HIDE = 1
    report(comment)
    comment.refresh_from_db()
    assert comment.status == "pending"
    _act(moderator_client, "dismiss_reports", [comment])
    comment.refresh_from_db()
    assert comment.is_approved
    event = ModerationEvent.objects.filter(comment_id=comment.pk).first()
    assert (event.from_status, event.to_status) == ("pending", "approved")
    assert not Report.objects.open().exists()


@pytest.mark.parametrize(
    ("action", "status", "outcome"),
    [("unapprove", "pending", "hidden"), ("mark_spam", "spam", "removed"), ("trash", "trash", "removed")],
)
def test_acting_on_a_reported_comment_records_it_and_closes_the_reports(
    moderator_client, moderator, comment, action, status, outcome
):
    report(comment)
    _act(moderator_client, action, [comment], reason="illegal")
    comment.refresh_from_db()
    assert comment.status == status
    event = ModerationEvent.objects.filter(comment_id=comment.pk).first()
    assert (event.to_status, event.user) == (status, moderator)
    assert Report.objects.get().outcome == outcome
    assert not moderator_client.get(REPORTED).context["cl"].result_list


def test_approving_a_hidden_comment_from_the_queue_closes_its_reports(settings, moderator, comment):
    settings.COMMENTS_REPORTS_TO_HIDE = 1
    report(comment)
    transitions.approve(Comment.objects.filter(pk=comment.pk), moderator)
    assert Report.objects.get().outcome == "kept"


# ---- the outcome email (DSA statement of reasons) and privacy both ways


def test_illegal_content_reporter_gets_one_email_with_the_decision_and_reason(moderator_client, comment, committed):
    report(comment, **illegal())
    report(comment, ip="192.0.2.2", kind="spam")  # no email asked for
    assert mail.outbox == []  # nothing until a decision
    with committed():
        _act(moderator_client, "trash", [comment], reason="illegal", note="Carla again, see her other comments")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [REPORTER_EMAIL]
    assert "the comment has been removed" in message.body
    assert "Reason: Illegal content." in message.body
    assert f"comment #{comment.pk}" in message.body and "Article 17" in message.body
    for secret in [*COMMENTER.values(), comment.body, "Carla again"]:
        assert secret not in message.body and secret not in message.subject
    # Another decision later sends nothing more.
    transitions.restore(Comment.objects.filter(pk=comment.pk))
    with committed():
        transitions.approve(Comment.objects.filter(pk=comment.pk))
    assert len(mail.outbox) == 1


def test_a_dismissal_tells_the_reporter_the_comment_stays(moderator_client, comment, committed):
    report(comment, **illegal())
    with committed():
        _act(moderator_client, "dismiss_reports", [comment])
    assert len(mail.outbox) == 1
    assert "the comment stays published" in mail.outbox[0].body


def test_a_report_ignored_after_a_dismissal_is_answered_with_the_earlier_decision(moderator_client, comment, committed):
    report(comment, ip="192.0.2.1")
    _act(moderator_client, "dismiss_reports", [comment])
    with committed():
        report(comment, ip="192.0.2.2", **illegal())
    assert len(mail.outbox) == 1 and "the comment stays published" in mail.outbox[0].body


def test_the_outcome_email_is_sent_once_even_when_the_task_runs_twice(moderator_client, comment, committed):
    from comments.notifications import send_report_outcome_email

    report(comment, **illegal())
    with committed():
        _act(moderator_client, "dismiss_reports", [comment])
    send_report_outcome_email.call(Report.objects.get().pk)
    assert len(mail.outbox) == 1


def test_a_failed_outcome_email_can_be_sent_again(monkeypatch, moderator_client, comment, committed):
    from comments import notifications

    report(comment, **illegal())
    monkeypatch.setattr(notifications.EmailMessage, "send", lambda self: (_ for _ in ()).throw(OSError("down")))
    with committed():
        _act(moderator_client, "dismiss_reports", [comment])
    assert Report.objects.get().notified_at is None
    monkeypatch.undo()
    notifications.send_report_outcome_email.call(Report.objects.get().pk, 2)
    assert len(mail.outbox) == 1


def test_nothing_about_a_reporter_reaches_the_commenter_or_other_readers(
    settings, client, article, post_comment, moderator_client, committed
):
    settings.COMMENTS_FLOOD_SECONDS = 0
    post_comment(article, via=client, notify_replies="on", **{k: v for k, v in COMMENTER.items() if k != "ip_address"})
    commented = Comment.objects.latest("pk")
    transitions.approve(Comment.objects.filter(pk=commented.pk))
    with committed():
        report(commented, **illegal())
        _act(moderator_client, "unapprove", [commented])
    secrets = (REPORTER_EMAIL, "reveals a private address", REPORTER_IP, reports.reporter_key(REPORTER_IP))
    # The commenter's own browser (it still sees its comment, now held), any reader, the feed.
    for response in (client.get(article.get_absolute_url()), Client().get(reverse("comments:feed"))):
        assert not any(secret in response.content.decode() for secret in secrets)
    # The only email is the reporter's; the commenter gets none about the report.
    assert [m.to for m in mail.outbox] == [[REPORTER_EMAIL]]


def test_nothing_about_the_commenter_reaches_the_reporter(moderator_client, comment, committed):
    reader = Client()
    form = reader.get(url_of(comment)).content.decode()
    report(comment, via=reader, **illegal())
    thanks = reader.get(url_of(comment)).content.decode()
    with committed():
        _act(
            moderator_client, "mark_spam", [comment], reason="illegal", note=f"{COMMENTER['author_email']} is a repeat"
        )
    email = mail.outbox[0].subject + mail.outbox[0].body
    for secret in (COMMENTER["author_email"], COMMENTER["ip_address"]):
        assert secret not in form and secret not in thanks and secret not in email
    assert COMMENTER["author_name"] not in thanks and COMMENTER["author_name"] not in email


def test_the_reporters_email_is_forgotten_once_they_are_told(moderator_client, comment, committed):
    report(comment, **illegal())
    assert Report.objects.get().reporter_email == REPORTER_EMAIL
    with committed():
        _act(moderator_client, "dismiss_reports", [comment])
    assert len(mail.outbox) == 1
    assert Report.objects.get().reporter_email == ""


def test_erasing_an_address_forgets_it_in_open_reports(comment, committed):
    from comments import privacy

    report(comment, **illegal(reporter_email="Rita.Reporter@Example.org"))
    privacy.erase_personal_data([REPORTER_EMAIL])
    stored = Report.objects.get()
    assert stored.reporter_email == "" and stored.explanation  # the notice itself stays for the moderators


def test_a_comments_page_in_the_admin_lists_its_reports_without_the_reporters(moderator_client, comment):
    report(comment, ip="192.0.2.1", kind="off_topic")
    _act(moderator_client, "dismiss_reports", [comment])
    report(comment, ip="192.0.2.2", **illegal(explanation="It is <b>defamatory</b>."))
    comment.body = "Changed text."
    comment.save()
    report(comment, ip="192.0.2.3", kind="abusive")
    response = moderator_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    rows = [text_of(row) for row in page(response).findall(".//fieldset//table[@class='queue-history']/tbody/tr")]
    reports_rows = [row for row in rows if "Waiting for a moderator" in row or "Kept" in row]
    assert len(reports_rows) == 3
    assert "Abusive or harassing" in reports_rows[0] and "Waiting for a moderator" in reports_rows[0]
    assert "It is <b>defamatory</b>." in reports_rows[1]  # the reporter's words, as text
    assert "Off-topic" in reports_rows[2] and "mod" in reports_rows[2]
    html = response.content.decode()
    assert REPORTER_EMAIL not in html and "192.0.2.2" not in html


def test_a_comment_never_reported_says_so(moderator_client, comment):
    response = moderator_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assert "No reader has reported this comment." in response.content.decode()
