"""The author panel (issue 15) at 1,000,000 comments: its queries, their plans and its time.

    .venv/bin/python -m bench.author_panel                      # SQLite, bench/authors.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/skinsite .venv/bin/python -m bench.author_panel

Seeds a database of its own (the file above, or DATABASE_URL's database with "_authors"
appended) as `make bench` seeds the queue: 20,000 comments grown to BENCH_QUEUE_SIZE by
INSERT … SELECT, so each reader's mailbox has 50 comments and each /24 about 12,800. One
heavy author gets 5,000 of them. Prints the figures of three authors (typical, heavy, and one
behind a busy network), each read's plan, and the median time of the record and of the
change page over BENCH_RUNS runs.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.database import own_database_url, reset

ROOT = Path(__file__).resolve().parent.parent
SIZE = int(os.environ.get("BENCH_QUEUE_SIZE", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))


os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "skinsite.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_FROM_FINDERS": "1",
        "DJANGO_LOG_LEVEL": "ERROR",
        "DATABASE_URL": own_database_url("_authors", ROOT / "bench" / "authors.sqlite3"),
    }
)


def median_ms(function, runs=RUNS):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def explain(connection, sql):
    """The plan the database picks for a statement, as it would run it (no planner setting changed)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(row[-1] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    reset(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from articles.models import Article
    from bench.run import bulk, grow_comments
    from bench.seed import seed_comments
    from comments import authors
    from comments.models import Comment

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the shared cache of production without Redis
    started = time.monotonic()
    text = Article.objects.get(slug="can-facial-exercises-improve-your-skin")
    source = Article.objects.create(title=text.title, slug="authors-source", body=text.body)
    bulk(seed_comments, source, 20_000)
    bulk(grow_comments, source, SIZE)

    def heavy_author():
        # The newest 5,000 comments become one mailbox's (from about 20 networks).
        ids = list(Comment.objects.order_by("-pk").values_list("pk", flat=True)[:5_000])
        Comment.objects.filter(pk__in=ids).update(
            author_email="heavy@example.org", author_email_key="heavy@example.org"
        )

    bulk(heavy_author)
    print(f"{Comment.objects.count():,} comments seeded in {time.monotonic() - started:.0f} s ({connection.vendor})")

    moderator = User.objects.create_user("bench-moderator", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client = Client()
    client.force_login(moderator)

    samples = {
        "typical author (50 comments)": Comment.objects.filter(article=source).order_by("pk")[1234],
        "heavy author (5,000 comments)": Comment.objects.filter(author_email_key="heavy@example.org").first(),
    }
    for name, comment in samples.items():
        with CaptureQueriesContext(connection) as queries:
            record = authors.record_of(comment)
            authors.held_by_history(comment.author_email_key)
        record_queries = len(queries) - 1  # read now: each request start empties Django's query log
        plans = [(q["sql"], explain(connection, q["sql"])) for q in queries if "comments_comment" in q["sql"]]
        bad = [
            plan
            for _sql, plan in plans
            if "SCAN comments_comment\n" in plan + "\n" or "Seq Scan on comments_comment " in plan
        ]
        record_ms = median_ms(lambda c=comment: authors.record_of(c))
        history_ms = median_ms(lambda c=comment: authors.held_by_history(c.author_email_key))
        url = reverse("admin:comments_comment_change", args=[comment.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as page_queries:
            assert client.get(url).status_code == 200
        page_count = len(page_queries)
        page_ms = median_ms(lambda u=url: client.get(u), runs=max(5, RUNS // 4))
        queue = reverse("admin:comments_comment_changelist")
        params = {"status": "all", "same_author_as": f"email:{comment.pk}"}
        with CaptureQueriesContext(connection) as queue_queries:
            assert client.get(queue, params).status_code == 200
        queue_count = len(queue_queries)
        queue_ms = median_ms(lambda p=params, q=queue: client.get(q, p), runs=max(5, RUNS // 4))
        print(f"\n{name}: {record.total} comments {record.counts}, network {record.network}")
        print(f"  neighbours counted {record.neighbour_count} (capped at {authors.NEIGHBOURS_COUNTED + 1})")
        print(f"  record: {record_queries} queries, {record_ms} ms; the history rule: 1 query, {history_ms} ms")
        print(
            f"  change page: {page_count} queries, {page_ms} ms; "
            f"the queue filtered to the author: {queue_count} queries, {queue_ms} ms"
        )
        print(f"  plans scanning the comments: {len(bad)}")
        for sql, plan in plans:
            print("   ", sql[:160].replace("\n", " "), "…\n     ", plan.replace("\n", "\n      "))


if __name__ == "__main__":
    main()
