from django.db import InterfaceError, OperationalError
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
