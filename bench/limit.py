"""The limit the article page is measured against: a bare Django that answers with the page's bytes.

Settings module and URLconf in one: no apps, no middleware, no templates, no database.
It serves /articles/<slug>/ with the bytes `make bench` captured from the real page
(bench/prerendered/<slug>.html), read into memory when the worker starts, so what is
left to measure is gunicorn, Django's request handling and the bytes on the wire.
"""

from pathlib import Path

from django.http import Http404, HttpResponse
from django.urls import path

SECRET_KEY = "benchmark-only-limit"  # noqa: S105 (nothing here is signed)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = []
MIDDLEWARE = []
ROOT_URLCONF = __name__
USE_I18N = False

PAGES = {page.stem: page.read_bytes() for page in (Path(__file__).parent / "prerendered").glob("*.html")}


def page(request, slug):
    if slug not in PAGES:
        raise Http404
    return HttpResponse(PAGES[slug], content_type="text/html; charset=utf-8")


urlpatterns = [
    path("articles/<slug:slug>/", page),
]
