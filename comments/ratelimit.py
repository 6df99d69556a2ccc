"""“At most once per interval”, shared by every app server and worker through the cache."""

import time

from django.core.cache import cache
from django.utils.crypto import salted_hmac


def limit_key(kind: str, value: str) -> str:
    """A cache key for a limit on `value` (an address, an email): keyed, so the cache never reveals the value."""
    return f"comments:{kind}:{salted_hmac('comments.ratelimit', value).hexdigest()}"


def seconds_left(key: str, interval: float) -> float:
    """How long until `key` is free again (0 if it is), recording nothing."""
    last = cache.get(key)
    return 0 if last is None else max(0, interval - (time.time() - last))


def seconds_to_wait(key: str, interval: float) -> float:
    """0 and the event is recorded if `key` is free, else how long until it is.

    The time of the last event is kept in the value and compared with the clock this
    code sees; cache expiry only cleans up. add() is atomic, so of two simultaneous
    first events exactly one goes through.
    """
    now = time.time()
    if cache.add(key, now, timeout=interval + 1):
        return 0
    elapsed = now - cache.get(key, 0)
    if elapsed < interval:
        return interval - elapsed
    cache.set(key, now, timeout=interval + 1)
    return 0
