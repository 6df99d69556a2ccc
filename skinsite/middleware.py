from django.db import InterfaceError, OperationalError
from django.middleware.gzip import GZipMiddleware
from django.template.response import SimpleTemplateResponse


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
