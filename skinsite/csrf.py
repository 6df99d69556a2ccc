"""Django's CSRF tokens, made the same way at a fraction of the cost.

Every new reader of the article page gets a CSRF token: a new secret (for their cookie),
hidden under a new random mask. Django draws each character of both with its own
secrets.choice call (64 reads of os.urandom) and adds them character by character in
Python: about 120 µs, the largest single cost of the page. Here each string is drawn from
the same source in one read, uniformly over the same characters, and the mask is added
with a table: the same tokens, which Django's middleware checks as its own.
"""

import os

from django.core.exceptions import ImproperlyConfigured
from django.middleware import csrf

_CHARS = csrf.CSRF_ALLOWED_CHARS
# Bytes from 248 up are dropped: kept, they would make the first 8 characters likelier.
_USABLE = 256 - 256 % len(_CHARS)
_TO_CHAR = bytes(ord(_CHARS[byte % len(_CHARS)]) for byte in range(_USABLE)) + bytes(256 - _USABLE)
_DROPPED = bytes(range(_USABLE, 256))
_READ = csrf.CSRF_SECRET_LENGTH + 8  # too few bytes kept about once in 10^8 reads: then it reads again
# (secret character, mask character) → their sum, as _mask_cipher_secret adds them.
_SUM = {(a, b): _CHARS[(i + j) % len(_CHARS)] for i, a in enumerate(_CHARS) for j, b in enumerate(_CHARS)}


def new_csrf_string() -> str:
    """A CSRF secret or mask: CSRF_SECRET_LENGTH characters of CSRF_ALLOWED_CHARS, each uniformly random."""
    drawn = b""
    while len(drawn) < csrf.CSRF_SECRET_LENGTH:
        drawn += os.urandom(_READ).translate(_TO_CHAR, _DROPPED)
    return drawn[: csrf.CSRF_SECRET_LENGTH].decode("ascii")


def mask_secret(secret: str) -> str:
    """A new mask, then the secret with the mask added: the token Django's _unmask_cipher_token reads."""
    mask = new_csrf_string()
    return mask + "".join(map(_SUM.__getitem__, zip(secret, mask, strict=True)))


def use_cheaper_tokens() -> None:
    """Make Django's CSRF middleware (get_token, rotate_token) draw and mask with the functions above."""
    replaced = ("_get_new_csrf_string", "_mask_cipher_secret")
    if missing := [name for name in replaced if not callable(getattr(csrf, name, None))]:
        # A Django upgrade renamed them: replacing nothing would leave the page slow without a word.
        raise ImproperlyConfigured(
            f"django.middleware.csrf no longer has {', '.join(missing)}: update skinsite/csrf.py."
        )
    csrf._get_new_csrf_string = new_csrf_string
    csrf._mask_cipher_secret = mask_secret
