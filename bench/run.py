"""`make bench`: what the article page, posting and the moderation queue cost at 0 to 100,000 comments.

Seeds a separate database (bench/bench.sqlite3, or DATABASE_URL with "_bench" appended to
the database name for PostgreSQL), measures in process with Django's test client and over
HTTP with gunicorn (2 workers) under a bounded load, prints one table and writes
bench/results.json. Every process it starts is stopped by its PID before it exits.
"""

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "0,100,10000,100000").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "5"))
CONNECTIONS = 8


def bench_database_url():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path=parts.path + "_bench"))
    return f"sqlite:///{BENCH / 'bench.sqlite3'}"


ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_STATIC_FROM_FINDERS": "1",
    "DJANGO_LOG_LEVEL": "ERROR",
    "DATABASE_URL": bench_database_url(),
    "DJANGO_TASKS_BACKEND": "database",  # as in production: posting only queues the moderators' email
    "COMMENTS_FLOOD_SECONDS": "0",  # the posting benchmark posts back to back
    "COMMENTS_MIN_SUBMIT_SECONDS": "0",
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))


def reset_database():
    url = ENV["DATABASE_URL"]
    if url.startswith("sqlite"):
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(urlsplit(url).path + suffix).unlink(missing_ok=True)
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def timed(function, runs):
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(statistics.quantiles(samples, n=20)[18], 2),
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "skinsite.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=os.environ | ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    import urllib.request

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit("gunicorn did not start")


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def load(url):
    """Requests per second and latency of `url` under CONNECTIONS closed-loop clients in another process."""
    if shutil.which("wrk"):
        out = subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{int(LOAD_SECONDS)}s", "--latency", url],
            capture_output=True,
            text=True,
            timeout=LOAD_SECONDS + 60,
        ).stdout
        lines = {line.split()[0]: line.split() for line in out.splitlines() if line.split()}

        def ms(text):
            value = float(text.rstrip("usm"))
            return (
                value / 1000
                if text.endswith("us")
                else value * 1000
                if text.endswith("s") and not text.endswith("ms")
                else value
            )

        return {
            "rps": float(lines["Requests/sec:"][1]),
            "p50_ms": ms(lines["50%"][1]),
            "p99_ms": ms(lines["99%"][1]),
            "tool": "wrk",
        }
    out = subprocess.run(
        [sys.executable, str(BENCH / "load.py"), url, str(LOAD_SECONDS), str(CONNECTIONS)],
        capture_output=True,
        text=True,
        timeout=LOAD_SECONDS + 60,
        check=True,
    ).stdout
    return json.loads(out) | {"tool": "python"}


