"""Where a warm article page's time goes, in process: `python bench/profile_page.py [N]` (N: 10,000 comments).

Seeds the bench database afresh with one article of N comments, as `make bench` does (DEBUG
off, the real settings), fills the shared cache, then makes REQUESTS cookie-less GETs three times:
- as they are, for the time one request takes;
- with a stamp between every two middleware, for each middleware's own time (the view's is
  what is left inside the innermost one, the test client's what is left outside the outermost);
- under cProfile, for the cumulative time of the calls in COSTS. Profiling slows every Python
  call, small ones most, so these run higher than the rest: compare them with each other.
Last, a few of the view's calls are timed alone, outside any profiler.
"""

import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.run import add_article, reader, setup  # importing it sets up the bench environment

REQUESTS = 500
COSTS = [  # what to look for in the profile: a label, the file that defines the function, its name
    ("article lookup: published_by_slug, from the process cache", "articles/models.py", "published_by_slug"),
    ("all SQL: execute_sql", "django/db/models/sql/compiler.py", "execute_sql"),
    ("per-process cache reads: ProcessMemoryCache.get", "skinsite/cache.py", "get"),
    ("template rendering", "django/template/backends/django.py", "render"),
    ("CSRF token: get_token", "django/middleware/csrf.py", "get_token"),
    ("CSRF masking: mask_secret", "skinsite/csrf.py", "mask_secret"),
    ("CSRF cookie: CsrfViewMiddleware.process_response", "django/middleware/csrf.py", "process_response"),
    ("form token signing: signing.dumps", "django/core/signing.py", "dumps"),
    ("signed cookies read: get_signed_cookie", "django/http/request.py", "get_signed_cookie"),
    ("CSP header: CSPMiddleware.process_response", "csp/middleware.py", "process_response"),
    ("URL resolving: URLResolver.resolve", "django/urls/resolvers.py", "resolve"),
]
marks = []


class Stamp:
    """Notes when a request passes, on its way in and on its way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        marks.append(time.perf_counter())
        response = self.get_response(request)
        marks.append(time.perf_counter())
        return response


def per_request(function, calls=REQUESTS):
    """The median microseconds of a call of function(): a burst of other work on the machine moves it little."""
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


def middleware_costs(url):
    """Each middleware's own median microseconds per request, the view's, and the test client's."""
    from django.conf import settings
    from django.test import override_settings

    stamp = f"{__name__}.Stamp"
    with override_settings(MIDDLEWARE=[part for name in settings.MIDDLEWARE for part in (stamp, name)] + [stamp]):
        client = reader()
        client.get(url)
        marks.clear()
        total = per_request(lambda: client.get(url))
    layers = len(settings.MIDDLEWARE) + 1
    samples = {name: [] for name in [*settings.MIDDLEWARE, "the view, inside every middleware"]}
    for start in range(0, len(marks), 2 * layers):
        ins, outs = marks[start : start + layers], marks[start + layers : start + 2 * layers][::-1]
        for i, name in enumerate(settings.MIDDLEWARE):
            samples[name].append((ins[i + 1] - ins[i]) + (outs[i] - outs[i + 1]))
        samples["the view, inside every middleware"].append(outs[-1] - ins[-1])
    costs = {name: statistics.median(seconds) * 1e6 for name, seconds in samples.items()}
    costs["the test client and Django's handler, outside every middleware"] = total - sum(costs.values())
    return costs


def profiled_costs(url):
    """The cumulative microseconds per request of each of COSTS under cProfile, and of the whole request."""
    client, profile = reader(), cProfile.Profile()
    started = time.perf_counter()
    for _ in range(REQUESTS):
        profile.runcall(client.get, url)
    total = (time.perf_counter() - started) * 1e6 / REQUESTS
    stats = pstats.Stats(profile).stats
    costs = {
        label: sum(
            cumulative
            for (path, _line, function), (_calls, _primitive, _own, cumulative, _callers) in stats.items()
            if path.endswith(suffix) and function == name
        )
        * 1e6
        / REQUESTS
        for label, suffix, name in COSTS
    }
    return total, costs


def alone(article):
    """Microseconds of some of the view's calls, timed alone."""
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    from articles.models import Article
    from comments.forms import form_token
    from skinsite.csrf import mask_secret, new_csrf_string

    factory, secret = RequestFactory(), new_csrf_string()
    return {
        "article lookup from the database: Article.objects.published().get(slug=…)": per_request(
            lambda: Article.objects.published().get(slug=article.slug)
        ),
        "article lookup as the page does it: published_by_slug (process cache)": per_request(
            lambda: Article.objects.published_by_slug(article.slug)
        ),
        "CSRF token for a new visitor: get_token, masking included": per_request(lambda: get_token(factory.get("/")))
        - per_request(lambda: factory.get("/")),
        "CSRF masking: mask_secret": per_request(lambda: mask_secret(secret)),
        "form token: form_token (signing.dumps)": per_request(lambda: form_token(article)),
    }


def ranked(costs):
    for label, micros in sorted(costs.items(), key=lambda item: -item[1]):
        print(f"  {micros:>8.1f}  {label}")


def main():
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    setup()
    article = add_article("bench-profile", size)
    url = article.get_absolute_url()
    client = reader()
    for _ in range(5):
        assert client.get(url).status_code == 200
    plain = per_request(lambda: client.get(url))
    print(f"\narticle page, N={size}, warm cache, DEBUG off: {REQUESTS} cookie-less GETs, median {plain:.1f} µs\n")
    print("each middleware's own time, median µs per request:")
    ranked(middleware_costs(url))
    total, costs = profiled_costs(url)
    print(f"\nunder cProfile ({total:.1f} µs per request), cumulative µs per request (mean):")
    ranked(costs)
    print("\ntimed alone, median µs per call:")
    ranked(alone(article))


if __name__ == "__main__":
    main()
