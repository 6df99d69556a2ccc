"""Instructions per request of the page and of its limit, by valgrind: `.venv/bin/python bench/instructions.py [N]`.

Timings move with whatever else the machine does; instruction counts do not. This seeds the
bench database with one article of N comments (10,000 by default), keeps the page's bytes for
the limit (bench/limit.py), then runs each through Django's WSGI handler REQUESTS times in a
process of its own under callgrind, which counts only inside that loop (functools.reduce
drives it: callgrind toggles counting on entering and leaving that C function). The cost
of gunicorn and of the network, the same for both, is left out: this is the Python side only.
Needs valgrind (Debian's package); about two minutes.
"""

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REQUESTS = 100
SLUG = "bench-instructions"


def handle(requests):
    """In the process callgrind watches: warm up, then REQUESTS cookie-less GETs, counted."""
    import django
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    django.setup()
    handler = WSGIHandler()
    environ = RequestFactory().get(f"/articles/{SLUG}/", HTTP_HOST="127.0.0.1").environ
    statuses = []

    def get(*_):
        response = handler(dict(environ), lambda status, headers: statuses.append(status))
        b"".join(response)
        response.close()

    for _ in range(30):
        get()
    assert statuses[-1].startswith("200"), statuses[-1]
    functools.reduce(get, range(requests), None)


def counted(settings_module):
    """Instructions per request of the page (skinsite.settings) or the limit (bench.limit)."""
    out = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--handle",
        ],
        env=os.environ | {"DJANGO_SETTINGS_MODULE": settings_module, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    return int(re.search(r"Collected : (\d+)", out)[1]) // REQUESTS


def main():
    if not shutil.which("valgrind"):
        raise SystemExit("bench/instructions.py needs valgrind: apt-get install -y valgrind")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.run import OUT, add_article, reader, setup  # importing it sets up the bench environment

    setup()
    article = add_article(SLUG, int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
    response = reader().get(article.get_absolute_url())
    OUT.mkdir(exist_ok=True)
    (OUT / f"{SLUG}.html").write_bytes(response.content)
    page, limit = counted("skinsite.settings"), counted("bench.limit")
    print(
        f"instructions per request, {REQUESTS} requests through Django's WSGI handler ({len(response.content)} bytes):"
    )
    print(f"  page  {page:>10,}\n  limit {limit:>10,}\n  page/limit {page / limit:.1f}x")


if __name__ == "__main__":
    if sys.argv[1:] == ["--handle"]:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        if os.environ["DJANGO_SETTINGS_MODULE"] != "bench.limit":
            import bench.run  # noqa: F401  (the bench environment: its database, DEBUG off)
        handle(REQUESTS)
    else:
        main()
