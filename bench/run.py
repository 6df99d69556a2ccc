"""`make bench`: what the article page costs at 0 to 100,000 comments, measured so that it cannot flatter the page.

Seeds a separate database (bench/bench.sqlite3, or DATABASE_URL with "_bench" appended to
the database name for PostgreSQL) and measures:
- in process, with Django's test client and the real settings (DEBUG off, hashed static
  files): each page's SQL queries and its cold and warm time;
- over HTTP, every server started by one gunicorn command (2 sync workers) and loaded by one
  wrk command: the page, and right after it its *limit*, the same bytes captured from the
  page and served from memory by a bare Django (bench/limit.py: no apps, no middleware);
- two readers the shared cache cannot serve: one whose details are remembered, one with a
  held comment of their own;
- the same article with 50 approved comments through django-contrib-comments (bench/contrib/);
- posting one comment, the moderation queue at 1,000,000 comments (BENCH_QUEUE_SIZE, 0 skips
  it) and importing a WordPress export.
Prints one table and writes bench/results.json. Every process it starts is stopped by its PID.
"""

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.database import own_database_url, reset

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "prerendered"  # captured pages, hashed static files, the WordPress export
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "0,100,10000,100000").split(",")]
READERS_AT = 10_000 if 10_000 in SIZES else SIZES[-1]
CONTRIB_COMMENTS = 50
QUEUE_SIZE = int(os.environ.get("BENCH_QUEUE_SIZE", "1000000"))
IMPORT_SIZE = int(os.environ.get("BENCH_IMPORT_SIZE", "100000"))  # comments in the WordPress export (0 skips it)
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
QUEUE_RUNS = 5
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PORT = int(os.environ.get("BENCH_PORT", "18200"))  # the page's server; the limit's and contrib's take the next two
# Every server, the page's, the limit's and contrib's, is started by this one command: skinsite.wsgi
# is Django's plain get_wsgi_application(), and DJANGO_SETTINGS_MODULE picks the project.
GUNICORN = [sys.executable, "-m", "gunicorn", "skinsite.wsgi", "--workers", "2"]
WRK = ["wrk", "--threads", "2", "--connections", "8", "--latency"]


ENV = {
    "DJANGO_SETTINGS_MODULE": "skinsite.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_STATIC_ROOT": str(OUT / "static"),  # collectstatic'd and hashed, as `make serve` does
    "DJANGO_LOG_LEVEL": "ERROR",
    "DATABASE_URL": own_database_url("_bench", BENCH / "bench.sqlite3"),
    "DJANGO_TASKS_BACKEND": "database",  # as in production: posting only queues the moderators' email
    "COMMENTS_FLOOD_SECONDS": "0",  # the posting benchmark posts back to back
    "COMMENTS_MIN_SUBMIT_SECONDS": "0",
}
os.environ.update(ENV)


