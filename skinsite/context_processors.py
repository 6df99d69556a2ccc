from .staticfiles import FONT_CSS, FONT_FILE, PREFIX, font_available


def site_font(request):
    """The font's stylesheet and file for base.html, or nothing where npm has not installed the font."""
    if not font_available():
        return {"site_font": None}
    return {"site_font": {"css": f"{PREFIX}/{FONT_CSS}", "woff2": f"{PREFIX}/{FONT_FILE}"}}
