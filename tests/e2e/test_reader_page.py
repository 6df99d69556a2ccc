"""The reader's page in Chromium (issue 18): axe at every level in both colour schemes, target
sizes and focus, the dark-mode toggle, the page's weight, and the README's screenshots."""

import gzip

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from comments.models import Comment
from tests.e2e.test_journeys import fill_comment, post_form, screenshot
from tests.helpers import ARTICLE_URL as ARTICLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCHEMES = ["light", "dark"]
# axe's default rules (every WCAG 2.0 to 2.2 A/AA rule and the best practices) plus WCAG 2.2's
# target size, which axe leaves off by default; every violation counts, whatever its impact.
AXE_OPTIONS = {"rules": {"target-size": {"enabled": True}}, "resultTypes": ["violations"]}
BUDGET = 60 * 1024  # bytes: the article page's first load, compressed as production serves it
COMPRESSIBLE = ("text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml")


def violations(page):
    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    for violation in found:  # say where, when it fails
        print(violation["id"], violation["impact"], [node["html"] for node in violation["nodes"]])
    return [violation["id"] for violation in found]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_nothing_on_the_article_errors_and_reply_form(new_reader, watch, scheme):
    for width in (1280, 375):
        page = new_reader(color_scheme=scheme, viewport={"width": width, "height": 900})
        page.goto(ARTICLE)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        assert violations(page) == []

        page.goto(f"{ARTICLE}?replytocom={Comment.objects.get(author_name='ann barbor').pk}#respond")
        expect(page.locator("#reply-title")).to_contain_text("Leave a Reply to ann barbor")
        assert violations(page) == []

        page.eval_on_selector("#commentform", "form => { form.noValidate = true; }")
        post_form(page)
        expect(page.locator("#form-errors")).to_be_focused()
        assert violations(page) == []

        page.goto(ARTICLE)  # a reader's own held comment
        fill_comment(page, body=f"Waiting for a moderator ({width} px).")
        post_form(page)
        expect(page.locator(".comment-pending .comment-awaiting-moderation")).to_contain_text(
            "A moderator will review it"
        )
        assert violations(page) == []
        watch.check(page)


def test_targets_are_at_least_24_px_and_focus_is_visible(new_reader, watch):
    page = new_reader(viewport={"width": 375, "height": 900})
    page.goto(ARTICLE)
    targets = [
        ".comment-reply-link",
        ".comment-permalink",
        "#id_remember",
        "#id_notify_replies",
        "#submit-id-submit",
        "#theme-toggle",
        ".site-nav a",
        "#id_body",
        "#id_author_name",
    ]
    for selector in targets:
        for box in page.locator(selector).evaluate_all(
            "els => els.map(el => { const r = el.getBoundingClientRect(); return [r.width, r.height]; })"
        ):
            assert box[0] >= 24 and box[1] >= 24, (selector, box)

    def focus_ring(selector):
        return page.eval_on_selector(
            selector, "el => { const s = getComputedStyle(el); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )

    page.focus("#id_body")
    page.keyboard.press("Shift+Tab")  # keyboard focus, so that :focus-visible applies
    page.keyboard.press("Tab")
    assert focus_ring("#id_body") == ["solid", 3]
    reply = page.locator(".comment-reply-link").first
    reply.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(reply).to_be_focused()
    assert focus_ring(".comment-reply-link") == ["solid", 3]
    watch.check(page)


def test_dark_mode_follows_the_system_and_the_toggle_is_remembered(new_reader, watch):
    page = new_reader(color_scheme="dark")
    page.goto(ARTICLE)
    toggle = page.locator("#theme-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    background = "getComputedStyle(document.body).backgroundColor"
    dark = page.evaluate(background)
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    light = page.evaluate(background)
    assert light != dark
    page.reload()
    assert page.evaluate(background) == light  # remembered (localStorage), applied before the page paints
    expect(page.locator("#theme-toggle")).to_have_attribute("aria-pressed", "false")
    page.locator("#theme-toggle").click()
    assert page.evaluate("localStorage.getItem('skinsite-theme')") is None  # back to following the system
    assert page.evaluate(background) == dark
    watch.check(page)


def test_the_first_load_weighs_at_most_60_kb_compressed(new_reader, watch):
    """Every response of the first load, at the size production sends it.

    The HTML is measured as sent (skinsite.middleware compresses the public page; the test
    server does it too). The live server sends static files uncompressed, so each is
    counted as the gzip of its body (level 9, as WhiteNoise writes its .gz files at
    collectstatic); the woff2 font is counted as is, as WhiteNoise serves it.
    """
    page = new_reader()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(ARTICLE, wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    sizes = {}
    for response in responses:
        body = response.body()
        kind = response.header_value("content-type") or ""
        if response.header_value("content-encoding"):
            size = response.request.sizes()["responseBodySize"]
        elif kind.startswith(COMPRESSIBLE):
            size = min(len(body), len(gzip.compress(body, 9, mtime=0)))
        else:
            size = len(body)
        sizes[response.url.removeprefix(page.url.split("/articles/")[0])] = size
    print("first load, compressed:", sizes, "total", sum(sizes.values()))
    assert any(url.endswith(".woff2") for url in sizes)  # the font really is part of the load
    assert any(url.startswith("/articles/") for url in sizes)
    assert sum(sizes.values()) <= BUDGET, sizes
    watch.check(page)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_reader_page_screenshots(new_reader, watch, scheme):
    """The README's pictures of the article page (make screenshots)."""
    for width in (1280, 375):
        page = new_reader(color_scheme=scheme, viewport={"width": width, "height": 1000})
        page.goto(ARTICLE)
        page.evaluate("document.fonts.ready.then(() => true)")
        screenshot(page, f"article-{width}-{scheme}")
        page.locator("#comments").scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        watch.check(page)
