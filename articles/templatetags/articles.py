"""The article page's own filters and tags: `{% load articles %}`."""

import json
import math
from typing import TYPE_CHECKING

from django import template
from django.template import Context
from django.utils import timezone
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

if TYPE_CHECKING:
    from articles.models import Article

register = template.Library()

WORDS_PER_MINUTE = 230  # an adult's silent reading speed for non-fiction
# What may not appear raw inside <script>: the same escapes as Django's json_script.
SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def reading_minutes(html: str) -> int:
    """Minutes to read this HTML's text, at least one."""
    return max(1, math.ceil(len(strip_tags(html).split()) / WORDS_PER_MINUTE))


@register.filter
def summary(html: str, length: int = 160) -> str:
    """The HTML's first words as plain text, for a meta description (escaped by the template)."""
    return Truncator(" ".join(strip_tags(html).split())).chars(length)


@register.simple_tag(takes_context=True)
def article_json_ld(context: Context, article: "Article", comment_count: int) -> str:
    """A schema.org Article as JSON-LD, escaped for a <script> element (type application/ld+json: data, not code)."""
    request = context["request"]
    url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": summary(article.body),
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": timezone.localtime(article.published_at).replace(microsecond=0).isoformat(),
        "dateModified": timezone.localtime(article.updated_at).replace(microsecond=0).isoformat(),
        "author": {"@type": "Organization", "name": "skinsite"},
        "publisher": {"@type": "Organization", "name": "skinsite"},
        "commentCount": int(comment_count),
        "inLanguage": "en",
    }
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))
