"""The one place where a reader's typed comment becomes HTML.

bleach is deprecated upstream; keeping every use of it in this module makes a
future swap a one-file change.
"""

import bleach
from bleach.linkifier import LinkifyFilter

# WordPress's comment tag set, plus the paragraphs and line breaks we add ourselves.
ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "acronym", "b", "blockquote", "br", "cite", "code", "del",
        "em", "i", "p", "q", "s", "strike", "strong",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "abbr": ["title"],
    "acronym": ["title"],
    "blockquote": ["cite"],
    "del": ["datetime"],
    "q": ["cite"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def _nofollow_ugc(attrs, new=False):
    """Mark every link, typed or linkified, as user-generated and not endorsed."""
    attrs[(None, "rel")] = "nofollow ugc"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[lambda source: LinkifyFilter(source, callbacks=[_nofollow_ugc], skip_tags={"code"})],
)


def _paragraphs(text):
    """Blank lines make paragraphs and single newlines make line breaks, as in WordPress."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").replace("\r", "\n").split("\n\n")]
    return "\n".join(f"<p>{block.replace(chr(10), '<br>')}</p>" for block in blocks if block)


def sanitize_comment(text):
    """Return safe HTML for a typed comment body.

    Guarantee: the result contains only the elements in ALLOWED_TAGS, the attributes
    in ALLOWED_ATTRIBUTES, and links with the http, https or mailto scheme, each
    marked rel="nofollow ugc". Everything else is stripped or escaped, in a single
    bleach pass that runs last, so the output is safe to render as is.
    """
    return _cleaner.clean(_paragraphs(text))
