import re
from urllib.parse import urlsplit

import html5lib
import pytest

from comments.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_PROTOCOLS, ALLOWED_TAGS, sanitize_comment

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="jav\tascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="//evil.example" onclick="alert(1)">x</a>',
    '<a href="https://ok.example" onmouseover="alert(1)" style="position:fixed">x</a>',
    "<b onclick=alert(1)>bold</b>",
    '<blockquote cite="javascript:alert(1)" onmouseover=alert(1)>q</blockquote>',
    '<q cite="https://ok.example" style="color:red">q</q>',
    '<abbr title="x" onfocus=alert(1) tabindex=1>a</abbr>',
    '<div onmouseover="alert(1)">div</div>',
    "<body onload=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<link rel=stylesheet href=javascript:alert(1)>",
    '<img src="x" onerror="alert(1)"',
    '<a href="javascript:alert(1)"',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<a href="http://ok.example"><img src=x onerror=alert(1)></a>',
    "<textarea><script>alert(1)</script></textarea>",
    "<template><script>alert(1)</script></template>",
    "<xmp><script>alert(1)</script></xmp>",
    "<table><td onclick=alert(1)>cell</td></table>",
    '<a href="mailto:x@example.com" target="_blank" rel="opener">mail</a>',
    '<del datetime="2020" onclick=alert(1)>old</del>',
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    "javascript:alert(1)",
    '<a href="https://ok.example/" title="&quot; onmouseover=&quot;alert(1)">x</a>',
]


def _scheme_as_browsers_see_it(url):
    """URL parsers in browsers drop tabs and newlines anywhere and controls or spaces at the ends."""
    return urlsplit(
        re.sub(r"[\t\n\r]", "", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f ")
    ).scheme.lower()


def _elements(html):
    document = html5lib.parseFragment(html, namespaceHTMLElements=False)
    return list(document.iter())[1:]  # the first is the fragment itself


@pytest.mark.parametrize("hostile", HOSTILE)
def test_sanitize_hostile_input_keeps_only_allowed_markup(hostile):
    for element in _elements(sanitize_comment(hostile)):
        assert element.tag in ALLOWED_TAGS
        for attribute, value in element.attrib.items():
            assert attribute in ALLOWED_ATTRIBUTES.get(element.tag, [])
            if attribute in {"href", "cite"}:
                assert _scheme_as_browsers_see_it(value) in {*ALLOWED_PROTOCOLS, ""}


def test_sanitize_hostile_corpus_is_large_enough():
    assert len(HOSTILE) >= 40


def test_sanitize_keeps_a_less_than_sign_as_text():
    assert sanitize_comment("I <3 this") == "<p>I &lt;3 this</p>"
    assert sanitize_comment("2 < 3 and 4 > 1") == "<p>2 &lt; 3 and 4 &gt; 1</p>"


def test_sanitize_links_bare_urls_as_user_content():
    html = sanitize_comment("See https://example.org/page for more")
    assert '<a href="https://example.org/page" rel="nofollow ugc">https://example.org/page</a>' in html


def test_sanitize_marks_typed_links_nofollow_ugc():
    html = sanitize_comment('<a href="https://example.org" rel="follow">site</a>')
    assert html == '<p><a href="https://example.org" rel="nofollow ugc">site</a></p>'


def test_sanitize_keeps_blockquote_and_inline_formatting():
    html = sanitize_comment('<blockquote cite="https://example.org">quoted <em>well</em></blockquote>')
    assert '<blockquote cite="https://example.org">quoted <em>well</em></blockquote>' in html


def test_sanitize_makes_paragraphs_and_line_breaks():
    assert sanitize_comment("one\ntwo\n\nthree") == "<p>one<br>two</p>\n<p>three</p>"


def test_sanitize_strips_html_comments():
    assert "secret" not in sanitize_comment("hello <!-- secret -->")


def test_sanitize_does_not_link_inside_code():
    assert "<a" not in sanitize_comment("<code>https://example.org</code>")


@pytest.mark.parametrize(
    ("typed", "html"),
    [
        ('<acronym title="NASA">NASA</acronym>', '<p><abbr title="NASA">NASA</abbr></p>'),
        ("<strike>old</strike>", "<p><s>old</s></p>"),
        ('<del datetime="2020">x</del>', "<p><del>x</del></p>"),
        ('<del datetime="2020-01-02T03:04:05Z">x</del>', '<p><del datetime="2020-01-02T03:04:05Z">x</del></p>'),
        (
            '<a href="https://example.org/a b">l</a>',
            '<p><a href="https://example.org/a%20b" rel="nofollow ugc">l</a></p>',
        ),
    ],
)
def test_output_stays_valid_html(typed, html):
    assert sanitize_comment(typed) == html
