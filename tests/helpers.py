"""What tests share that is not a fixture: the seeded article's address, a valid post, page parsing, services."""

import itertools
import os
import time
from pathlib import Path

import pytest
from django.core.cache import caches

from articles.seed import SLUG as ARTICLE_SLUG
from comments.forms import form_token

ARTICLE_URL = f"/articles/{ARTICLE_SLUG}/"
sequence = itertools.count(1)


def clear_caches():
    for name in ("default", "fragments"):
        caches[name].clear()


def comment_data(on, rendered_at=None, **fields):
    """A valid "Leave a Reply" post, as a browser sends it a minute after loading the page."""
    n = next(sequence)
    data = {
        "token": form_token(on, rendered_at or time.time() - 60),
        "body": f"A thoughtful comment, number {n}.",
        "author_name": f"Reader {n}",
        "author_email": f"reader{n}@example.com",
        "author_url": "",
        "parent": "",
        "leave_empty": "",
    }
    data.update(fields)
    return data


def page(response):
    """The response's HTML parsed the way a browser would (ElementTree, no namespaces)."""
    import html5lib

    return html5lib.parse(response.content.decode(), namespaceHTMLElements=False)


def form_controls(response, form_id="commentform"):
    """The values of a form's named inputs as a browser submits them: inside it, or tied to it by `form`."""
    doc = page(response)
    inside = doc.findall(f".//form[@id='{form_id}']//input[@name]")
    tied = doc.findall(f".//input[@form='{form_id}'][@name]")
    return {control.get("name"): control.get("value", "") for control in inside + tied}


def text_of(element):
    return " ".join("".join(element.itertext()).split())


def require_services(postgres=True, redis=False):
    """Skip a test that needs real servers when they are not configured; CI makes that a failure."""
    import os

    from django.db import connection

    missing = []
    if postgres and connection.vendor != "postgresql":
        missing.append("DATABASE_URL pointing to PostgreSQL")
    if redis and not os.environ.get("REDIS_URL"):
        missing.append("REDIS_URL")
    if missing:
        reason = "needs " + " and ".join(missing)
        if os.environ.get("SKINSITE_REQUIRE_SERVICES") == "1":
            pytest.fail(reason + " (SKINSITE_REQUIRE_SERVICES=1: a skip would hide it)")
        pytest.skip(reason)


def free_port():
    """A loopback TCP port nobody listens on now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_environment(**extra):
    """The environment for a server or worker process that must use this test run's database."""
    import os

    from django.db import connection

    database = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{database['NAME']}"
    else:
        url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    inherited = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "COMMENTS_"))}
    return inherited | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "subprocess-shared-secret-key-for-tests-0123456789abcdefghij",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_FROM_FINDERS": "1",
        "DATABASE_URL": url,
        **extra,
    }


def approved_counts(article):
    """(approved comments, approved threads) of an article, as CommentStats keeps them."""
    from comments.models import CommentStats

    stats = CommentStats.objects.filter(article=article).first()
    return (stats.approved_count, stats.thread_count) if stats else (0, 0)


def posted_comments():
    """Comments posted during the test: every posted comment has an email, the seeded ones have none."""
    from comments.models import Comment

    return Comment.objects.exclude(author_email="")


def shared_data() -> Path:
    """The project's shared real data (../shared/data next to the repository, never copied into it).

    SKINSITE_SHARED_DATA names it for a clone made elsewhere (CI clones into a temporary folder).
    """
    configured = os.environ.get("SKINSITE_SHARED_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
