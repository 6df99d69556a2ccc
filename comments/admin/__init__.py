"""The moderation workbench in the Django admin: the queue, the reported comments, the history, the word lists,
the rules on authors."""

from ..importers import admin as article_export  # noqa: F401 (the article admin, with "Export as WordPress file")
from . import authors, history, queue, reports, wordlists  # noqa: F401 (each registers its model admin)
