"""The "fragments" cache: each process's memory, holding the stored objects themselves."""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache


class ProcessMemoryCache(LocMemCache):
    """Django's LocMemCache without the pickling: a read returns the stored object, not a copy.

    What is kept here is computed from a version (rendered HTML, an article, a snapshot of
    counts) and never changed once stored, so a copy for every read (a pickle round trip,
    most of a warm page's cache time) buys nothing. Callers must not change what they read.
    Keys never leave the process: memcached's rules for them are not checked either.
    """

    def validate_key(self, key):
        pass

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False

    def get(self, key, default=None, version=None):
        key = self.make_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            self._cache.move_to_end(key, last=False)
            return self._cache[key]

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def incr(self, key, delta=1, version=None):
        key = self.make_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                raise ValueError(f"Key '{key}' not found")
            self._cache[key] += delta
            return self._cache[key]
