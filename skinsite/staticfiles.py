"""The reader's font, from the npm package @fontsource-variable/source-serif-4 (package.json).

Only two files are served, under fonts/: the latin variable woff2 and the stylesheet that
declares it (assets/fonts/). Where npm has not installed the package, neither exists, the
page links neither (skinsite.context_processors.site_font), and the text falls back to
the system's serif.
"""

import functools

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

FONT_PACKAGE = settings.BASE_DIR / "node_modules" / "@fontsource-variable" / "source-serif-4" / "files"
FONT_FILE = "source-serif-4-latin-wght-normal.woff2"
FONT_CSS = "source-serif-4.css"
PREFIX = "fonts"


@functools.cache
def font_available():
    return (FONT_PACKAGE / FONT_FILE).is_file()


class FontFinder(BaseFinder):
    """Finds fonts/<FONT_FILE> in the npm package and fonts/<FONT_CSS> in assets/fonts/, when the package is there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storages = {}
        for name, folder in ((FONT_FILE, FONT_PACKAGE), (FONT_CSS, settings.BASE_DIR / "assets" / "fonts")):
            storage = FileSystemStorage(location=folder)
            storage.prefix = PREFIX  # collectstatic writes the file under fonts/
            self.storages[name] = storage

    def check(self, **kwargs):
        return []  # a missing font is no error: the stylesheet falls back to the system's serif

    def find(self, path, find_all=False, **kwargs):
        prefix, _, name = path.partition("/")
        if prefix != PREFIX or name not in self.storages or not font_available():
            return [] if find_all else None
        found = self.storages[name].path(name)
        return [found] if find_all else found

    def list(self, ignore_patterns):
        if font_available():
            yield from self.storages.items()
