"""The comment section of an article page: the list of comments and the "Leave a Reply" form.

One path renders it for every reader. What is shared is cached: the rendered page of
threads (under a key naming the state of the article's comments) and the empty form's
markup (per process: it changes only with the code). What is the reader's own is
rendered for them: their held comments, their remembered details, the comment they
reply to, their form with errors, and always the form's tokens. Nothing ever replaces
text inside rendered HTML.
"""

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from crispy_forms.utils import render_crispy_form
from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from articles.views import PageAddition
from skinsite.versioned_cache import get_or_compute

from . import rules, threads
from .forms import CommentForm, form_token
from .models import Comment, CommentStats, Snapshot

if TYPE_CHECKING:
    from articles.models import Article

REMEMBER_COOKIE = "comment_author"
PENDING_COOKIE = "comment_pending"
REMEMBERED_FIELDS = ("author_name", "author_email", "author_url")
ASCII_NUMBER = re.compile(r"[0-9]{1,9}")


def own_comment_ids(request: HttpRequest) -> list[int]:
    """Ids of the comments this browser posted and may still see before they are approved."""
    ids = cast(str, request.get_signed_cookie(PENDING_COOKIE, default="", salt=PENDING_COOKIE))
    return [int(part) for part in ids.split(",") if ASCII_NUMBER.fullmatch(part)]


def remembered_author(request: HttpRequest) -> dict[str, Any]:
    """The name, email and website this browser asked us to remember, if it did."""
    value = request.get_signed_cookie(REMEMBER_COOKIE, default="", salt=REMEMBER_COOKIE)
    try:
        author = json.loads(value) if value else {}
    except ValueError:
        return {}
    if not isinstance(author, dict) or not author:
        return {}
    return {key: str(author.get(key, "")) for key in REMEMBERED_FIELDS} | {"remember": True}


def number_param(request: HttpRequest, name: str) -> int | None:
    """A number from the query string, or None (non-ASCII digits such as "²" or "٣" are not numbers)."""
    value = request.GET.get(name, "")
    return int(value) if ASCII_NUMBER.fullmatch(value) else None


@dataclass
class Section:
    """What the article template shows of the comments, for one request."""

    page: threads.ThreadPage
    stats: Snapshot
    list_html: str
    form: CommentForm | None
    reply_to: Comment | None
    personal: bool  # holds something of this reader's own: never to be stored by a shared cache


def section_for(request: HttpRequest, article: "Article", form: CommentForm | None = None) -> Section:
    """The comment section for this request (computed once, whichever tag asks first)."""
    sections = request.__dict__.setdefault("_comment_sections", {})
    if article.pk not in sections:
        sections[article.pk] = _section(request, article, form)
    return sections[article.pk]


def shared_state(request: HttpRequest, article: "Article") -> str | None:
    """The state of the comment section as every reader sees it, as a cache key (articles.views).

    None when it may show this reader something of their own: their held comments, their
    remembered details, the comment they reply to.
    """
    if PENDING_COOKIE in request.COOKIES or REMEMBER_COOKIE in request.COOKIES or "replytocom" in request.GET:
        return None
    stats = CommentStats.snapshot_of(article.pk)
    return ":".join(map(str, [*_list_state(stats, number_param(request, "cpage")), rules.comments_open(article)]))


def _list_state(stats: Snapshot, number: int | None) -> list[object]:
    """Everything a page of threads is rendered from, besides the article."""
    return [
        stats.version,
        number or "default",
        settings.COMMENTS_PER_PAGE,
        settings.COMMENTS_NEWEST_PAGE_FIRST,
        settings.COMMENTS_MAX_DEPTH,
        get_language(),
    ]


def _section(request: HttpRequest, article: "Article", form: CommentForm | None) -> Section:
    number = number_param(request, "cpage")
    own_ids = own_comment_ids(request)
    stats = CommentStats.snapshot_of(article.pk)
    if own_ids:
        page, list_html = _render_list(article, stats, own_ids, number)
    else:
        page, list_html = get_or_compute(
            lambda: _render_list(article, stats, own_ids, number),
            "comments:list",
            article.pk,
            *_list_state(stats, number),
        )
    reply_to = None
    if form is None and rules.comments_open(article):
        remembered = remembered_author(request)
        reply_to = _reply_target(article, number_param(request, "replytocom"))
        initial = remembered | ({"parent": reply_to.pk} if reply_to else {})
        form = CommentForm(initial=initial, article=article) if initial else None
    elif form is not None:
        reply_to = form.cleaned_data.get("parent") if hasattr(form, "cleaned_data") else None
    personal = bool(own_ids or form is not None)
    return Section(page, stats, list_html, form, reply_to, personal)


def _reply_target(article: "Article", parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    return Comment.objects.approved().filter(article=article, pk=parent_id).first()


def _render_list(
    article: "Article", stats: Snapshot, own_ids: list[int], number: int | None
) -> tuple[threads.ThreadPage, SafeString]:
    """A page of threads and its HTML: the count heading, the comments and the page links."""
    page = threads.thread_page(article, stats.thread_count, own_ids, number)
    html = render_to_string(
        "comments/_list.html",
        {"article": article, "comment_page": page, "stats": stats, "max_depth": settings.COMMENTS_MAX_DEPTH},
    )
    return threads.ThreadPage(page.number, page.page_count), mark_safe(html)


_empty_form_html: dict[str | None, str] = {}


def form_html(section: Section) -> str:
    """The form's fields: the reader's own form rendered for them, the empty one rendered once per process."""
    if section.form is not None:
        return render_crispy_form(section.form)
    language = get_language()
    if language not in _empty_form_html:
        _empty_form_html[language] = render_crispy_form(CommentForm(article=None))
    return _empty_form_html[language]


def form_tokens(request: HttpRequest, article: "Article") -> str:
    """This request's tokens of the comment form, appended to the article page after its template.

    They belong to the form by its id (the `form` attribute), wherever the form is.
    """
    if not rules.comments_open(article):
        return ""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}" form="commentform">\n'
        '<input type="hidden" name="token" value="{}" form="commentform">\n',
        get_token(request),
        form_token(article),
    )


# The comment section's part in the article page (articles.views).
ON_ARTICLE_PAGE = PageAddition(shared_state=shared_state, page_end=form_tokens)
