"""The moderation workbench in the Django admin: the queue, the history, the word lists."""

from . import history, queue, wordlists  # noqa: F401 (each registers its model admin)
