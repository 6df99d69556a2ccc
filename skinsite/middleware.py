import functools

import csp.middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import middleware as auth
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.core.exceptions import BadRequest
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponseBadRequest
from django.middleware.gzip import GZipMiddleware
from django.template.response import SimpleTemplateResponse
from django.urls import reverse


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection into a clear 503 page instead of a server error.

    Django's request logger records the 503 itself, as one line.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        response = SimpleTemplateResponse("503.html", status=503)
        response["Retry-After"] = "30"
        return response


class PublicPageGZipMiddleware(GZipMiddleware):
    """Compress the pages that are the same for every reader; never a reader's own page (BREACH).

    BREACH recovers a secret from the compressed size of responses that also reflect what an
    attacker chose. A public page holds no secret of the reader's: its CSRF token is masked
    afresh for every response (Django), its form token is new for every response, and it
    reflects nothing from the request (cpage and replytocom are digits, checked). Everything
    else (the reader's remembered details, held comments, a form with their input, the admin)
    is `Cache-Control: private` (comments.middleware, Django's never_cache) and goes out as is.
    Django's GZipMiddleware also pads each response with random bytes ("Heal the BREACH").
    """

    def process_response(self, request, response):
        cache_control = response.get("Cache-Control", "")
        if request.method not in {"GET", "HEAD"} or "private" in cache_control or "no-store" in cache_control:
            return response
        return super().process_response(request, response)


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp, with the site's own policy built once per process instead of for every response.

    A response that asks for nothing of its own (no nonce, no decorator's config, update,
    replace or exemption; no excluded prefix configured) takes the policy built from the
    settings; any other goes through django-csp unchanged.
    """

    PER_RESPONSE = tuple(f"_csp_{part}{ro}" for part in ("config", "update", "replace", "exempt") for ro in ("", "_ro"))

    def process_response(self, request, response):
        if settings.DEBUG or _site_policy() is None or getattr(request, "_csp_nonce", None) is not None:
            return super().process_response(request, response)
        if any(hasattr(response, name) for name in self.PER_RESPONSE):
            return super().process_response(request, response)
        for header, value in _site_policy().items():
            response.headers.setdefault(header, value)
        request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def _site_policy():
    """The headers of the policy in the settings, or None when a prefix is excluded (django-csp decides)."""
    names = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
    policies = [getattr(settings, name, None) or {} for name in names]
    if any(policy.get("EXCLUDE_URL_PREFIXES") for policy in policies):
        return None
    built = {HEADER: build_policy(), HEADER_REPORT_ONLY: build_policy(report_only=True)}
    return {header: value for header, value in built.items() if value}


@receiver(setting_changed)
def _policy_changed(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policy.cache_clear()


# ---- sessions, users and messages: for the admin only


def _has_session(request):
    """Readers have no accounts: only the admin, and a browser that signed in to it, have a session."""
    return request.path.startswith(_admin_prefix()) or settings.SESSION_COOKIE_NAME in request.COOKIES


@functools.cache
def _admin_prefix():
    return reverse("admin:index")


class SessionMiddleware(sessions.SessionMiddleware):
    """Django's sessions, where there can be one (a reader's page does without the work)."""

    def __call__(self, request):
        return super().__call__(request) if _has_session(request) else self.get_response(request)


class AuthenticationMiddleware(auth.AuthenticationMiddleware):
    """Django's users, where there can be a session; everyone else is anonymous."""

    def __call__(self, request):
        if _has_session(request):
            return super().__call__(request)
        request.user = AnonymousUser()
        request.auser = _anonymous
        return self.get_response(request)


async def _anonymous():
    return AnonymousUser()


class MessageMiddleware(messages.MessageMiddleware):
    """Django's messages, where there can be a session (readers' pages never show any)."""

    def __call__(self, request):
        return super().__call__(request) if _has_session(request) else self.get_response(request)


class UnreadableBodyMiddleware:
    """A POST whose form body Django cannot read (an unknown charset, say) gets a plain 400.

    Django raises BadRequest from request.POST, and the CSRF middleware and the error views
    (which render a CSRF token) read it again, turning a bad request into a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 (parsed once here; Django keeps it)
            except BadRequest:
                return HttpResponseBadRequest("Bad request: the form could not be read.\n", content_type="text/plain")
        return self.get_response(request)
