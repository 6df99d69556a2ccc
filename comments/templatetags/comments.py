"""The comment section in an article's template: `{% load comments %}`, then
`{% comment_links article %}` in the head and `{% comment_section article %}` in the body.

A failed post renders the same template with the bound form as `comment_form`.
"""

from typing import TYPE_CHECKING

from django import template
from django.template.loader import render_to_string

from ..rules import comments_open
from ..section import form_html, section_for, tokens

if TYPE_CHECKING:
    from articles.models import Article

register = template.Library()


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
            **(tokens(request, article) if is_open else {}),
        },
    )
