"""The reader's and the moderator's journeys in a real Chromium (issue 6)."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from comments import transitions
from comments.models import Comment
from tests.helpers import ARTICLE_URL as ARTICLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = os.environ.get("SKINSITE_SCREENSHOTS")


def screenshot(page, name, part=None):
    """Write a screenshot for the README (of the whole window, or of one part) when `make screenshots` asks."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        (page.locator(part) if part else page).screenshot(path=f"{SCREENSHOTS}/{name}.png")


def fill_comment(page, body="A reader's thoughtful comment.", name="Rita Reader", email="rita@example.com", url=""):
    page.fill("#id_body", body)
    page.fill("#id_author_name", name)
    page.fill("#id_author_email", email)
    if url:
        page.fill("#id_author_url", url)


def post_form(page, submit=None):
    """Submit the comment form and wait until the answer (the redirect's target, or the errors) has loaded."""
    with page.expect_navigation():
        if submit:
            submit()
        else:
            page.click("text=Post Comment")


def serious_violations(page):
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    for violation in serious:  # say where, when it fails
        print(
            violation["id"], [node["html"] for node in violation["nodes"]], violation["nodes"][0].get("failureSummary")
        )
    return [violation["id"] for violation in serious]


def test_journey1_empty_form_is_stopped_then_explained(new_reader, watch):
    page = new_reader()
    page.goto("/")
    expect(page).to_have_url(re.compile(ARTICLE))
    expect(page.locator("h1")).to_have_text("Can Facial Exercises Improve Your Skin?")
    expect(page.locator(".comment-list > li")).to_have_count(3)
    screenshot(page, "article")

    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    page.click("text=Post Comment")
    assert page.eval_on_selector("#id_body", "el => el.validity.valueMissing")
    assert posts == []  # the browser's own validation stopped it

    page.fill("#id_author_url", "example.org")
    page.eval_on_selector("#commentform", "form => { form.noValidate = true; }")
    page.fill("#id_author_name", "Kept Name")
    post_form(page)
    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please type your comment.")
    expect(summary).to_contain_text("Please enter your email address.")
    expect(page.locator("#div_id_body .invalid-feedback")).to_have_text("Please type your comment.")
    expect(page.locator("#div_id_author_email .invalid-feedback")).to_have_text("Please enter your email address.")
    expect(page.locator("#id_author_name")).to_have_value("Kept Name")
    expect(page.locator("#id_author_url")).to_have_value("example.org")  # as typed
    assert serious_violations(page) == []
    screenshot(page, "form-errors", "#respond")
    watch.check(page)
    assert Comment.objects.count() == 3


def test_journey2_post_pending_remembered_with_consent(new_reader, watch):
    page = new_reader()
    page.goto(ARTICLE)
    fill_comment(page, body="Sunscreen changed my skin.", url="https://rita.example")
    page.check("#id_remember")
    post_form(page)
    comment = Comment.objects.get(body="Sunscreen changed my skin.")
    expect(page).to_have_url(re.compile(rf"#comment-{comment.pk}$"))
    own = page.locator(f"#comment-{comment.pk}")
    expect(own).to_contain_text("Your comment is awaiting moderation.")
    expect(own).to_be_in_viewport()
    screenshot(page, "pending-notice", f"#comment-{comment.pk}")
    watch.check(page)

    stranger = new_reader()
    stranger.goto(ARTICLE)
    expect(stranger.locator("body")).not_to_contain_text("Sunscreen changed my skin.")

    page.reload()
    expect(page.locator("#id_author_name")).to_have_value("Rita Reader")
    expect(page.locator("#id_author_email")).to_have_value("rita@example.com")
    expect(page.locator("#id_author_url")).to_have_value("https://rita.example")

    forgetful = new_reader()
    forgetful.goto(ARTICLE)
    fill_comment(forgetful, body="Please do not remember me.", name="Nora", email="nora@example.com")
    post_form(forgetful)
    forgetful.reload()
    expect(forgetful.locator("#id_author_name")).to_have_value("")
    expect(forgetful.locator("#id_author_email")).to_have_value("")
    watch.check(forgetful)


def test_journey3_reply_moves_the_form_and_cancel_restores_it(new_reader, watch):
    page = new_reader()
    page.goto(ARTICLE)
    third = Comment.objects.get(author_name="ann barbor")
    page.click(f"#comment-{third.pk} >> text=Reply")
    respond = page.locator(f"#comment-{third.pk} #respond")
    expect(respond).to_be_visible()
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply to ann barbor")
    expect(page.locator("#cancel-comment-reply-link")).to_be_visible()
    expect(page.locator("#id_body")).to_be_focused()

    page.click("#cancel-comment-reply-link")
    expect(page.locator(f"#comment-{third.pk} #respond")).to_have_count(0)
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply")
    expect(page.locator("#cancel-comment-reply-link")).to_be_hidden()
    assert page.locator("#id_parent").input_value() == ""

    page.click(f"#comment-{third.pk} >> text=Reply")
    fill_comment(page, body="Replying to ann.")
    post_form(page)
    reply = Comment.objects.get(body="Replying to ann.")
    assert reply.parent == third
    expect(page.locator(f"#comment-{third.pk} .children #comment-{reply.pk}")).to_contain_text("Replying to ann.")
    watch.check(page)


