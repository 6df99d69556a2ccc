"""“At most once per interval”, shared by every app server and worker through the cache."""

import time

from django.core.cache import cache


def seconds_to_wait(key, interval):
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