def setup():
    """A fresh bench database, migrated, and the static files collected; Django is set up."""
    reset(ENV["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # production's shared cache without Redis
    call_command("collectstatic", interactive=False, clear=True, verbosity=0)


def bulk(function, *args):
    """function(*args) in one transaction, without waiting for the disk: the bench database is thrown away."""
    from django.db import connection, transaction

    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF" if sqlite else "SET synchronous_commit=off")
        try:
            with transaction.atomic():
                result = function(*args)
            cursor.execute("ANALYZE")  # what autovacuum does on PostgreSQL; SQLite plans without statistics otherwise
            return result
        finally:
            cursor.execute("PRAGMA synchronous=FULL" if sqlite else "SET synchronous_commit=on")


def add_article(slug, comments):
    """A new article with the seeded one's text and `comments` comments, mixed as in real traffic."""
    from articles.models import Article
    from bench.seed import seed_comments

    text = Article.objects.get(slug="can-facial-exercises-improve-your-skin")
    article = Article.objects.create(title=text.title, slug=slug, body=text.body)
    return bulk(seed_comments, article, comments)


def timed(function, runs):
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(statistics.quantiles(samples, n=20, method="inclusive")[18], 2),
    }


def reader(cookie=""):
    """A test client that sends only `cookie`, never what it was set, as wrk does."""
    from django.test import Client

    return Client(HTTP_COOKIE=cookie)


def in_process(url, cookie="", marker=None):
    """SQL queries of one request, and its warm time; a reader's page must show `marker`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = reader(cookie)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries)  # read now: each request start empties Django's query log
    assert response.status_code == 200, (url, response.status_code)
    assert marker is None or marker in response.content, f"{url} does not show {marker!r} to this reader"
    for _ in range(3):
        client.get(url)
    return {"queries": count, "warm": timed(lambda: client.get(url), RUNS)}


def serve(settings_module, port):
    """One of the servers, started by GUNICORN, once it answers."""
    process = subprocess.Popen(
        [*GUNICORN, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": settings_module},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
        except urllib.error.HTTPError:
            break  # any answer from Django will do
        except OSError:
            time.sleep(0.2)
            continue
        break
    else:
        stop(process)
        raise SystemExit(f"gunicorn with {settings_module} did not start")
    return process


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def fetch(url, cookie="", marker=None):
    """The page's bytes over HTTP; it must answer 200 itself (no redirect) and show `marker`."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 (http://127.0.0.1)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = response.read()
        assert response.status == 200 and response.url == url, (url, response.status, response.url)
    assert marker is None or marker.encode() in body, f"{url} does not show {marker!r} to this reader"
    return body


UNITS = {"us": 0.001, "ms": 1, "s": 1000, "B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}


def scaled(text):
    """wrk's "6.01ms" in milliseconds, its "1.21GB" in bytes."""
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(number) * UNITS[unit]


def others_cpu_seconds():
    """Busy CPU seconds so far of the machine (from /proc/stat), less this process's and the children's it reaped."""
    user, nice, system, _idle, _iowait, irq, softirq = map(int, Path("/proc/stat").read_text().split()[1:8])
    ours = os.times()
    machine = (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
    return machine - (ours.user + ours.system + ours.children_user + ours.children_system)


def wrk(url, size, cookie="", seconds=LOAD_SECONDS):
    """wrk's figures for `url`; a failed request, or answers not `size` bytes plus headers, stop the benchmark."""
    out = subprocess.run(
        [*WRK, *(["--header", f"Cookie: {cookie}"] if cookie else []), "--duration", f"{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    requests, read = re.search(r"(\d+) requests in \S+, (\S+) read", out).groups()
    per_request = scaled(read) / int(requests)
    if "Non-2xx" in out or "Socket errors" in out or not 0.95 * size < per_request < 1.05 * size + 2048:
        raise SystemExit(f"wrk on {url} (expecting {size} bytes and headers per answer):\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+(\S+)", out)[1]),
        "p50_ms": scaled(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE)[1]),
        "p99_ms": scaled(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)[1]),
    }


def load(targets):
    """wrk on each target in turn, ROUNDS times over, after a second each to warm both workers.

    `targets` maps names to (url, size, cookie). Each target's figures are those of its median
    round by requests per second, so that a burst of other work on the machine moves no figure.
    """
    for url, size, cookie in targets.values():
        wrk(url, size, cookie, seconds=1)
    rounds = {name: [] for name in targets}
    for _ in range(ROUNDS):
        for name, (url, size, cookie) in targets.items():
            rounds[name].append(wrk(url, size, cookie))
    return {
        name: sorted(runs, key=lambda run: run["rps"])[len(runs) // 2] | {"rounds_rps": [run["rps"] for run in runs]}
        for name, runs in rounds.items()
    }


def held_comment_cookies(article):
    """A reader's two cookies, from a real post with "remember me": their details, and their held comment."""
    from django.test import Client
    from django.urls import reverse

    from comments.forms import form_token

    data = {
        "token": form_token(article, time.time() - 60),
        "body": "Held benchmark comment number seven.",
        "author_name": "Remembered Reader",
        "author_email": "remembered@example.com",
        "remember": "on",
    }
    response = Client().post(reverse("comments:post", args=[article.pk]), data)
    assert response.status_code == 302, response.status_code
    cookie = {name: f"{name}={response.cookies[name].coded_value}" for name in ("comment_author", "comment_pending")}
    return {
        "remembered details": (cookie["comment_author"], data["author_name"]),
        "held comment": (cookie["comment_pending"], data["body"]),
    }


def contrib_page(article):
    """Seed django-contrib-comments' database with `article` and its approved comments."""
    comments = article.comments.order_by("submitted_at", "pk")
    page = {
        "title": article.title,
        "body": article.body,
        "comments": [
            {
                "name": c.author_name,
                "email": c.author_email,
                "url": c.author_url,
                "body": c.body,
                "submitted_at": c.submitted_at.isoformat(),
            }
            for c in comments
        ],
    }
    environment = os.environ | {"DJANGO_SETTINGS_MODULE": "bench.contrib.settings"}
    subprocess.run(
        [sys.executable, "-m", "bench.contrib.seed"],
        input=json.dumps(page),
        text=True,
        cwd=ROOT,
        env=environment,
        check=True,
        timeout=120,
    )


def grow_comments(source, total):
    """Copy `source`'s comments onto new articles until there are `total` comments in all.

    One INSERT … SELECT per copy, ids shifted past every existing one so that replies keep
    their parents and threads; it copies whatever columns the model has.
    """
    from django.core.management.color import no_style
    from django.db import connection
    from django.db.models import Max

    from articles.models import Article
    from comments.models import Comment
    from comments.transitions import recount

    quote = connection.ops.quote_name
    table, fields = quote(Comment._meta.db_table), Comment._meta.concrete_fields
    pk, article = quote(Comment._meta.pk.column), quote(Comment._meta.get_field("article").column)
    copies = 0
    while (missing := total - Comment.objects.count()) > 0:
        copies += 1
        copy = Article.objects.create(title=f"Queue copy {copies}", slug=f"queue-copy-{copies}", body=source.body)
        shift = Comment.objects.aggregate(Max("pk"))["pk__max"]

        def value(field, shift=shift):
            if field.primary_key or field.related_model is Comment:
                return f"{quote(field.column)} + {shift}"
            return "%s" if field.name == "article" else quote(field.column)

        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "
                f"SELECT {', '.join(value(f) for f in fields)} FROM {table} "
                f"WHERE {article} = %s ORDER BY {pk} LIMIT %s",
                [copy.pk, source.pk, missing],
            )
        recount([copy.pk])  # the copy's counts per status, as the queue reads them
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Comment]):
            cursor.execute(statement)


