import itertools
import time

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.urls import reverse

from articles.models import Article
from comments.forms import form_token
from comments.models import Comment

SEEDED_SLUG = "can-facial-exercises-improve-your-skin"
_sequence = itertools.count(1)


def clear_caches():
    for name in ("default", "fragments"):
        caches[name].clear()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Flood limits, versions and cached fragments live in the caches: every test starts without them."""
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def article(db):
    """The article the migrations create, with its three approved reader comments."""
    return Article.objects.get(slug=SEEDED_SLUG)


@pytest.fixture
def make_article(db):
    def make(**fields):
        n = next(_sequence)
        fields.setdefault("title", f"Article {n}")
        fields.setdefault("slug", f"article-{n}")
        fields.setdefault("body", f"<p>Body of article {n}.</p>")
        return Article.objects.create(**fields)

    return make


@pytest.fixture
def make_comment(db):
    """A stored comment; approved ones go through the moderation transition so counts stay right."""
    from comments import transitions

    def make(article, status=Comment.Status.APPROVED, **fields):
        n = next(_sequence)
        fields.setdefault("author_name", f"Reader {n}")
        fields.setdefault("author_email", f"reader{n}@example.com")
        fields.setdefault("body", f"Comment number {n}.")
        comment = Comment.objects.create(article=article, status=Comment.Status.PENDING, **fields)
        if status != Comment.Status.PENDING:
            transitions.set_status(Comment.objects.filter(pk=comment.pk), status)
            comment.refresh_from_db()
        return comment

    return make


def comment_data(on, rendered_at=None, **fields):
    """A valid "Leave a Reply" post, as a browser sends it a minute after loading the page."""
    n = next(_sequence)
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


@pytest.fixture
def post_comment(client):
    """Post the form for article `on` with `fields` over a valid default, from `client` (or another)."""

    def post(on, via=None, headers=None, **fields):
        url = reverse("comments:post", args=[on.pk])
        return (via or client).post(url, comment_data(on, **fields), headers=headers or {})

    return post


@pytest.fixture
def moderator(db):
    user = User.objects.create_user("mod", "mod@example.com", "mod-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def page(response):
    """The response's HTML parsed the way a browser would (ElementTree, no namespaces)."""
    import html5lib

    return html5lib.parse(response.content.decode(), namespaceHTMLElements=False)


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
