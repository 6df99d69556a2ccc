from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from skinsite.urls import urlpatterns as site_urlpatterns

PRERENDERED = Path(__file__).resolve().parent / "prerendered"
_pages = {}


def static_limit(request, slug):
    """The article page's bytes, rendered once beforehand: what serving costs without any page work."""
    if slug not in _pages:
        _pages[slug] = (PRERENDERED / f"{slug}.html").read_bytes()
    return HttpResponse(_pages[slug], content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/static-limit/<slug:slug>/", static_limit), *site_urlpatterns]
