"""The spam classifier's features and its scoring, in plain Python: no numpy at request time.

A comment's text becomes counts of named features: words and word pairs ("w:"), character
fragments of 2 to 5 letters inside word boundaries ("c:", like scikit-learn's char_wb
analyzer), and a few cues of promotion ("x:": a link, "check out", "subscribe", a channel).
A model is a plain dict, stored as JSON: feature → [idf, weight], a bias and the counts
it was trained on. Scoring is TF-IDF (sublinear, each of the three groups normalised on
its own) dotted with the weights: dictionary lookups only. The features that weighed
most are the "why" shown to moderators.
"""

import heapq
import html
import math
import re
from collections import Counter
from itertools import pairwise
from typing import TypedDict

from django.utils.translation import gettext as _

WORD = re.compile(r"(?u)\b\w\w+\b")
# Cues of self-promotion, the commonest kind of comment spam that rules cannot see.
CUES = {
    "x:link": re.compile(r"https?://|www\.|\.(?:com|net|org|ly|info|co|me|tk)\b|<a\s"),
    "x:check_out": re.compile(r"\bcheck\s*(?:it\s*)?out\b|\bcheckout\b|\bvisit\b|\bgo\s+to\b"),
    "x:subscribe": re.compile(r"\bsu[bs]?scribe\b|\bsub\s*(?:4|for)\s*sub\b|\bfollow\s+me\b"),
    "x:channel": re.compile(r"\b(?:my|our)\s+(?:channel|video|vids?|page|music|song|site|website|blog)\b"),
    "x:money": re.compile(r"\b(?:money|cash|earn|free|\$\d|dollars?|income|offer)\b"),
    "x:please": re.compile(r"\bplease\b|\bplz\b|\bpls\b"),
}
MAX_CHARS = 1000  # a longer comment is scored on its first 1,000 characters: under 5 ms per post, whatever its length
SCALES = ("w:", "c:", "x:")  # each group is normalised on its own, as a FeatureUnion of vectorisers


class Model(TypedDict):
    """A trained model, as stored (JSON): everything scoring needs, and nothing about any person."""

    features: dict[str, list[float]]  # feature → [idf, weight]
    bias: float
    spam: int  # examples it was trained on, per kind
    ham: int


def clean(text: str) -> str:
    """The text as the features see it: entities decoded, lower case, spacing collapsed."""
    text = html.unescape(text[:MAX_CHARS]).replace("\ufeff", "").lower()
    return " ".join(text.split())


def features(text: str) -> Counter[str]:
    """Counts of every feature of a comment's text."""
    text = clean(text)
    words = WORD.findall(text)
    found = ["w:" + word for word in words]
    found += [f"w:{first} {second}" for first, second in pairwise(words)]
    for word, times in Counter(text.split()).items():  # each distinct word cut into fragments once
        padded, fragments = f" {word} ", []
        for n in range(2, 6):
            if len(padded) <= n:  # a short word counts once, whole (as char_wb does)
                fragments.append("c:" + padded)
                break
            fragments += ["c:" + padded[i : i + n] for i in range(len(padded) - n + 1)]
        found += fragments * times
    found += [name for name, cue in CUES.items() if cue.search(text)]
    return Counter(found)


def contributions(counts: Counter[str], model: Model) -> tuple[float, list[tuple[str, float]]]:
    """The margin (bias plus every contribution), and each known feature's TF-IDF value times its weight.

    TF-IDF as in training: sublinear counts times IDF, each group scaled to unit length;
    features the model does not know are left out.
    """
    known = model["features"]
    found, norms = [], dict.fromkeys(SCALES, 0.0)
    for feature, n in counts.items():
        if (entry := known.get(feature)) is not None:
            value = entry[0] if n == 1 else (1.0 + math.log(n)) * entry[0]
            norms[feature[:2]] += value * value
            found.append((feature, value, entry[1]))
    scale = {group: 1.0 / math.sqrt(norm) if norm else 0.0 for group, norm in norms.items()}
    parts = [(feature, value * scale[feature[:2]] * weight) for feature, value, weight in found]
    return model["bias"] + sum(part for _feature, part in parts), parts


def probability(margin: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, margin))))


def score(text: str, model: Model, top: int = 5) -> tuple[float, list[tuple[str, float]]]:
    """The spam probability of a text, and the features that pushed it most (either way)."""
    margin, parts = contributions(features(text), model)
    return probability(margin), heapq.nlargest(top, parts, key=lambda part: abs(part[1]))


def describe(feature: str) -> str:
    """A feature as a moderator reads it: the word, "…fragment…", or "pattern: " and the cue's name."""
    kind, value = feature[:2], feature[2:]
    if kind == "c:":
        return "…" + value.strip() + "…"
    if kind == "x:":
        return _("pattern: %(name)s") % {"name": value.replace("_", " ")}
    return value
