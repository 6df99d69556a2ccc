from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comments.importers.common import ImportFileError, summary
from comments.importers.wordpress import Importer


def progress_bar(command: BaseCommand, label: str) -> Callable[[int, int], None]:
    """A one-line progress bar on stderr, redrawn in place."""

    def draw(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        command.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        command.stderr.flush()

    return draw


class Command(BaseCommand):
    help = "Import posts and their comments from a WordPress export file (Tools → Export). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The WXR (.xml) file WordPress exported.")

    def handle(self, *args: Any, file: str, verbosity: int, **options: Any) -> None:
        try:
            counts = Importer(file, progress=progress_bar(self, "Importing posts") if verbosity >= 1 else None).run()
        except ImportFileError as error:
            raise CommandError(f"{file}: {error}") from None
        if verbosity >= 1:
            self.stderr.write("")
        self.stdout.write(self.style.SUCCESS(f"Imported {file}: {summary(counts)}."))
