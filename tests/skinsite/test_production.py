"""The production configuration: settings from the environment, headers, health, outages, logs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from comments.models import Comment
from tests.helpers import ARTICLE_SLUG, ARTICLE_URL, approved_counts, comment_data, require_services

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-real-looking-production-secret-key-with-enough-entropy-8f3k2j5h7g9",
    "DJANGO_ALLOWED_HOSTS": "skin.example.org",
    "DJANGO_SETTINGS_MODULE": "skinsite.settings",
}


def _manage(*args, **env):
    base = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base | env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert f"Set {missing}" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_TASKS_BACKEND", "databse", "DJANGO_TASKS_BACKEND: Must be one of: immediate, database."),
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG: Not a valid boolean."),
        ("COMMENTS_FLOOD_SECONDS", "15s", "COMMENTS_FLOOD_SECONDS: Not a valid integer."),
        ("AKISMET_BLOG_URL", "skin.example.org", "AKISMET_BLOG_URL: Not a valid URL."),
    ],
)
def test_a_mistyped_setting_names_the_variable_and_what_it_accepts(variable, value, message):
    result = _manage("check", **PRODUCTION | {variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured: Invalid environment variables: " in result.stderr and message in result.stderr


def test_collected_static_files_are_hashed_and_cached_for_long(tmp_path):
    env = PRODUCTION | {"DJANGO_STATIC_ROOT": str(tmp_path), "DJANGO_ALLOWED_HOSTS": "testserver"}
    assert _manage("collectstatic", "--no-input", "--verbosity", "0", **env).returncode == 0
    script = (
        "import django; django.setup();"
        "from django.templatetags.static import static; from django.test import Client;"
        "url = static('css/site.css'); r = Client().get(url, secure=True);"
        "print(url, r.status_code, r['Cache-Control'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    url, status, cache_control = result.stdout.split(" ", 2)
    assert url.startswith("/static/css/site.") and url != "/static/css/site.css"
    assert status == "200"
    assert "max-age=315360000" in cache_control and "immutable" in cache_control


@pytest.mark.parametrize("path", [ARTICLE_URL, "/admin/login/"])
def test_every_page_has_a_strict_content_security_policy(client, article, path):
    policy = dict(
        directive.strip().split(" ", 1) for directive in client.get(path)["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in str(policy) and "unsafe-eval" not in str(policy)


def test_security_headers(client, article):
    response = client.get(ARTICLE_URL, secure=True)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "max-age=31536000" in response["Strict-Transport-Security"]


def test_pages_use_no_inline_script(client, article):
    html = client.get(ARTICLE_URL).content.decode()
    assert "<script>" not in html and " on" + "click=" not in html
    assert '<script src="/static/js/comments.js" defer></script>' in html


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.fixture
def log_output():
    """What the stdout log handler writes during the test."""
    import io
    import logging

    handler = logging.getLogger("django").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def _fail_on(fragment):
    """A query wrapper that fails like a dropped server connection once SQL containing `fragment` runs."""

    def wrapper(execute, sql, params, many, context):
        if fragment in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return wrapper


def test_healthz_is_503_when_the_database_fails(client, db):
    with connection.execute_wrapper(_fail_on("SELECT 1")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_healthz_is_503_when_postgres_is_unreachable(client, monkeypatch):
    require_services(postgres=True)
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", "1")
    assert client.get("/healthz").status_code == 503
    connection.close()


@pytest.mark.parametrize("fails_at", ["INSERT INTO", "UPDATE"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_outage_while_posting_is_a_clear_503(client, settings, log_output, make_comment, fails_at):
    from articles.models import Article

    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True  # so the post also updates the article's count
    article = Article.objects.get(slug=ARTICLE_SLUG)
    make_comment(article, author_name="Known", author_email="outage@example.com")
    before = (Comment.objects.count(), approved_counts(article)[0])
    data = comment_data(article, author_name="Known", author_email="outage@example.com", body="Posted in an outage")
    client.raise_request_exception = False
    with connection.execute_wrapper(_fail_on(fails_at)):
        response = client.post(reverse("comments:post", args=[article.pk]), data)
    assert response.status_code == 503
    assert b"Temporarily unavailable" in response.content and b"Nothing was saved" in response.content
    assert b"Traceback" not in response.content
    assert (Comment.objects.count(), approved_counts(article)[0]) == before
    logged = log_output.getvalue()
    assert logged.count("\n") == 1 and "ERROR django.request Service Unavailable: /comments/post/" in logged
    assert "outage@example.com" not in logged and "Posted in an outage" not in logged


def test_server_error_is_logged_as_one_line_without_personal_data(client, article, monkeypatch, log_output):
    from comments import rules

    def explode(comment, **kwargs):
        raise RuntimeError(f"failed for {comment.author_email}: {comment.body}")

    monkeypatch.setattr(rules, "submit", explode)
    client.raise_request_exception = False
    data = comment_data(article, author_email="secret.person@example.com", body="very private words")
    response = client.post(reverse("comments:post", args=[article.pk]), data)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    (line,) = log_output.getvalue().splitlines()
    assert "django.request Internal Server Error: /comments/post/" in line and "RuntimeError" in line
    assert "secret.person" not in line and "very private words" not in line


def test_log_lines_blank_email_addresses_in_messages():
    import logging

    from skinsite.logging import OneLineFormatter

    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "user %s\nsaid hi", ("a.b+c@example.org",), None)
    assert OneLineFormatter().format(record).endswith("WARNING x user [email] said hi")


def test_configured_services_are_really_in_use():
    """With DATABASE_URL or REDIS_URL set, the suite must run against them (no silent fallback)."""
    from django.conf import settings

    if not os.environ.get("DATABASE_URL", "").startswith("postgres") and not os.environ.get("REDIS_URL"):
        pytest.skip("no DATABASE_URL or REDIS_URL configured: nothing to check")
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert connection.vendor == "postgresql"
    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        from django.core.cache import cache

        cache.set("probe", "1")
        assert cache.get("probe") == "1"
