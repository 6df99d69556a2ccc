"""Settings for skinsite: one module, configured from the environment.

With nothing set the site runs in development mode on SQLite. With DEBUG off it
refuses to start without a secret key and allowed hosts, so a production server
can never run on the development defaults. See the README for every variable.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from environs import Env, EnvValidationError, validate

BASE_DIR = Path(__file__).resolve().parent.parent

# Every value is checked, and every mistake reported at once, by env.seal() at the end.
env = Env(eager=False, expand_vars=False)
# A development .env (`make run` writes DJANGO_DEBUG=1 there), never overriding the real environment.
env.read_env(BASE_DIR / ".env", recurse=False, override=False)

DEBUG = env.bool("DJANGO_DEBUG", False)

# Both required when DEBUG is off (checked at the end, with every other value).
SECRET_KEY = env.str("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "skinsite",
    "articles",
    "comments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "skinsite.middleware.PublicPageGZipMiddleware",
    "skinsite.middleware.CSPMiddleware",
    "skinsite.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "skinsite.middleware.UnreadableBodyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "skinsite.middleware.AuthenticationMiddleware",
    "skinsite.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "comments.middleware.PrivateCommentPagesMiddleware",
    "skinsite.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "skinsite.urls"
WSGI_APPLICATION = "skinsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "skinsite.context_processors.site_font",
            ],
        },
    },
]

# Database: SQLite by default, anything dj-database-url understands otherwise.
# Persistent connections with health checks keep PostgreSQL round trips low.
DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env.int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction starts, and wait up to 20 s for it,
    # so concurrent posts queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches. "default" is shared by every app server and worker: limits (flood, one use per
# form), and the versions that name the state of articles and comment lists. Redis when
# configured; in production without Redis, a table in the database (never per-process
# memory, which would let each gunicorn worker keep its own limits); process memory only
# in development, which runs one process. "fragments" holds what is rendered from a
# version (pages of comments, articles): keyed on that version, so each process may keep
# its own copy, which is faster than fetching it.
REDIS_URL = env.str("REDIS_URL", "")
# The database and memory caches cull entries past MAX_ENTRIES (Django's default is 300), which
# would drop live limits: the limit is set far above what a site keeps (one key per recent
# post, client and mailbox), and expired entries are cleaned on the way.
SHARED_CACHE: dict[str, Any]
if REDIS_URL:
    SHARED_CACHE = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
elif DEBUG:
    SHARED_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"}
else:
    SHARED_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "skinsite_cache"}
if not REDIS_URL:
    SHARED_CACHE["OPTIONS"] = {"MAX_ENTRIES": 1_000_000, "CULL_FREQUENCY": 10}
CACHES = {
    "default": SHARED_CACHE,
    "fragments": {
        "BACKEND": "skinsite.cache.ProcessMemoryCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: hashed and compressed by WhiteNoise, served by the site itself.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The reader's font comes from npm (package.json): skinsite.staticfiles serves its one latin
# woff2 under fonts/, when `npm ci` has installed it (without, the system serif stands in).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "skinsite.staticfiles.FontFinder",
]
# Tests and `make run` serve straight from the finders; production from collectstatic.
STATIC_FROM_FINDERS = env.bool("DJANGO_STATIC_FROM_FINDERS", DEBUG)
STATIC_ROOT = None if STATIC_FROM_FINDERS else Path(env.str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if STATIC_FROM_FINDERS
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = STATIC_FROM_FINDERS
WHITENOISE_AUTOREFRESH = DEBUG

# Email: Django's own names; the console in development.
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "skinsite <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: strict by default, relaxed only in development.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): only this site's own files, no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Background tasks (django-tasks): run at once in development and tests; in production
# DJANGO_TASKS_BACKEND=database queues them in the database for `manage.py db_worker`.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = env.str("DJANGO_TASKS_BACKEND", "immediate", validate=validate.OneOf(list(TASK_BACKENDS)))
TASKS = {"default": {"BACKEND": TASK_BACKENDS.get(TASKS_BACKEND, TASK_BACKENDS["immediate"])}}

# The site's public address, for links in emails (sent from workers, outside any request).
SITE_URL = env.str("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
MANAGERS = [("", address) for address in env.list("DJANGO_MANAGERS", [], subcast=str)]

# django-crispy-forms
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# One line per record on stdout, never an email address or a comment body.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"one_line": {"()": "skinsite.logging.OneLineFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "one_line"}},
    "root": {"handlers": ["stdout"], "level": env.str("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": env.str("DJANGO_LOG_LEVEL", "WARNING"), "propagate": False}
    },
}

LOGIN_URL = "admin:login"
# Where the admin login goes when its ?next= is missing or unsafe (Django's default is /accounts/profile/).
LOGIN_REDIRECT_URL = "admin:index"

# Cached pages and articles are keyed on the database state (skinsite.versioned_cache), so
# this only bounds how long a deploy's template change takes to reach unchanged pages.
PAGE_CACHE_SECONDS = env.int("DJANGO_PAGE_CACHE_SECONDS", 3600)
# How long each process trusts its own copy of a version (0: ask the shared cache every time):
# a moderator's decision reaches every reader within this time.
PAGE_VERSION_SECONDS = env.float("DJANGO_PAGE_VERSION_SECONDS", 1.0, validate=validate.Range(min=0, max=60))

# Comments: every threshold can be overridden from the environment under its own name.
# The staff group that moderates comments (created by comments' migration 0003).
COMMENTS_MODERATORS_GROUP = "Moderators"
# The author name of replies moderators write from the queue ("r"), as the site.
COMMENTS_SITE_AUTHOR = env.str("COMMENTS_SITE_AUTHOR", "skinsite")
COMMENTS_MAX_DEPTH = env.int("COMMENTS_MAX_DEPTH", 5)
COMMENTS_PER_PAGE = env.int("COMMENTS_PER_PAGE", 50)
COMMENTS_NEWEST_PAGE_FIRST = env.bool("COMMENTS_NEWEST_PAGE_FIRST", True)
COMMENTS_REMEMBER_COOKIE_AGE = env.int("COMMENTS_REMEMBER_COOKIE_AGE", 365 * 24 * 3600)
COMMENTS_PENDING_COOKIE_AGE = env.int("COMMENTS_PENDING_COOKIE_AGE", 30 * 24 * 3600)
COMMENTS_FLOOD_SECONDS = env.int("COMMENTS_FLOOD_SECONDS", 15)
COMMENTS_MIN_SUBMIT_SECONDS = env.int("COMMENTS_MIN_SUBMIT_SECONDS", 3)
COMMENTS_FORM_MAX_AGE_SECONDS = env.int("COMMENTS_FORM_MAX_AGE_SECONDS", 7200)
COMMENTS_MAX_LINKS = env.int("COMMENTS_MAX_LINKS", 2)
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", 0)
COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = env.bool("COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS", False)
COMMENTS_TRUSTED_PROXY_COUNT = env.int("COMMENTS_TRUSTED_PROXY_COUNT", 0)
COMMENTS_REPLY_EMAIL_INTERVAL_SECONDS = env.int("COMMENTS_REPLY_EMAIL_INTERVAL_SECONDS", 3600)
COMMENTS_UNSUBSCRIBE_MAX_AGE_DAYS = env.int("COMMENTS_UNSUBSCRIBE_MAX_AGE_DAYS", 30)
COMMENTS_EMAIL_ATTEMPTS = env.int("COMMENTS_EMAIL_ATTEMPTS", 5)
COMMENTS_IP_RETENTION_DAYS = env.int("COMMENTS_IP_RETENTION_DAYS", 90)
COMMENTS_UNDO_SECONDS = env.int("COMMENTS_UNDO_SECONDS", 600)
# Reader reports: distinct readers whose reports unpublish a comment until a moderator decides,
# and at most one report per client (IPv4 address or IPv6 /64), and per comment, in so many seconds.
COMMENTS_REPORTS_TO_HIDE = env.int("COMMENTS_REPORTS_TO_HIDE", 3, validate=validate.Range(min=1))
COMMENTS_REPORT_CLIENT_SECONDS = env.int("COMMENTS_REPORT_CLIENT_SECONDS", 60)
COMMENTS_REPORT_COMMENT_SECONDS = env.int("COMMENTS_REPORT_COMMENT_SECONDS", 10)
COMMENTS_REPORTED_COOKIE_AGE = env.int("COMMENTS_REPORTED_COOKIE_AGE", 365 * 24 * 3600)

# Akismet (optional): with a key, every new comment is also checked by Akismet from the task
# queue, and moderators' spam / not-spam decisions are reported back. Off when the key is empty.
AKISMET_API_KEY = env.str("AKISMET_API_KEY", "")
# The site the key is registered for (Akismet's "blog"), http:// or https://.
AKISMET_BLOG_URL = env.str(
    "AKISMET_BLOG_URL", SITE_URL, validate=validate.URL(schemes={"http", "https"}, require_tld=False)
)
# Seconds to wait for Akismet's answer, and tries per request (2, 4, 8… minutes apart, database backend).
AKISMET_TIMEOUT_SECONDS = env.float("AKISMET_TIMEOUT_SECONDS", 3.0)
AKISMET_ATTEMPTS = env.int("AKISMET_ATTEMPTS", 3)
# An author whose decided comments of the last COMMENTS_HISTORY_DAYS were rejected (spam, trash) more
# often than this share, out of at least COMMENTS_HOLD_MIN_DECIDED, is held even when a rule would approve.
COMMENTS_HISTORY_DAYS = env.int("COMMENTS_HISTORY_DAYS", 90, validate=validate.Range(min=1))
COMMENTS_HOLD_REJECTED_SHARE = env.float("COMMENTS_HOLD_REJECTED_SHARE", 0.5, validate=validate.Range(min=0, max=1))
COMMENTS_HOLD_MIN_DECIDED = env.int("COMMENTS_HOLD_MIN_DECIDED", 3, validate=validate.Range(min=1))

# The spam classifier (comments.spam): at or above THRESHOLD a new comment is filed as spam, at or above
# HOLD_THRESHOLD it is held with a warning, and it acts only once trained on MIN_EXAMPLES decisions,
# at least MIN_PER_KIND of each kind. THRESHOLD comes from `manage.py comments_spam_eval` (README).
COMMENTS_SPAM_THRESHOLD = env.float("COMMENTS_SPAM_THRESHOLD", 0.99)
COMMENTS_SPAM_HOLD_THRESHOLD = env.float("COMMENTS_SPAM_HOLD_THRESHOLD", 0.5)
COMMENTS_SPAM_MIN_EXAMPLES = env.int("COMMENTS_SPAM_MIN_EXAMPLES", 200)
COMMENTS_SPAM_MIN_PER_KIND = env.int("COMMENTS_SPAM_MIN_PER_KIND", 50)
COMMENTS_SPAM_MAX_EXAMPLES = env.int("COMMENTS_SPAM_MAX_EXAMPLES", 20000)  # the newest decisions train it

try:
    env.seal()  # every invalid variable at once, each named with what it accepts
except EnvValidationError as error:
    by_name = cast("Mapping[str, list[str]]", error.error_messages)  # seal() reports a mapping, never a list
    problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in by_name.items())
    raise ImproperlyConfigured(f"Invalid environment variables: {problems}") from None
if not DEBUG and not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS (comma-separated) when DJANGO_DEBUG is off.")
SECRET_KEY = SECRET_KEY or "django-insecure-development-only-key-never-use-in-production"
