"""A small closed-loop HTTP load generator (used when wrk is not installed).

Run as its own process: `python bench/load.py URL SECONDS CONNECTIONS` prints JSON with
requests per second, p50/p99 latency in milliseconds and the count of non-200 answers.
Every loop is bounded by the duration, and each connection sends one request at a time.
"""

import http.client
import json
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit


def run(url, seconds, connections):
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + seconds
    latencies, errors = [], []
    lock = threading.Lock()

    def worker():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine, failures = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", target, headers={"Host": parts.netloc})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failures += 1
            except OSError:
                failures += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors.append(failures)

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    elapsed = time.monotonic() - started
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(quantiles[49] * 1000, 2),
        "p99_ms": round(quantiles[98] * 1000, 2),
        "requests": len(latencies),
        "errors": sum(errors),
    }


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))))
