import json

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from articles.models import Article

from . import moderation, notifications, threads
from .forms import CommentForm, form_token, read_form_token
from .models import Comment
from .threads import ThreadPage

REMEMBER_COOKIE = "comment_author"
PENDING_COOKIE = "comment_pending"
MAX_PENDING_IN_COOKIE = 20


def _cookie_options():
    return {"httponly": True, "samesite": "Lax", "secure": not settings.DEBUG}


def own_comment_ids(request):
    """Ids of the comments this browser posted and may still see before they are approved."""
    ids = request.get_signed_cookie(PENDING_COOKIE, default="", salt=PENDING_COOKIE)
    return [int(part) for part in ids.split(",") if part.isdigit()]


def remembered_author(request):
    """The name, email and website this browser asked us to remember, if it did."""
    value = request.get_signed_cookie(REMEMBER_COOKIE, default="", salt=REMEMBER_COOKIE)
    try:
        author = json.loads(value) if value else {}
    except ValueError:
        return {}
    keys = ("author_name", "author_email", "author_url")
    return {key: str(author.get(key, "")) for key in keys} | {"remember": True} if author else {}


def _reply_target(request, article, form):
    """The comment the form replies to: from a posted form, or from ?replytocom= on the page."""
    if form.is_bound:
        return getattr(form, "cleaned_data", {}).get("parent")
    parent_id = request.GET.get("replytocom", "")
    if not parent_id.isdigit() or len(parent_id) > 18:
        return None
    parent = Comment.objects.approved().filter(article=article, pk=parent_id).first()
    if parent is not None:
        form.initial["parent"] = parent.pk
    return parent


def comment_list(article, own_ids, number):
    """The page of threads and its rendered HTML; cached until the article's comments change.

    The key names the state of the database (comments_changed_at is bumped in every
    transaction that changes what is shown), so no cache entry is ever invalidated
    and every app server agrees. Readers with their own held comments get a list of
    their own, never cached.
    """

    def render():
        page = threads.thread_page(article, own_ids, number)
        html = render_to_string(
            "comments/_threads.html", {"comment_page": page, "max_depth": settings.COMMENTS_MAX_DEPTH}
        )
        return ThreadPage(page.number, page.page_count), html

    if own_ids:
        return render()
    return _cached(render, "comments:list", *_list_state(article, number))


def _list_state(article, number):
    """Everything a rendered page of threads depends on."""
    return (
        article.pk,
        article.comments_changed_at.timestamp(),
        number or "default",
        settings.COMMENTS_PER_PAGE,
        settings.COMMENTS_NEWEST_PAGE_FIRST,
        settings.COMMENTS_MAX_DEPTH,
    )


def _cached(compute, *state):
    """compute(), cached under a key naming the state it depends on: entries are replaced, never invalidated."""
    key = ":".join(str(part) for part in state)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.COMMENTS_LIST_CACHE_SECONDS)
    return value


# Stand-ins for the two per-request tokens in a page cached for every plain reader.
TOKEN_SLOTS = {
    "csrf_input_token": "csrf-token-slot-7c1f",
    "comment_form_token": "form-token-slot-7c1f",
}


def _tokens(request, article):
    """This request's CSRF token and signed form token, under the names the template uses."""
    return {"csrf_input_token": get_token(request), "comment_form_token": form_token(article)}


