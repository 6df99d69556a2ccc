"""The benchmark's server: the real settings, plus one view that serves pre-rendered bytes (the static limit)."""

from skinsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
