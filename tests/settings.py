"""The test run: development-safe values for what production must set, then the one settings module.

Only the environment is set here, so the suite exercises skinsite/settings.py itself
(DEBUG off, as Django's test runner forces anyway). DATABASE_URL and REDIS_URL pass
through, so the same suite runs against PostgreSQL and Redis.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")  # never the development .env that `make run` writes
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-any-real-site-0123456789")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_STATIC_FROM_FINDERS", "1")

from skinsite.settings import *  # noqa: F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared-cache memory database: that one fails concurrent
    # writers at once ("table is locked") instead of waiting as db.sqlite3 does.
    import tempfile

    # One file per test process, so that two runs at once never share it.
    DATABASES["default"]["TEST"] = {"NAME": f"{tempfile.gettempdir()}/skinsite-tests-{os.getpid()}.sqlite3"}  # noqa: F405
    # Connections kept open by the test client's threads would outlive their tests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# The production database cache, declared under its own name so that the test database
# gets its table, for the production servers that tests start without Redis.
CACHES["database"] = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "skinsite_cache"}  # noqa: F405
if not os.environ.get("REDIS_URL"):
    # Process memory rather than that table, so that the query counts the tests assert are the page's own.
    CACHES["default"] = {  # noqa: F405
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shared",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }

# Hashing test passwords with PBKDF2 would dominate the suite's run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