def article_response(request, article, form=None, status=200):
    """The article page with its comments and the reply form (bound and with errors, after a failed post).

    Readers with nothing of their own on the page (no held comment, no remembered
    details, no reply target, no form errors) all get the same bytes but for the two
    tokens: that page is cached under a key naming the database state, and the
    tokens are filled in per request.
    """
    cpage = request.GET.get("cpage")
    number = int(cpage) if cpage and cpage.isdigit() and len(cpage) < 9 else None
    own_ids = own_comment_ids(request)
    remembered = remembered_author(request)
    plain_reader = form is None and not own_ids and not remembered and "replytocom" not in request.GET
    if not plain_reader:
        form = form or CommentForm(initial=remembered, article=article)
        context = _page_context(request, article, form, own_ids, number, _tokens(request, article))
        return TemplateResponse(request, "articles/article_detail.html", context, status=status)

    def render():
        context = _page_context(request, article, CommentForm(article=article), own_ids, number, TOKEN_SLOTS)
        return render_to_string("articles/article_detail.html", context, request=request)

    state = (article.updated_at.timestamp(), article.accepts_comments(), request.scheme, request.get_host())
    html = _cached(render, "comments:page", *_list_state(article, number), *state)
    for name, value in _tokens(request, article).items():
        html = html.replace(TOKEN_SLOTS[name], value, 1)
    return HttpResponse(html, status=status)


def _page_context(request, article, form, own_ids, number, tokens):
    page, list_html = comment_list(article, own_ids, number)
    return {
        "article": article,
        "object": article,
        "comment_page": page,
        "comment_list": list_html,
        "comment_form": form,
        "reply_to": _reply_target(request, article, form),
        **tokens,
    }


@require_POST
def post_comment(request, article_id):
    """Store a reader's comment and send them to it, or show the form again with what went wrong."""
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    if not article.accepts_comments():
        return TemplateResponse(request, "comments/closed.html", {"article": article}, status=403)
    rendered_at = read_form_token(request.POST.get("token"), article)
    form = CommentForm(request.POST, article=article, rendered_at=rendered_at)
    if not form.is_valid():
        return article_response(request, article, form)
    comment = form.save(commit=False)
    comment.ip_address = moderation.client_ip(request)
    comment.user_agent = request.headers.get("User-Agent", "")[:500]
    try:
        if not request.user.has_perm("comments.moderate_comment"):
            moderation.check_flood(comment.ip_address, comment.author_email)
        moderation.submit(comment, looks_automated=form.looks_automated())
    except moderation.Refusal as refusal:
        form.add_error(None, refusal.message)
        response = article_response(request, article, form, status=refusal.status)
        if refusal.retry_after:
            response["Retry-After"] = str(refusal.retry_after)
        return response

    own_ids = [comment.pk, *own_comment_ids(request)][:MAX_PENDING_IN_COOKIE]
    # A new thread is the newest one, so it is on the default page when that is the newest.
    newest_thread = comment.parent_id is None and settings.COMMENTS_NEWEST_PAGE_FIRST
    page = None if newest_thread else threads.page_number_of(comment, own_ids)
    url = article.get_absolute_url() + (f"?cpage={page}" if page else "") + f"#comment-{comment.pk}"
    response = redirect(url)
    response.set_signed_cookie(
        PENDING_COOKIE,
        ",".join(map(str, own_ids)),
        salt=PENDING_COOKIE,
        max_age=settings.COMMENTS_PENDING_COOKIE_AGE,
        **_cookie_options(),
    )
    if form.cleaned_data["remember"]:
        author = {key: form.cleaned_data[key] for key in ("author_name", "author_email", "author_url")}
        response.set_signed_cookie(
            REMEMBER_COOKIE,
            json.dumps(author),
            salt=REMEMBER_COOKIE,
            max_age=settings.COMMENTS_REMEMBER_COOKIE_AGE,
            **_cookie_options(),
        )
    else:
        response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")
    return response


def unsubscribe(request, token):
    """One click, no login: stop reply emails for the address and article the signed link names."""
    try:
        address, article_id = notifications.read_unsubscribe_token(token)
    except signing.SignatureExpired:
        return TemplateResponse(request, "comments/unsubscribe.html", {"expired": True}, status=410)
    except (signing.BadSignature, ValueError, TypeError):
        raise BadRequest("Invalid unsubscribe link.") from None
    notifications.unsubscribe(address, article_id)
    article = Article.objects.filter(pk=article_id).first()
    return TemplateResponse(request, "comments/unsubscribe.html", {"article": article})
