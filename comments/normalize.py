"""The one normaliser for text, names and emails: what duplicate checks, word lists and limits compare.

Two strings that a reader would see as the same (other case, other Unicode form, an
invisible character, an HTML entity, fullwidth or look-alike letters, other whitespace)
normalise to the same key. Keys are for comparing only: never shown, never stored as text.
"""

import html
import re
import unicodedata

import icu  # PyICU with ICU itself bundled (the icukit-pyicu wheel): no system library or compiler needed

# ICU's implementation of Unicode TS #39: look-alike letters (Cyrillic "\u0430" and Latin "a") share a skeleton.
_spoof_checker = icu.SpoofChecker()


def _character_class(unicode_set: icu.UnicodeSet) -> str:
    ranges = ((unicode_set.getRangeStart(i), unicode_set.getRangeEnd(i)) for i in range(unicode_set.getRangeCount()))
    return "[" + "".join(f"{re.escape(start)}-{re.escape(end)}" for start, end in ranges) + "]"


# Zero-width spaces and joiners, soft hyphens, bidi controls, variation selectors, fillers:
# characters that draw nothing (Unicode's Default_Ignorable_Code_Point and format characters).
# Plus the braille blank, which draws nothing either but is a symbol to Unicode.
INVISIBLE = re.compile(_character_class(icu.UnicodeSet("[[:Default_Ignorable_Code_Point:][:Cf:][\\u2800]]")))

# Providers that deliver "first.last+tag@" to "firstlast@"; elsewhere only "+tag" is dropped.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def visible_text(text: str) -> str:
    """The text in NFKC with invisible characters removed (what is left when nothing shows is empty)."""
    return INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


def skeleton(text: str) -> str:
    """Unicode TS #39 skeleton: the same for strings made of look-alike characters."""
    return _spoof_checker.getSkeleton(0, text)


def text_key(text: str) -> str:
    """Comment text, a name or a word-list entry, reduced to what a reader would see as its identity.

    Entities are unescaped, then NFKC, invisible characters dropped, case folded, look-alikes
    mapped to their TS #39 skeleton and every run of whitespace (line endings included)
    made one space.
    """
    text = visible_text(html.unescape(text)).casefold()
    return " ".join(skeleton(text).split())


def email_key(email: str) -> str:
    """An address as its mailbox: case folded, "+tag" dropped, and dots dropped where the provider ignores them."""
    local, _at, domain = visible_text(email).strip().casefold().rpartition("@")
    if not local:
        return domain
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"
