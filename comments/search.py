"""Searching comments for the moderation queue: one function, an index on each database.

An address or an IP is looked up exactly (by index); words go to SQLite's FTS5 or
PostgreSQL's full-text search (comments' migration 0006 builds both). Matches are ranked
by relevance, then newest first (ids grow with time), among the newest CANDIDATES of them, so a word found in most of
a million comments costs no more than a rare one.
"""

import re
from typing import Any

from django.db import connection, connections
from django.db.models import Case, IntegerField, QuerySet, Value, When

from .clientip import normalized_ip
from .models import Comment
from .normalize import email_key

CANDIDATES = 200

# SQLite rebuilds a table to alter it, and the rebuilt table has no triggers: after every
# migrate, comments' AppConfig puts back any that a migration dropped (then reindexes).
SQLITE_TRIGGERS = {
    "comments_comment_fts_insert": """AFTER INSERT ON comments_comment BEGIN
        INSERT INTO comments_comment_fts(rowid, author_name, author_email, body)
        VALUES (new.id, new.author_name, new.author_email, new.body);
    END""",
    "comments_comment_fts_delete": """AFTER DELETE ON comments_comment BEGIN
        INSERT INTO comments_comment_fts(comments_comment_fts, rowid, author_name, author_email, body)
        VALUES ('delete', old.id, old.author_name, old.author_email, old.body);
    END""",
    "comments_comment_fts_update": """AFTER UPDATE OF author_name, author_email, body ON comments_comment BEGIN
        INSERT INTO comments_comment_fts(comments_comment_fts, rowid, author_name, author_email, body)
        VALUES ('delete', old.id, old.author_name, old.author_email, old.body);
        INSERT INTO comments_comment_fts(rowid, author_name, author_email, body)
        VALUES (new.id, new.author_name, new.author_email, new.body);
    END""",
}


def restore_sqlite_triggers(using: str = "default", **kwargs: Any) -> None:
    """Recreate the full-text index's triggers if a migration's table rebuild dropped them (post_migrate)."""
    database = connections[using]
    if database.vendor != "sqlite":
        return
    with database.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE 'comments_comment_fts%'"
        )
        present = {name for (name,) in cursor.fetchall()}
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        if "comments_comment_fts" not in present or not missing:
            return
        for name in missing:
            cursor.execute(f"CREATE TRIGGER {name} {SQLITE_TRIGGERS[name]}")
        cursor.execute("INSERT INTO comments_comment_fts(comments_comment_fts) VALUES ('rebuild')")


WORD = re.compile(r"\w+", re.UNICODE)

QUERIES = {
    "sqlite": """
        SELECT rowid, bm25(comments_comment_fts) FROM comments_comment_fts
        WHERE comments_comment_fts MATCH %s ORDER BY rowid DESC LIMIT %s""",
    "postgresql": """
        SELECT id, -ts_rank(search_vector, query)
        FROM comments_comment, plainto_tsquery('english', %s) query
        WHERE search_vector @@ query ORDER BY id DESC LIMIT %s""",
}


def _fts_query(term: str) -> str:
    """Every word of the term, each quoted (so FTS5 reads no operator in it), all required."""
    return " ".join('"' + word + '"' for word in WORD.findall(term))


def ranked_ids(term: str) -> list[int]:
    """Ids of the comments matching the words of `term`, best first, then newest."""
    sql = QUERIES.get(connection.vendor)
    words = _fts_query(term) if connection.vendor == "sqlite" else term
    if sql is None or not words.strip():
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, [words, CANDIDATES])
        rows = cursor.fetchall()
    rows.sort(key=lambda row: row[1])  # stable: equal ranks stay newest first, as read
    return [pk for pk, _rank in rows]


def _exact(term: str) -> tuple[str, str] | None:
    """The (field, value) an exact search looks up, or None for a search by words."""
    if "@" in term and " " not in term:
        return "author_email_key", email_key(term)
    if ip := normalized_ip(term):
        return "ip_address", ip
    return None


def search(queryset: QuerySet[Comment], term: str) -> QuerySet[Comment]:
    """`queryset` narrowed to the comments matching `term`: by words best first, exact lookups as ordered."""
    term = term.strip()
    if exact := _exact(term):
        field, value = exact
        return queryset.filter(**{field: value})
    ids = ranked_ids(term)
    places = [When(pk=pk, then=Value(place)) for place, pk in enumerate(ids)]
    place = Case(*places, default=0, output_field=IntegerField())
    return queryset.filter(pk__in=ids).annotate(search_place=place).order_by("search_place", "-pk")