def main():
    if not shutil.which("wrk"):
        raise SystemExit("make bench needs wrk, the HTTP load generator: apt-get install -y wrk")
    started = time.monotonic()
    setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from articles.models import Article
    from comments.forms import form_token
    from comments.models import Comment
    from comments.transitions import set_status
    from tests.helpers import clear_caches

    results = {"database": connection.vendor, "runs": RUNS, "load": f"{ROUNDS} x {LOAD_SECONDS} s", "sizes": {}}

    # In process: the page at each size, for a reader with no cookies.
    for size in SIZES:
        seed_started = time.monotonic()
        article = add_article(f"bench-{size}", size)
        url = article.get_absolute_url()
        clear_caches()
        row = {"seed_s": round(time.monotonic() - seed_started, 1)} | in_process(url)
        client = reader()

        def cold(url=url, client=client):
            clear_caches()
            client.get(url)

        row["cold"] = timed(cold, RUNS)
        results["sizes"][size] = row
        print(f"  seeded and measured N={size} in {time.monotonic() - seed_started:.1f} s", flush=True)

    # django-contrib-comments gets this article's text and its 50 approved comments.
    article = add_article("bench-contrib", CONTRIB_COMMENTS)
    set_status(article.comments.all(), Comment.Status.APPROVED)
    contrib_page(article)

    # Two readers the shared cache cannot serve, on the page with READERS_AT comments.
    readers_path = f"/articles/bench-{READERS_AT}/"
    readers = held_comment_cookies(Article.objects.get(slug=f"bench-{READERS_AT}"))
    results["readers"] = {
        name: in_process(readers_path, cookie, marker.encode()) for name, (cookie, marker) in readers.items()
    }

    # Over HTTP: three servers started by one command, loaded by one wrk command.
    page, limit, contrib = (f"http://127.0.0.1:{port}" for port in (PORT, PORT + 1, PORT + 2))
    OUT.mkdir(exist_ok=True)
    for stale in OUT.glob("*.html"):
        stale.unlink()
    others, http_started = others_cpu_seconds(), time.monotonic()
    servers = [serve("skinsite.settings", PORT)]
    try:
        captured = {size: fetch(f"{page}/articles/bench-{size}/") for size in SIZES}
        for size, body in captured.items():
            (OUT / f"bench-{size}.html").write_bytes(body)  # what the limit serves
        servers += [serve("bench.limit", PORT + 1), serve("bench.contrib.settings", PORT + 2)]
        for size, body in captured.items():
            path = f"/articles/bench-{size}/"
            results["sizes"][size] |= load(
                {
                    "page": (page + path, len(body), ""),
                    "limit": (limit + path, len(body), ""),
                }
            )
            print(f"  loaded N={size}", flush=True)
        for name, (cookie, marker) in readers.items():
            url = page + readers_path
            results["readers"][name] |= load({"page": (url, len(fetch(url, cookie, marker)), cookie)})
        ours, theirs = f"{page}/articles/bench-contrib/", f"{contrib}/"
        results["contrib"] = {"comments": CONTRIB_COMMENTS} | load(
            {"skinsite": (ours, len(fetch(ours)), ""), "django-contrib-comments": (theirs, len(fetch(theirs)), "")}
        )
    finally:
        for server in servers:
            stop(server)
    # Other work on the machine meanwhile: every figure above shared the cores with it.
    others = (others_cpu_seconds() - others) / (time.monotonic() - http_started)
    results["http_others_cores"] = round(max(others, 0), 2)

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

    # Importing a WordPress export with 100,000 comments, then exporting everything, each in its own process.
    from bench.seed import write_wordpress_export

    if IMPORT_SIZE:
        export = OUT / "wordpress-export.xml"
        comment_count = write_wordpress_export(export, posts=20, comments_per_post=IMPORT_SIZE // 20)
        results["import"] = command_cost(["import_wordpress", str(export)]) | {"comments": comment_count}
        with open(OUT / "site-export.xml", "w") as out:
            results["export"] = command_cost(["export_wordpress"], stdout=out) | {"comments": Comment.objects.count()}

    # The moderation queue, as a moderator, with QUEUE_SIZE comments in the database.
    if QUEUE_SIZE:
        seed_started = time.monotonic()
        bulk(grow_comments, Article.objects.get(slug=f"bench-{max(SIZES)}"), QUEUE_SIZE)
        seed_s = round(time.monotonic() - seed_started, 1)
        print(f"  grew the comments to {QUEUE_SIZE} in {seed_s} s", flush=True)
        moderator = User.objects.create_user("bench-moderator", is_staff=True)
        moderator.groups.add(Group.objects.get(name=settings.COMMENTS_MODERATORS_GROUP))
        admin = Client()
        admin.force_login(moderator)
        queue = reverse("admin:comments_comment_changelist")
        biggest = Article.objects.get(slug=f"bench-{max(SIZES)}")
        last_pending = -(-Comment.objects.pending().count() // 50)
        views = {
            "pending (the default)": {},
            "approved": {"status": "approved"},
            "spam": {"status": "spam"},
            "all": {"status": "all"},
            "one article, pending": {"status": "pending", "article": biggest.pk},
            "by reason": {"status": "all", "held_for": "first_comment"},
            "pending, page 2": {"p": 2},
            "pending, last page": {"p": last_pending},
            'search "retinol"': {"q": "retinol"},
            "search an email": {"q": "reader7@example.com"},
        }
        results["queue"] = {"comments": Comment.objects.count(), "seed_s": seed_s, "views": {}}
        for name, params in views.items():
            for _ in range(2):
                assert admin.get(queue, params, follow=True).status_code == 200
            with CaptureQueriesContext(connection) as queries:
                admin.get(queue, params, follow=True)
            count = len(queries)  # read now: each request start empties Django's query log
            results["queue"]["views"][name] = timed(lambda p=params: admin.get(queue, p, follow=True), QUEUE_RUNS) | {
                "queries": count
            }
        # One decision from the keyboard (the decide endpoint), on the oldest pending comment.
        pending = list(Comment.objects.pending().order_by("pk").values_list("pk", flat=True)[:QUEUE_RUNS])
        decisions = iter(pending)

        def decide():
            url = reverse("admin:comments_comment_decide", args=[next(decisions)])
            assert admin.post(url, {"decision": "approve"}).status_code == 200

        results["queue"]["decision"] = timed(decide, len(pending))

    results["elapsed_s"] = round(time.monotonic() - started, 1)
    report(results)
    (BENCH / "results.json").write_text(json.dumps(results, indent=2) + "\n")


def target(met, text):
    return f"target {text}: {'met' if met else 'MISSED'}"


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
        f"{'page rps p50/p99 ms':>22} | {'limit rps p50/p99 ms':>22} | {'page/limit':>10}"
    )

    def load_cells(load):
        return f"{load['rps']:>7.0f} {load['p50_ms']:>6.2f}/{load['p99_ms']:<7.2f}"

    def timing(timing):
        return f"{timing['median_ms']:>7.2f} / {timing['p95_ms']:<6.2f}"

    print(
        f"\nskinsite benchmark on {results['database']}: in process {results['runs']} runs each; over HTTP "
        f"gunicorn with 2 sync workers, {' '.join(WRK)}, median of {results['load']}\n"
    )
    print(
        f"Meanwhile other processes kept {results['http_others_cores']} of the machine's {os.cpu_count()} cores "
        "busy: the more, the lower every HTTP figure.\n"
    )
    print(header)
    print("-" * len(header))
    for size, row in sizes.items():
        ratio = row["page"]["rps"] / row["limit"]["rps"]
        note = f"   {target(ratio >= 0.5, '≥ 50%')}" if size == READERS_AT else ""
        print(
            f"{size:>7} | {row['queries']:>7} | {timing(row['cold'])} | {timing(row['warm'])} | "
            f"{load_cells(row['page'])} | {load_cells(row['limit'])} | {ratio:>10.0%}{note}"
        )
    ns = sorted(sizes)
    if len(ns) >= 2:
        base_n = 100 if 100 in sizes else ns[0]
        base, top = sizes[base_n], sizes[ns[-1]]
        warm = top["warm"]["median_ms"] / base["warm"]["median_ms"]
        cold = top["cold"]["median_ms"] / base["cold"]["median_ms"]
        print(f"N={ns[-1]} against N={base_n}, in process: warm {warm:.2f}x (target ≤ 1.5x), cold {cold:.2f}x (≤ 3x)")
    print(f"\nreaders the shared cache cannot serve, N={READERS_AT}:")
    limit = sizes[READERS_AT]["limit"]["rps"]
    for name, row in results["readers"].items():
        print(
            f"{name:>20} | {row['queries']:>7} | {'':>16} | {timing(row['warm'])} | "
            f"{load_cells(row['page'])} | {'':>22} | {row['page']['rps'] / limit:>10.0%}"
        )
    contrib = results["contrib"]
    ours, theirs = contrib["skinsite"], contrib["django-contrib-comments"]
    times = ours["rps"] / theirs["rps"]
    print(
        f"\n{contrib['comments']} approved comments: skinsite {ours['rps']:.0f} rps "
        f"(p50/p99 {ours['p50_ms']:.2f}/{ours['p99_ms']:.2f} ms), django-contrib-comments {theirs['rps']:.0f} rps "
        f"(p50/p99 {theirs['p50_ms']:.2f}/{theirs['p99_ms']:.2f} ms): {times:.1f}x   {target(times >= 10, '≥ 10x')}"
    )
    post = results["post"]
    print(
        f"post one comment: median {post['median_ms']:.2f} ms, p95 {post['p95_ms']:.2f} ms, {post['queries']} queries"
    )
    if "queue" in results:
        queue = results["queue"]
        print(
            f"\nmoderation queue at {queue['comments']:,} comments (grown in {queue['seed_s']} s), {QUEUE_RUNS} runs:"
        )
        for name, view in queue["views"].items():
            met = view["median_ms"] < 150 and view["queries"] <= 12
            print(
                f"  {name:>24} | median {view['median_ms']:>7.2f} ms | p95 {view['p95_ms']:>7.2f} ms | "
                f"{view['queries']:>2} queries   {target(met, '< 150 ms, ≤ 12')}"
            )
        decision = queue["decision"]
        met = decision["median_ms"] < 50
        print(
            f"  {'one keyboard decision':>24} | median {decision['median_ms']:>7.2f} ms |"
            f" p95 {decision['p95_ms']:>7.2f} ms |              {target(met, '< 50 ms')}"
        )
    for name in ("import", "export") if "import" in results else []:
        cost = results[name]
        print(f"{name}_wordpress: {cost['comments']} comments in {cost['seconds']} s, peak memory {cost['peak_mb']} MB")
    print(f"finished in {results['elapsed_s']} s; wrote bench/results.json")


if __name__ == "__main__":
    main()
