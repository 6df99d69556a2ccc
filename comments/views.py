import json
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Article
from articles.views import article_response

from . import notifications, reports, rules, threads
from .clientip import client_ip
from .forms import CommentForm, ReportForm, read_form_token
from .models import Comment
from .section import ON_ARTICLE_PAGE, PENDING_COOKIE, REMEMBER_COOKIE, REMEMBERED_FIELDS, own_comment_ids

MAX_PENDING_IN_COOKIE = 20


def _cookie_options() -> dict[str, Any]:
    return {"httponly": True, "samesite": "Lax", "secure": not settings.DEBUG}


def _article_page(request: HttpRequest, article: Article, form: CommentForm, status: int) -> HttpResponse:
    """The article page again, with the reader's form, its errors and everything they typed."""
    return article_response(request, article, addition=ON_ARTICLE_PAGE, context={"comment_form": form}, status=status)


@require_POST
def post_comment(request: HttpRequest, article_id: int) -> HttpResponse:
    """The comment form posted to /comments/post/<id>/ (forms rendered before it posted to the article)."""
    return _post_comment(request, get_object_or_404(Article.objects.published(), pk=article_id))


@require_POST
def post_comment_on_article(request: HttpRequest, slug: str) -> HttpResponse:
    """The comment form posted to the article's own address, so a page with errors keeps that address."""
    return _post_comment(request, get_object_or_404(Article.objects.published(), slug=slug))


def _post_comment(request: HttpRequest, article: Article) -> HttpResponse:
    """Store a reader's comment and send them to it, or show the form again with what went wrong.

    The cheap checks come first (the token, then the flood limit, before the form is
    validated and the comment sanitised), so a refused post costs little whatever it holds.
    """
    if not rules.comments_open(article):
        return TemplateResponse(request, "comments/closed.html", {"article": article}, status=403)
    token = read_form_token(request.POST.get("token"), article)
    form = CommentForm(request.POST, article=article, token=token)
    ip_address = client_ip(request)
    limited = not request.user.has_perm("comments.moderate_comment")
    try:
        if limited:
            rules.check_flood(ip_address)
        if not form.is_valid():
            return _article_page(request, article, form, status=200)
        comment = form.save(commit=False)
        comment.ip_address = ip_address
        comment.user_agent = request.headers.get("User-Agent", "")[:500]
        rules.submit(comment, automated=form.automation(), form_nonce=token.nonce, limit_flood=limited)
    except rules.Refusal as refusal:
        form.refuse(refusal.message)
        response = _article_page(request, article, form, status=refusal.status)
        if refusal.retry_after:
            response["Retry-After"] = str(refusal.retry_after)
        return response
    return _posted(request, form, comment)


def _posted(request: HttpRequest, form: CommentForm, comment: Comment) -> HttpResponse:
    """Redirect to the new comment, and remember it (and, if asked, the author's details) in this browser."""
    own_ids = [comment.pk, *own_comment_ids(request)][:MAX_PENDING_IN_COOKIE]
    # A new thread is the newest one, so it is on the default page when that is the newest.
    newest_thread = comment.parent_id is None and settings.COMMENTS_NEWEST_PAGE_FIRST
    page = None if newest_thread else threads.page_number_of(comment, own_ids)
    url = comment.article.get_absolute_url() + (f"?cpage={page}" if page else "") + f"#comment-{comment.pk}"
    response = redirect(url)
    response.set_signed_cookie(
        PENDING_COOKIE,
        ",".join(map(str, own_ids)),
        salt=PENDING_COOKIE,
        max_age=settings.COMMENTS_PENDING_COOKIE_AGE,
        **_cookie_options(),
    )
    if form.cleaned_data["remember"]:
        author = {key: form.cleaned_data[key] for key in REMEMBERED_FIELDS}
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


@csrf_exempt  # RFC 8058: mail programs post the one-click unsubscribe without a CSRF token; the link is signed
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (so link scanners in mail systems unsubscribe nobody); POST unsubscribes."""
    try:
        comment = notifications.read_unsubscribe_token(token)
    except signing.SignatureExpired:
        return TemplateResponse(request, "comments/unsubscribe.html", {"expired": True}, status=410)
    except signing.BadSignature:
        raise BadRequest("Invalid unsubscribe link.") from None
    done = request.method == "POST"
    if done and comment is not None:
        notifications.unsubscribe(comment)
    context = {"article": comment.article if comment else None, "done": done}
    response = TemplateResponse(request, "comments/unsubscribe.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def report_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A reader's report of a published comment: the form, its errors, and the thanks once sent."""
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=comment_id)
    if comment.pk in reports.reported_ids(request):
        # Reported from this browser already (even if it has since been unpublished): thanks, and nothing more.
        return _report_page(request, comment, None, status=200)
    if not comment.is_approved or not comment.article.is_published():
        raise Http404("No such published comment.")
    form = ReportForm(request.POST if request.method == "POST" else None)
    if not form.is_bound or not form.is_valid():
        return _report_page(request, comment, form, status=200)
    ip_address = client_ip(request)
    if wait := reports.seconds_to_wait_for(comment, ip_address):
        seconds = max(1, round(wait))
        form.add_error(
            None,
            _("Too many reports from your network just now; please send it again in %(seconds)d seconds.")
            % {"seconds": seconds},
        )
        response = _report_page(request, comment, form, status=429)
        response["Retry-After"] = str(seconds)
        return response
    reports.file_report(comment, ip_address, **form.report_fields())
    thanks = redirect(request.path)
    reported = [comment.pk, *reports.reported_ids(request)][: reports.MAX_REPORTED_IN_COOKIE]
    thanks.set_signed_cookie(
        reports.REPORTED_COOKIE,
        ",".join(map(str, reported)),
        salt=reports.REPORTED_COOKIE,
        max_age=settings.COMMENTS_REPORTED_COOKIE_AGE,
        **_cookie_options(),
    )
    return thanks


def _report_page(request: HttpRequest, comment: Comment, form: ReportForm | None, status: int) -> TemplateResponse:
    """The report form (or, without a form, the thanks), never kept by a shared cache."""
    context = {"comment": comment, "article": comment.article, "form": form}
    response = TemplateResponse(request, "comments/report.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response
