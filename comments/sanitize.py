"""The one place where a reader's typed comment becomes HTML.

bleach is deprecated upstream; keeping every use of it in this module makes a
future swap a one-file change.
"""

import re
from collections.abc import Iterator, MutableMapping
from typing import Any

import bleach
from bleach.html5lib_shim import Filter  # type: ignore[attr-defined]  # bleach's own html5lib (no separate dependency)
from bleach.linkifier import LinkifyFilter
from django.utils.html import strip_tags

from .normalize import visible_text

# WordPress's comment tag set, plus the paragraphs and line breaks we add ourselves (acronym and
# strike come out as abbr and s: see ValidHtml).
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


# WordPress's tags that HTML no longer has, as the elements that replaced them.
MODERN_TAGS = {"acronym": "abbr", "strike": "s"}
# A valid HTML date or global date and time (what <del datetime> may hold).
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2}))?")


class ValidHtml(Filter):
    """Keep the output valid HTML: modern names for obsolete tags, no invalid dates, no raw spaces in links."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EndTag", "EmptyTag"):
                token["name"] = MODERN_TAGS.get(token["name"], token["name"])
                attrs = token.get("data") or {}
                if (None, "datetime") in attrs and not DATETIME.fullmatch(attrs[(None, "datetime")]):
                    del attrs[(None, "datetime")]
                if (None, "href") in attrs:
                    attrs[(None, "href")] = attrs[(None, "href")].strip().replace(" ", "%20")
            yield token


def _nofollow_ugc(
    attrs: MutableMapping[tuple[str | None, str], str], new: bool = False
) -> MutableMapping[tuple[str | None, str], str]:
    """Mark every link, typed or linkified, as user-generated and not endorsed."""
    attrs[(None, "rel")] = "nofollow ugc"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[lambda source: LinkifyFilter(source, callbacks=[_nofollow_ugc], skip_tags={"code"}), ValidHtml],
)


def _paragraphs(text: str) -> str:
    """Blank lines make paragraphs and single newlines make line breaks, as in WordPress."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").replace("\r", "\n").split("\n\n")]
    return "\n".join(f"<p>{block.replace(chr(10), '<br>')}</p>" for block in blocks if block)


def sanitize_comment(text: str) -> str:
    """Return safe HTML for a typed comment body.

    Guarantee: the result contains only the elements in ALLOWED_TAGS, the attributes
    in ALLOWED_ATTRIBUTES, and links with the http, https or mailto scheme, each
    marked rel="nofollow ugc". Everything else is stripped or escaped, in a single
    bleach pass that runs last, so the output is safe to render as is.
    """
    return _cleaner.clean(_paragraphs(text))


def shows_nothing(html: str) -> bool:
    """Whether sanitised HTML shows a reader nothing (no text, or only invisible characters): an empty comment."""
    return not visible_text(strip_tags(html)).strip()
