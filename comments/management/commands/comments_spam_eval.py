"""Measure the spam classifier on labelled comments: `manage.py comments_spam_eval FILE.csv ...`."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...spamlearn import Dataset, evaluate, table


class Command(BaseCommand):
    help = (
        "Cross-validate the spam classifier on CSV files in the YouTube Spam Collection's format (the CONTENT "
        "and CLASS columns; 1 = spam): stratified k-fold (shuffled, seed 0) and leave-one-file-out, with "
        "precision, recall, F1, accuracy and the share of legitimate comments flagged, at 0.5, at the "
        "threshold picked on each training part (inner cross-validation) and at COMMENTS_SPAM_THRESHOLD."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="labelled CSV files (one per video or article)")
        parser.add_argument("--folds", type=int, default=5, help="outer folds (default 5)")
        parser.add_argument(
            "--inner-folds", type=int, default=5, help="inner folds that pick each threshold (0: use 0.5)"
        )
        parser.add_argument("--no-lovo", action="store_true", help="skip leave-one-file-out")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        try:
            data = Dataset.read(paths)
        except (KeyError, ValueError) as error:
            raise CommandError(f"Not a labelled CSV with CONTENT and CLASS columns: {error}") from None
        if len(set(data.labels)) < 2 or min(data.labels.count(0), data.labels.count(1)) < options["folds"]:
            raise CommandError("Each kind (spam and legitimate) needs at least one comment per fold.")
        spam = sum(data.labels)
        self.stdout.write(f"{len(data.labels)} comments, {spam} spam, {len(data.labels) - spam} legitimate")
        protocols = evaluate(
            data,
            folds=options["folds"],
            inner=options["inner_folds"],
            lovo=not options["no_lovo"],
            fixed=settings.COMMENTS_SPAM_THRESHOLD,
        )
        self.stdout.write(table(protocols, settings.COMMENTS_SPAM_THRESHOLD))