def main():
    started = time.monotonic()
    reset_database()
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from articles.models import Article
    from bench.seed import seed_comments
    from comments.forms import form_token

    call_command("migrate", verbosity=0)
    seeded = Article.objects.get(slug="can-facial-exercises-improve-your-skin")
    results = {"database": connection.vendor, "runs": RUNS, "sizes": {}}
    prerendered = BENCH / "prerendered"
    prerendered.mkdir(exist_ok=True)
    client = Client()

    for size in SIZES:
        seed_started = time.monotonic()
        article = Article.objects.create(title=f"Bench {size}", slug=f"bench-{size}", body=seeded.body)
        seed_comments(article, size)
        with connection.cursor() as cursor:
            # What autovacuum does on PostgreSQL; SQLite plans without statistics otherwise.
            cursor.execute("ANALYZE")
        row = {"seed_s": round(time.monotonic() - seed_started, 1)}
        url = article.get_absolute_url()
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        (prerendered / f"{article.slug}.html").write_bytes(response.content)
        row["queries"] = len(queries)
        for _ in range(3):
            client.get(url)

        def cold(url=url):
            cache.clear()
            client.get(url)

        row["cold"] = timed(cold, RUNS)
        row["warm"] = timed(lambda url=url: client.get(url), RUNS)
        results["sizes"][size] = row
        print(f"  seeded and measured N={size} in {time.monotonic() - seed_started:.1f} s", flush=True)

    process, base = start_gunicorn()
    try:
        for size in SIZES:
            results["sizes"][size]["gunicorn_page"] = load(f"{base}/articles/bench-{size}/")
            results["sizes"][size]["gunicorn_limit"] = load(f"{base}/bench/static-limit/bench-{size}/")
    finally:
        stop(process)

    # One valid comment post, in process.
    article = Article.objects.get(slug=f"bench-{SIZES[-1]}")
    post_url = reverse("comments:post", args=[article.pk])
    post_queries, counter = [], iter(range(10**6))

    def post():
        n = next(counter)
        data = {
            "token": form_token(article, time.time() - 60),
            "body": f"A benchmark comment number {n} about sunscreen.",
            "author_name": f"Poster {n}",
            "author_email": f"poster{n}@example.com",
        }
        with CaptureQueriesContext(connection) as queries:
            response = Client(REMOTE_ADDR=f"10.9.{n // 250}.{n % 250 + 1}").post(post_url, data)
        assert response.status_code == 302, response.status_code
        post_queries.append(len(queries))

    results["post"] = timed(post, RUNS) | {"queries": max(post_queries)}

    # The moderation queue, as a moderator, over every comment seeded above.
    moderator = User.objects.create_user("bench-moderator", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    admin = Client()
    admin.force_login(moderator)
    queue = reverse("admin:comments_comment_changelist")
    for _ in range(2):
        assert admin.get(queue).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        admin.get(queue)
    queue_queries = len(queries)  # read now: each request start empties Django's query log
    from comments.models import Comment

    results["queue"] = timed(lambda: admin.get(queue), RUNS) | {
        "queries": queue_queries,
        "comments": Comment.objects.count(),
    }
    # Importing a WordPress export with 100,000 comments, then exporting everything, each in its own process.
    from bench.seed import write_wordpress_export

    export = BENCH / "prerendered" / "wordpress-export.xml"
    comment_count = write_wordpress_export(export, posts=20, comments_per_post=5000)
    results["import"] = command_cost(["import_wordpress", str(export)]) | {"comments": comment_count}
    with open(BENCH / "prerendered" / "site-export.xml", "w") as out:
        results["export"] = command_cost(["export_wordpress"], stdout=out) | {"comments": Comment.objects.count()}

    results["elapsed_s"] = round(time.monotonic() - started, 1)
    report(results)
    (BENCH / "results.json").write_text(json.dumps(results, indent=2) + "\n")


# Runs one management command and prints its peak memory (its own, or a worker's if larger) on stderr.
MEASURED_COMMAND = (
    "import resource, sys, django; django.setup(); from django.core.management import call_command; "
    "call_command(*sys.argv[1:], verbosity=0); "
    "peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)); "
    "print(peak, file=sys.stderr)"
)


def command_cost(args, stdout=subprocess.DEVNULL):
    """Wall time and peak memory (maxrss, MB) of `manage.py ARGS` in a fresh process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED_COMMAND, *args], cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE, text=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    peak_kb = int(done.stderr.split()[-1])
    return {"seconds": round(time.perf_counter() - started, 2), "peak_mb": round(peak_kb / 1024)}


def report(results):
    sizes = results["sizes"]
    header = (
        f"{'N':>7} | {'queries':>7} | {'cold med/p95 ms':>16} | {'warm med/p95 ms':>16} | "
        f"{'page rps p50/p99':>20} | {'limit rps':>9} | {'page/limit':>10}"
    )
    print(f"\nskinsite benchmark on {results['database']} ({results['runs']} runs each)\n")
    print(header)
    print("-" * len(header))
    for size, row in sizes.items():
        page, limit = row["gunicorn_page"], row["gunicorn_limit"]
        print(
            f"{size:>7} | {row['queries']:>7} | {row['cold']['median_ms']:>7.2f} / {row['cold']['p95_ms']:<6.2f} | "
            f"{row['warm']['median_ms']:>7.2f} / {row['warm']['p95_ms']:<6.2f} | "
            f"{page['rps']:>7.0f} {page['p50_ms']:>5.1f}/{page['p99_ms']:<5.1f} | {limit['rps']:>9.0f} | "
            f"{page['rps'] / limit['rps']:>10.0%}"
        )
    post, queue = results["post"], results["queue"]
    print(
        f"\npost one comment: median {post['median_ms']:.2f} ms, p95 {post['p95_ms']:.2f} ms, {post['queries']} queries"
    )
    print(
        f"moderation queue ({queue['comments']} comments): median {queue['median_ms']:.2f} ms, "
        f"p95 {queue['p95_ms']:.2f} ms, {queue['queries']} queries"
    )
    ns = sorted(sizes, key=int)
    if len(ns) >= 2:
        base = sizes[100] if 100 in sizes else sizes[ns[0]]
        top = sizes[ns[-1]]
        warm = top["warm"]["median_ms"] / base["warm"]["median_ms"]
        cold = top["cold"]["median_ms"] / base["cold"]["median_ms"]
        print(f"\ntargets: N={ns[-1]} / N=100 warm = {warm:.2f}x (≤1.5x); cold = {cold:.2f}x (≤3x)")
    for name in ("import", "export"):
        cost = results[name]
        print(f"{name}_wordpress: {cost['comments']} comments in {cost['seconds']} s, peak memory {cost['peak_mb']} MB")
    print(f"finished in {results['elapsed_s']} s; wrote bench/results.json")


if __name__ == "__main__":
    main()
