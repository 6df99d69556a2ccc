"""The spam classifier's benchmark: its evaluation on the YouTube Spam Collection, and its speed.

    .venv/bin/python bench/spam.py      (make bench runs it)

Prints the evaluation of `manage.py comments_spam_eval` (5-fold and leave-one-video-out,
at 0.5, at the threshold picked on each training part and at COMMENTS_SPAM_THRESHOLD),
then the time to train on the whole collection and to score one comment in plain
Python (median and 99th percentile over every comment, and a text of the longest
length scored, beyond which the rest of a comment is not read). Reads the collection
from ../shared/data (or $SKINSITE_SHARED_DATA); never copies it.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skinsite.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")  # the settings only: no database, no server


def main() -> None:
    import django
    from django.conf import settings

    django.setup()

    from comments.spamfeatures import MAX_CHARS, describe, features, score
    from comments.spamlearn import Dataset, evaluate, fit, summary_row, table

    shared = Path(os.environ.get("SKINSITE_SHARED_DATA", ROOT.parent / "shared" / "data"))
    paths = sorted((shared / "comment-spam" / "youtube-spam-collection").glob("*.csv"))
    if not paths:
        sys.exit(f"bench/spam.py: no YouTube Spam Collection under {shared} (set SKINSITE_SHARED_DATA)")
    data = Dataset.read(paths)
    threshold = settings.COMMENTS_SPAM_THRESHOLD
    print(f"Spam classifier on the YouTube Spam Collection: {len(data.labels)} comments, {sum(data.labels)} spam")
    started = time.perf_counter()
    protocols = evaluate(data, fixed=threshold)
    print(table(protocols, threshold))
    print(f"(evaluation: {time.perf_counter() - started:.0f} s)")

    clock = time.perf_counter()
    model = fit([features(text) for text in data.texts], data.labels)
    training = time.perf_counter() - clock
    times = []
    for text in data.texts:
        clock = time.perf_counter()
        _probability, strongest = score(text, model)
        [describe(feature) for feature, _weight in strongest]
        times.append(time.perf_counter() - clock)
    times.sort()
    longest = " ".join(data.texts)[:MAX_CHARS]  # the longest text scored, of real distinct words
    clock = time.perf_counter()
    for _ in range(20):
        score(longest, model)
    worst = (time.perf_counter() - clock) / 20

    print()
    print("summary                                   5-fold    leave-one-video-out")
    rows = summary_row(protocols)
    k_fold, lovo = rows["5-fold"], rows["leave-one-file-out"]
    for label, key, metric in [
        ("F1 at 0.5", "at_0.5", "f1"),
        ("ham FPR at 0.5", "at_0.5", "ham_fpr"),
        ("F1 at picked threshold", "at_threshold", "f1"),
        ("recall at picked threshold", "at_threshold", "recall"),
        ("ham FPR at picked threshold", "at_threshold", "ham_fpr"),
        (f"recall at the setting {threshold:g}", "at_setting", "recall"),
        (f"ham FPR at the setting {threshold:g}", "at_setting", "ham_fpr"),
    ]:
        print(f"  {label:38}{100 * k_fold[key][metric]:>7.2f}%{100 * lovo[key][metric]:>12.2f}%")
    label = "worst part, ham FPR at picked"
    print(f"  {label:38}{100 * k_fold['worst_ham_fpr']:>7.2f}%{100 * lovo['worst_ham_fpr']:>12.2f}%")
    print()
    print(f"model: {len(model['features'])} features; training on all {len(data.labels)} comments: {training:.2f} s")
    print(
        f"scoring one comment (plain Python, with its reasons): median {1e3 * statistics.median(times):.3f} ms, "
        f"p99 {1e3 * times[int(0.99 * len(times))]:.3f} ms, {MAX_CHARS} characters {1e3 * worst:.2f} ms"
    )


if __name__ == "__main__":
    main()
