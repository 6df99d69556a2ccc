"""Readers report a comment, moderators see it in the Reported view and decide, in a real Chromium (issue 15)."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment, Report
from tests.e2e.test_journeys import logged_in_moderator, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REPORTED = "/admin/comments/reportedcomment/"


@pytest.fixture(autouse=True)
def _readers_on_their_own_networks(settings):
    # Every reader of these tests comes through one proxy with an address of their own.
    settings.COMMENTS_TRUSTED_PROXY_COUNT = 1
    settings.COMMENTS_REPORT_COMMENT_SECONDS = 0
    settings.COMMENTS_REPORTS_TO_HIDE = 3


def reader_at(new_reader, n, **options):
    """A new visitor from 192.0.2.n, without JavaScript unless told otherwise."""
    options.setdefault("java_script_enabled", False)
    return new_reader(extra_http_headers={"X-Forwarded-For": f"192.0.2.{n}"}, **options)


def open_report_form(page, comment):
    page.goto(comment.article.get_absolute_url())
    with page.expect_navigation():
        page.click(f"#comment-{comment.pk} .comment-report-link")
    expect(page.locator("h1")).to_have_text("Report a comment")


def send_report(page, kind="Spam"):
    page.get_by_label(kind, exact=True).check()
    with page.expect_navigation():
        page.click("text=Send report")


def test_report_dismiss_report_again_then_hide_at_the_threshold(new_reader, live_server, article, make_comment, watch):
    kept = make_comment(article, body="An opinion some readers dislike.")
    hidden = make_comment(article, body="Buy followers at example.net.")

    # A reader without JavaScript reports illegal content: first without what a notice needs, then with it.
    reader = reader_at(new_reader, 1)
    open_report_form(reader, kept)
    reader.get_by_label("Illegal content", exact=True).check()
    reader.fill("#id_reporter_email", "rita@example.org")
    with reader.expect_navigation():
        reader.click("text=Send report")
    expect(reader.locator("#form-errors")).to_contain_text("Please explain why the comment is illegal.")
    expect(reader.locator("#form-errors")).to_contain_text("Please tick this box to send a report of illegal content.")
    expect(reader.locator("#id_reporter_email")).to_have_value("rita@example.org")
    expect(reader.get_by_label("Illegal content", exact=True)).to_be_checked()
    reader.fill("#id_explanation", "It names a private person's home address.")
    reader.check("#id_good_faith")
    with reader.expect_navigation():
        reader.click("text=Send report")
    expect(reader.locator("h1")).to_have_text("Thank you for your report")
    watch.check()

    # The moderator sees it in the Reported view, and dismisses it: the comment stays.
    moderator = logged_in_moderator(new_reader, "maria")
    moderator.goto(REPORTED)
    rows = moderator.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("1 report")
    expect(rows.first).to_contain_text("Illegal content ×1")
    expect(rows.first).to_contain_text("It names a private person's home address.")
    expect(rows.first).not_to_contain_text("rita@example.org")
    assert serious_violations(moderator) == []
    moderator.check(f"input[name=_selected_action][value='{kept.pk}']")
    moderator.select_option("select[name=action]", "dismiss_reports")
    with moderator.expect_navigation():
        moderator.click("button[name=index]")
    expect(moderator.locator(".messagelist")).to_contain_text("Reports dismissed: 1 comment kept.")
    expect(moderator.locator("#result_list")).to_have_count(0)

    # Another reader reports the same comment: ignored, as it has not changed.
    other = reader_at(new_reader, 2)
    open_report_form(other, kept)
    send_report(other, "Abusive or harassing")
    expect(other.locator("h1")).to_have_text("Thank you for your report")
    moderator.reload()
    expect(moderator.locator("#result_list")).to_have_count(0)
    assert Report.objects.filter(comment=kept).count() == 2 and not Report.objects.open().exists()

    # Three readers on three networks report another comment: it leaves the page and waits in the queue.
    for n in (3, 4, 5):
        page = reader_at(new_reader, n, java_script_enabled=(n == 3))
        open_report_form(page, hidden)
        if n == 3:
            assert serious_violations(page) == []
        send_report(page)
        expect(page.locator("h1")).to_have_text("Thank you for your report")
    fresh = new_reader()
    fresh.goto(article.get_absolute_url())
    expect(fresh.locator(f"#comment-{kept.pk}")).to_be_visible()
    expect(fresh.locator(f"#comment-{hidden.pk}")).to_have_count(0)
    assert Comment.objects.get(pk=hidden.pk).status == "pending"

    moderator.reload()
    rows = moderator.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("3 reports")
    expect(rows.first).to_contain_text("Pending")
    moderator.goto("/admin/comments/comment/")
    expect(moderator.locator(f"#result_list tr:has([data-comment-id='{hidden.pk}'])")).to_contain_text(
        "reported by readers"
    )
    watch.check(fresh)
    watch.check(moderator)
