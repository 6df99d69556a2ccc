from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateCommentPagesMiddleware:
    """Mark a page that shows a reader something of their own (a held comment, their details) private.

    The plain article page is the same for everyone and stays cacheable; a shared proxy
    must never keep one reader's page for another.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if any(section.personal for section in getattr(request, "_comment_sections", {}).values()):
            patch_cache_control(response, private=True)
        return response
