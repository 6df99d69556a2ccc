"""The CSRF secrets drawn in one read, and the per-process cache that keeps objects (issue 13)."""

import os
from collections import Counter

import pytest
from django.core.cache import caches
from django.middleware import csrf
from django.test import Client, RequestFactory

from skinsite.csrf import mask_secret, new_csrf_string
from tests.helpers import ARTICLE_URL, comment_data, form_controls


def test_django_draws_its_csrf_secrets_and_masks_with_one_read_each(monkeypatch):
    reads, urandom = [], os.urandom

    def counted(size):
        reads.append(size)
        return urandom(size)

    monkeypatch.setattr(os, "urandom", counted)
    token = csrf.get_token(RequestFactory().get("/"))  # a new secret, then its mask
    assert len(reads) == 2
    assert len(token) == csrf.CSRF_TOKEN_LENGTH
    assert set(token) <= set(csrf.CSRF_ALLOWED_CHARS)


def test_every_character_is_equally_likely_and_bytes_past_the_last_whole_cycle_are_dropped(monkeypatch):
    """Each byte value, read alone: 248 of them map onto the 62 characters four times each, 8 are dropped."""
    reads = []
    monkeypatch.setattr(os, "urandom", lambda size: bytes([reads.pop(0)]) * size)
    drawn_from = {}
    for byte in range(256):
        reads[:] = [byte, 0]  # a dropped byte leaves nothing kept: the second read (byte 0 → "a") follows
        secret = new_csrf_string()
        assert len(set(secret)) == 1 and len(secret) == csrf.CSRF_SECRET_LENGTH
        drawn_from[byte] = secret[0] if reads else None  # the second read unused: kept
    kept = Counter(char for char in drawn_from.values() if char)
    assert set(kept) == set(csrf.CSRF_ALLOWED_CHARS) and set(kept.values()) == {4}
    assert [byte for byte, char in drawn_from.items() if char is None] == list(range(248, 256))


def test_drawn_secrets_differ_and_pass_djangos_format_check():
    secrets = {new_csrf_string() for _ in range(200)}
    assert len(secrets) == 200
    for secret in secrets:
        csrf._check_token_format(secret)  # raises InvalidTokenFormat otherwise


def test_a_masked_secret_is_what_django_would_make_with_that_mask_and_unmasks_to_the_secret():
    chars = csrf.CSRF_ALLOWED_CHARS
    for secret in [new_csrf_string() for _ in range(50)] + [chars[:32], chars[-32:]]:
        token = mask_secret(secret)
        mask, cipher = token[:32], token[32:]
        assert cipher == "".join(
            chars[(chars.index(s) + chars.index(m)) % len(chars)] for s, m in zip(secret, mask, strict=True)
        )
        assert csrf._unmask_cipher_token(token) == secret
    assert len({mask_secret(secret) for _ in range(50)}) == 50  # a new mask each time


def test_a_strict_post_with_a_one_read_token_is_taken_and_a_changed_one_refused(article):
    reader = Client(enforce_csrf_checks=True)
    controls = form_controls(reader.get(ARTICLE_URL))
    data = comment_data(article) | {name: controls[name] for name in ("csrfmiddlewaretoken", "token")}
    forged = data | {"csrfmiddlewaretoken": new_csrf_string() * 2}
    assert reader.post(ARTICLE_URL, forged).status_code == 403
    assert reader.post(ARTICLE_URL, data).status_code == 302


@pytest.fixture
def fragments():
    return caches["fragments"]


def test_the_process_cache_returns_the_stored_object_itself(fragments):
    value = ["rendered", "html"]
    fragments.set("key", value)
    assert fragments.get("key") is value


def test_the_process_cache_adds_only_what_it_lacks_and_counts(fragments):
    assert fragments.add("n", 1) is True
    assert fragments.add("n", 5) is False
    assert fragments.incr("n", 2) == 3
    assert fragments.get_or_set("other", "computed") == "computed"


def test_the_process_cache_forgets_expired_and_deleted_entries(fragments):
    fragments.set("gone", "x", timeout=-1)
    assert fragments.get("gone", "missing") == "missing"
    with pytest.raises(ValueError, match="not found"):
        fragments.incr("gone")
    fragments.set("n", 1)
    fragments.delete("n")
    assert fragments.get("n") is None


def test_the_process_cache_drops_the_oldest_entries_past_its_size():
    from skinsite.cache import ProcessMemoryCache

    small = ProcessMemoryCache("test-small", {"OPTIONS": {"MAX_ENTRIES": 3, "CULL_FREQUENCY": 3}})
    for n in range(4):
        small.set(f"k{n}", n)
    assert small.get("k3") == 3
    assert small.get("k0") is None


def test_a_renamed_django_function_stops_the_site_at_startup(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from skinsite.csrf import use_cheaper_tokens

    monkeypatch.delattr(csrf, "_mask_cipher_secret")
    with pytest.raises(ImproperlyConfigured, match="_mask_cipher_secret"):
        use_cheaper_tokens()


def test_the_process_cache_takes_any_key_without_memcached_warnings(fragments, recwarn):
    key = "a key with spaces " + "x" * 300
    fragments.set(key, "value")
    assert fragments.get(key) == "value"
    assert not recwarn.list
