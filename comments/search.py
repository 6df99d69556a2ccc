"""Searching comments for the moderation queue: one function, an index on each database.

An address or an IP is looked up exactly (by index); words go to SQLite's FTS5 or
PostgreSQL's full-text search (comments' migration 0006 builds both). Matches are ranked
by relevance, then newest first (ids grow with time), among the newest CANDIDATES of them, so a word found in most of
a million comments costs no more than a rare one.

Relevance on SQLite is FTS5's bm25 without its inverse document frequencies (see _bm25): those
count every comment holding each word, most of the index for a common word.
"""

import re
import unicodedata
from collections import Counter
from typing import Any

from django.db import connection, connections
from django.db.models import IntegerField, QuerySet, Value
from django.db.models.expressions import RawSQL

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
    # Each column with its matches between \x01 and \x02 (highlight() reads this row only; bm25() reads the index).
    "sqlite": """
        SELECT rowid,
            highlight(comments_comment_fts, 0, char(1), char(2)),
            highlight(comments_comment_fts, 1, char(1), char(2)),
            highlight(comments_comment_fts, 2, char(1), char(2))
        FROM comments_comment_fts
        WHERE comments_comment_fts MATCH %s ORDER BY rowid DESC LIMIT %s""",
    "postgresql": """
        SELECT id, -ts_rank(search_vector, query)
        FROM comments_comment, plainto_tsquery('english', %s) query
        WHERE search_vector @@ query ORDER BY id DESC LIMIT %s""",
}


def _fts_query(term: str) -> str:
    """Every word of the term, each quoted (so FTS5 reads no operator in it), all required."""
    return " ".join('"' + word + '"' for word in WORD.findall(term))


TOKEN = re.compile(r"[^\W_]+")  # a token of FTS5's unicode61 tokenizer: letters and digits
MATCH = re.compile("\x01(.*?)\x02", re.DOTALL)
K1, B = 1.2, 0.75  # FTS5's bm25 parameters


def _as_indexed(word: str) -> str:
    """A word as the index compares it: case folded, accents removed (unicode61's remove_diacritics)."""
    return "".join(char for char in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(char))


def _word_of(match: str, words: list[str]) -> str:
    """The query word (of `words`, as indexed) a match stands for: the same word, else the one
    it shares the longest prefix with.

    The index stems words ("retinols" matches "retinol"); "skin" is the word skin, never skincare.
    """
    match = _as_indexed(match)

    def likeness(word: str) -> tuple[bool, int]:
        shared = next(
            (n for n, (a, b) in enumerate(zip(word, match, strict=False)) if a != b), min(len(word), len(match))
        )
        return word == match, shared

    return max(words, key=likeness)


def _bm25(rows: list[tuple[Any, ...]], words: list[str]) -> list[tuple[int, float]]:
    """(id, rank) of each candidate, lower first: FTS5's bm25 with every word weighted alike.

    Per word: its matches in the comment (name, email and text), saturated by K1 and set against
    the comment's length in tokens relative to the candidates' average. SQLite's bm25() also
    weighs each word by how few comments hold it, which counts them all: 20-100 ms for a word in
    most of a million comments. Each match counts for the query word _word_of names.
    """
    words = [_as_indexed(word) for word in words]
    word_of: dict[str, str] = {}  # the same few spellings match again and again
    lengths, matches = [], []
    for _pk, *columns in rows:
        text = " ".join(column or "" for column in columns)
        lengths.append(len(TOKEN.findall(text)))
        found = Counter(MATCH.findall(text))
        if len(words) == 1:
            matches.append(Counter({words[0]: found.total()}))
            continue
        counts: Counter[str] = Counter()
        for match, n in found.items():
            if match not in word_of:
                word_of[match] = _word_of(match, words)
            counts[word_of[match]] += n
        matches.append(counts)
    average = sum(lengths) / len(lengths) if lengths else 1
    return [
        (row[0], -sum(n * (K1 + 1) / (n + K1 * (1 - B + B * length / (average or 1))) for n in counts.values()))
        for row, length, counts in zip(rows, lengths, matches, strict=True)
    ]


def ranked_ids(term: str) -> list[int]:
    """Ids of the comments matching the words of `term`, best first, then newest."""
    sql = QUERIES.get(connection.vendor)
    words = _fts_query(term) if connection.vendor == "sqlite" else term
    if sql is None or not words.strip():
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, [words, CANDIDATES])
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        rows = _bm25(rows, WORD.findall(term))
    rows.sort(key=lambda row: row[1])  # stable: equal ranks stay newest first, as read
    return [pk for pk, _rank in rows]


def _exact(term: str) -> tuple[str, str] | None:
    """The (field, value) an exact search looks up, or None for a search by words."""
    if "@" in term and " " not in term:
        return "author_email_key", email_key(term)
    if ip := normalized_ip(term):
        return "ip_address", ip
    return None


def _places(ids: list[int]) -> RawSQL | Value:
    """Each id's place in `ids`, as one SQL CASE on the primary key.

    Built as SQL text: Case() with a When() per id cost the queue's search page ~30 ms in
    Django's query building alone (200 lookups resolved, then cloned with each queryset).
    """
    if not ids:
        return Value(0)
    quote = connection.ops.quote_name
    column = f"{quote(Comment._meta.db_table)}.{quote(Comment._meta.pk.column)}"
    whens = " ".join(["WHEN %s THEN %s"] * len(ids))
    params = [value for place, pk in enumerate(ids) for value in (pk, place)]
    # Only a quoted column name and placeholders: the ids are parameters.
    return RawSQL(f"CASE {column} {whens} ELSE 0 END", params, output_field=IntegerField())  # noqa: S611


def search(queryset: QuerySet[Comment], term: str, found: dict[str, list[int]] | None = None) -> QuerySet[Comment]:
    """`queryset` narrowed to the comments matching `term`: by words best first, exact lookups as ordered.

    `found` keeps the ranked ids of each term for the caller's next search with it (the queue
    searches twice a request, for its rows and for its counts per status).
    """
    term = term.strip()
    if exact := _exact(term):
        field, value = exact
        return queryset.filter(**{field: value})
    found = {} if found is None else found
    if term not in found:
        found[term] = ranked_ids(term)
    ids = found[term]
    return queryset.filter(pk__in=ids).annotate(search_place=_places(ids)).order_by("search_place", "-pk")
