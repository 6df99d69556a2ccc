"""Cache entries named after the database state they were computed from, so none is ever invalidated.

A *version* names a state (for example the time an article's comments last changed). It
lives in the database, and a copy in the shared cache saves the query: the transaction
that changes the state publishes the new version there once it commits. What is computed
from a version lives in each process's "fragments" cache. Entries computed
from a state are stored under a key that includes its version, so every app server sees a
change on its next request. A reader that loaded an old version from the database just
before a commit can only store fresh data under an old name, never stale data under the
new one; and a version lost from the cache is loaded again from the database.

Each process also trusts its own copy of a version for PAGE_VERSION_SECONDS (1 s), so a
page served from memory asks nothing of the shared cache: a change reaches the other
processes within that time, and the process that made it at once.
"""

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction


def _timeout():
    # Also bounds how long a deploy's template change takes to reach unchanged pages, and
    # how long a version whose publication failed (cache down at commit) can linger.
    return settings.PAGE_CACHE_SECONDS


def _own_copy(name):
    return f"version:{name}"


def current_version(name, load):
    """The version called `name`: this process's recent copy, the shared cache's, or load() from the database."""
    own = caches["fragments"]
    version = own.get(_own_copy(name))
    if version is None:
        version = cache.get(name)
        if version is None:
            version = load()
            cache.add(name, version, _timeout())  # a version published meanwhile wins
        if settings.PAGE_VERSION_SECONDS:
            own.set(_own_copy(name), version, settings.PAGE_VERSION_SECONDS)
    return version


def publish_version(name, version):
    """Make `version` current for every app server once the caller's transaction commits.

    The cached copies are dropped at once, so until the commit readers load the version
    from the database, where they still see the old state (and so does the transaction
    itself, which sees the new one).
    """
    cache.delete(name)
    caches["fragments"].delete(_own_copy(name))

    def publish():
        cache.set(name, version, _timeout())
        caches["fragments"].delete(_own_copy(name))  # a copy another thread loaded before the commit

    transaction.on_commit(publish)


def get_or_compute(compute, *state):
    """compute(), cached in this process under a key naming everything it depends on (versions included)."""
    fragments = caches["fragments"]
    key = ":".join(str(part) for part in state)
    value = fragments.get(key)
    if value is None:
        value = compute()
        fragments.set(key, value, _timeout())
    return value
