"""The comment section in an article's template: `{% load comments %}`, then
`{% comment_links article %}` in the head and `{% comment_section article %}` in the body;
`{% comment_count article %}` is the number of approved comments (from the cached stats).

A failed post renders the same template with the bound form as `comment_form`.
"""

from typing import TYPE_CHECKING, Any

from django import template
from django.conf import settings
from django.template import Context
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ..models import AuthorRule, Comment, CommentStats, Reason
from ..rules import comments_open
from ..section import form_html, section_for

if TYPE_CHECKING:
    from articles.models import Article

register = template.Library()

AVATAR_COLOURS = 12  # .avatar-0 … .avatar-11 in static/css/site.css, each with white initials at ≥ 4.5:1


@register.simple_tag(takes_context=True)
def comment_links(context: template.Context, article: "Article") -> str:
    """The canonical address of this comment page, its neighbours and the comment feeds."""
    request = context["request"]
    section = section_for(request, article, context.get("comment_form"))
    return render_to_string(
        "comments/_links.html", {"article": article, "comment_page": section.page, "request": request}
    )


@register.simple_tag(takes_context=True)
def comment_section(context: template.Context, article: "Article") -> str:
    """The comment list and the "Leave a Reply" form (or "Comments are closed.")."""
    request = context["request"]
    section = section_for(request, article, context.get("comment_form"))
    is_open = comments_open(article)
    return render_to_string(
        "comments/_section.html",
        {
            "article": article,
            "section": section,
            "comments_open": is_open,
            "form_html": form_html(section) if is_open else "",
        },
    )


@register.filter
def reason_text(reason: dict[str, Any], full: bool = False) -> str:
    """A rule's reason as a short badge, or in full with its details (the word, the counts, the seconds)."""
    code = reason.get("code", "")
    label = str(Reason(code).label) if code in Reason.values else code
    if not full:
        return label
    if "entry" in reason:
        return f"{label}: “{reason['entry']}”"
    if "count" in reason:
        return _("%(label)s: %(count)s of at most %(max)s") % {"label": label, **reason}
    if "rule" in reason:  # a moderator's rule on the author (comments.models.AuthorRule)
        # The rule's kind of target, never its value: reasons stay on comments that erasure keeps.
        target = reason.get("target", "")
        target = str(AuthorRule.Target(target).label).lower() if target in AuthorRule.Target.values else target
        return _("%(label)s: %(target)s (rule %(rule)s)") % {"label": label, "target": target, "rule": reason["rule"]}
    if "rejected" in reason:
        return _("%(label)s: %(rejected)s of %(decided)s decided lately") % {"label": label, **reason}
    if "seconds" in reason:
        return _("%(label)s: %(seconds)s s after the form was shown") % {"label": label, **reason}
    if "score" in reason:
        return _("%(label)s: spam score %(percent)s%%") % {"label": label, "percent": spam_percent(reason["score"])}
    return label


@register.filter
def spam_percent(score: float) -> str:
    """A spam probability as a percentage for moderators: 0.9731 → "97.3"."""
    return f"{100 * score:.1f}"


@register.filter
def spam_level(score: float) -> str:
    """Which threshold a spam score reaches: "spam" (filed as spam), "hold" (held with a warning), or "low"."""
    if score >= settings.COMMENTS_SPAM_THRESHOLD:
        return "spam"
    return "hold" if score >= settings.COMMENTS_SPAM_HOLD_THRESHOLD else "low"


@register.simple_tag(takes_context=True)
def pending_comment_count(context: Context) -> int | None:
    """How many comments wait in the queue (None for a user who may not moderate)."""
    if not context["request"].user.has_perm("comments.moderate_comment"):
        return None
    return CommentStats.totals()[Comment.Status.PENDING]


@register.simple_tag(takes_context=True)
def comment_count(context: Context, article: "Article") -> int:
    """The article's approved comments, from the comment section's stats (read once per request)."""
    return section_for(context["request"], article, context.get("comment_form")).stats.approved_count


@register.filter
def avatar_colour(name: str) -> int:
    """One of the avatar colours, from a keyed hash of the author's name (never the email)."""
    return int.from_bytes(salted_hmac("comments.avatar", name).digest()[:4], "big") % AVATAR_COLOURS


@register.filter
def initials(name: str) -> str:
    """Up to two letters for an avatar: the first letter or digit of the first and last words."""
    firsts = [next((c for c in word if c.isalnum()), "") for word in name.split()]
    firsts = [c for c in firsts if c]
    return "".join(firsts[:1] + firsts[1:][-1:]).upper() or "?"
