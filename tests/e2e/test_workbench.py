"""The moderation workbench in Chromium (issue 14): five decisions and an undo with the keyboard alone."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from comments import transitions
from comments.models import Comment, ModerationEvent
from tests.e2e.test_journeys import logged_in_moderator, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def queue(new_reader, article):
    """Five pending comments and a moderator on the queue."""
    reasons = [
        {"code": "first_comment"},
        {"code": "links", "count": 3, "max": 2},
        {"code": "moderation_word", "entry": "botox"},
        {"code": "first_comment"},
        {"code": "held"},
    ]
    for n, reason in enumerate(reasons):
        comment = Comment.objects.create(
            article=article,
            author_name=f"Writer {n}",
            author_email=f"w{n}@example.org",
            body=f"Comment number {n}.",
            held_for=reason["code"],
            reasons=[reason],
        )
        transitions.record_new(comment)
    page = logged_in_moderator(new_reader, "kim")
    page.goto("/admin/comments/comment/")
    expect(page.locator("#result_list tbody tr")).to_have_count(5)
    return page


def _status(body):
    return Comment.objects.get(body=body).status


def test_five_decisions_and_an_undo_with_the_keyboard_alone(queue, watch):
    page = queue
    announcer = page.locator("#queue-announce")
    rows = [f"Comment number {n}." for n in range(4, -1, -1)]  # newest first
    started = time.perf_counter()
    page.keyboard.press("j")
    expect(page.locator("tr.queue-focus")).to_contain_text(rows[0])
    decisions = [("a", "approved"), ("s", "spam"), ("t", "trash"), ("a", "approved"), ("t", "trash")]
    for row, (key, expected) in enumerate(decisions):
        page.keyboard.press(key)
        status = page.locator("#result_list tbody tr").nth(row).locator(".queue-status")
        expect(status).to_have_attribute("data-status", expected)
        expect(announcer).to_contain_text("Press z to undo.")
        announcer.evaluate("node => node.textContent = ''")
    elapsed = (time.perf_counter() - started) / 5
    print(f"\nkey to decision, in the browser: {elapsed * 1000:.0f} ms on average")
    assert [_status(body) for body in rows] == ["approved", "spam", "trash", "approved", "trash"]
    expect(page.locator("#changelist-filter")).to_contain_text("Trash (2)")
    screenshot(page, "admin-queue-keyboard")

    page.keyboard.press("z")  # undo the last decision
    expect(announcer).to_contain_text("Undone")
    expect(page.locator("#result_list tbody tr").nth(4).locator(".queue-status")).to_have_attribute(
        "data-status", "pending"
    )
    assert _status(rows[4]) == "pending"
    assert ModerationEvent.objects.exclude(undoes=None).count() == 1

    watch.check(page)
    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    assert serious == []


def test_keys_never_fire_while_typing_in_the_search(queue):
    page = queue
    page.keyboard.press("/")
    expect(page.locator("#searchbar")).to_be_focused()
    page.keyboard.type("as")
    assert Comment.objects.filter(status="pending").count() == 5
    expect(page.locator("#searchbar")).to_have_value("as")


def test_the_change_page_shows_reasons_and_history(queue, article):
    page = queue
    comment = Comment.objects.get(body="Comment number 0.")
    transitions.mark_spam(Comment.objects.filter(pk=comment.pk), reason="advertising", note="a shop link")
    page.goto(f"/admin/comments/comment/{comment.pk}/change/")
    expect(page.locator("table.queue-history")).to_contain_text("Advertising")
    expect(page.locator("table.queue-history")).to_contain_text("a shop link")
    screenshot(page, "admin-comment-history", part=".field-history")


def test_reply_as_the_site_from_the_keyboard(queue):
    page = queue
    page.keyboard.press("j")
    page.keyboard.press("r")
    reply = page.locator(".queue-reply textarea")
    expect(reply).to_be_focused()
    reply.fill("Thank you: a moderator's answer.")
    page.locator(".queue-reply button[type=submit]").click()
    expect(page.locator("#queue-announce")).to_contain_text("Reply published.")
    newest = Comment.objects.get(body="Thank you: a moderator's answer.")
    assert (newest.status, newest.parent.body) == ("approved", "Comment number 4.")