def logged_in_moderator(new_reader, name):
    """A new browser, logged in to the admin as a new member of the moderators group."""
    user = User.objects.create_user(name, f"{name}@example.com", f"{name}-password", is_staff=True)
    user.groups.add(Group.objects.get(name=settings.COMMENTS_MODERATORS_GROUP))
    page = new_reader()
    page.goto("/admin/")
    page.fill("#id_username", name)
    page.fill("#id_password", f"{name}-password")
    with page.expect_navigation():
        page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("skinsite moderation")
    return page


@pytest.fixture
def moderator_page(new_reader, live_server):
    return logged_in_moderator(new_reader, "maria")


def run_admin_action(page, comment, action, message):
    """Tick one comment in the queue, run an action on it, and check what the admin reports."""
    page.check(f"input[name=_selected_action][value='{comment.pk}']")
    page.select_option("select[name=action]", action)
    with page.expect_navigation():
        page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text(message)


def test_journey4_moderator_approves_and_marks_spam(new_reader, moderator_page, watch):
    reader = new_reader()
    reader.goto(ARTICLE)
    fill_comment(reader, body="Please approve me.")
    post_form(reader)
    reader2 = new_reader()
    reader2.goto(ARTICLE)
    fill_comment(reader2, body="Buy cheap pills.", name="Spammer", email="spam@example.com")
    post_form(reader2)

    page = moderator_page
    page.click("a[href='/admin/comments/comment/']")
    expect(page.locator("#changelist-filter")).to_contain_text("Pending (2)")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    assert serious_violations(page) == []
    screenshot(page, "admin-queue")
    good = Comment.objects.get(body="Please approve me.")
    run_admin_action(page, good, "approve", "1 comment approved.")

    fresh = new_reader()
    fresh.goto(ARTICLE)
    expect(fresh.locator(f"#comment-{good.pk}")).to_contain_text("Please approve me.")
    expect(fresh.locator(".comments-title")).to_contain_text("4 thoughts on")

    run_admin_action(page, Comment.objects.get(body="Buy cheap pills."), "mark_spam", "1 comment marked as spam.")
    fresh.reload()
    expect(fresh.locator("body")).not_to_contain_text("Buy cheap pills.")
    watch.check(page)
    watch.check(fresh)


def test_journey5_hostile_comment_executes_nothing(new_reader, moderator_page, article, watch):
    payload = (
        '<img src=x onerror="window.__xss=1"> <a href="javascript:window.__xss=2">click me</a> '
        "<script>window.__xss=3</script> <svg onload=window.__xss=4> <b onmouseover=window.__xss=5>hover</b>"
    )
    comment = Comment.objects.create(
        article=article, author_name="<i>Mallory</i>", author_email="m@example.com", body=payload
    )
    transitions.record_new(comment)  # counted as a posted comment is
    transitions.approve(Comment.objects.filter(pk=comment.pk))

    reader = new_reader()
    reader.goto(ARTICLE)
    body = reader.locator(f"#comment-{comment.pk} .comment-content")
    expect(body).to_contain_text("click me")
    body.locator("text=click me").click()
    body.locator("text=hover").hover()
    assert reader.evaluate("window.__xss") is None
    expect(reader.locator(f"#comment-{comment.pk} .fn")).to_have_text("<i>Mallory</i>")
    watch.check(reader)

    moderator_page.goto("/admin/comments/comment/?status=all")
    moderator_page.locator("text=hover").first.hover()
    assert moderator_page.evaluate("window.__xss") is None
    moderator_page.goto(f"/admin/comments/comment/{comment.pk}/change/")
    assert moderator_page.evaluate("window.__xss") is None
    watch.check(moderator_page)


def test_journey7_accessible_and_usable_with_the_keyboard(new_reader, watch):
    page = new_reader()
    page.goto(ARTICLE)
    assert serious_violations(page) == []

    page.focus("#id_body")
    page.keyboard.type("Typed with the keyboard alone.")
    for field, text in [("#id_author_name", "Kim Keys"), ("#id_author_email", "kim@example.com")]:
        page.keyboard.press("Tab")
        expect(page.locator(field)).to_be_focused()
        page.keyboard.type(text)
    page.keyboard.press("Tab")
    expect(page.locator("#id_author_url")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_remember")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.locator("#id_notify_replies")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("input[type=submit]")).to_be_focused()  # the honeypot is skipped
    post_form(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator(".comment-awaiting-moderation")).to_be_visible()
    assert Comment.objects.filter(body="Typed with the keyboard alone.", author_name="Kim Keys").exists()
    watch.check(page)


@pytest.mark.parametrize("width", [375, 1280])
def test_journey8_no_horizontal_scroll(new_reader, watch, article, width):
    long_word = "Supercalifragilistic" * 8
    wide = Comment.objects.create(
        article=article,
        author_name="Wide",
        author_email="w@example.com",
        body=f"{long_word} https://example.com/{long_word}",
    )
    transitions.record_new(wide)  # counted as a posted comment is
    transitions.approve(Comment.objects.filter(author_name="Wide"))
    page = new_reader(viewport={"width": width, "height": 900})
    page.goto(ARTICLE)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(ARTICLE + "?replytocom=1")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    watch.check(page)


def test_journey6_the_watch_catches_csp_violations_and_console_errors(new_reader, watch):
    page = new_reader()
    page.goto(ARTICLE)
    inline_script = "const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
    page.evaluate(f"() => {{ {inline_script} document.body.append(s); }}")
    page.evaluate("() => console.error('boom')")
    assert page.evaluate("window.__ran") is None  # the CSP blocked the inline script
    with pytest.raises(AssertionError):
        watch.check(page)
