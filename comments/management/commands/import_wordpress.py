from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comments.wordpress import Importer, WXRError


class Command(BaseCommand):
    help = "Import posts and their comments from a WordPress export file (Tools → Export). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The WXR (.xml) file WordPress exported.")

    def handle(self, *args: Any, file: str, verbosity: int, **options: Any) -> None:
        try:
            importer = Importer(file, progress=self._progress if verbosity >= 1 else None)
            counts = importer.run()
        except WXRError as error:
            raise CommandError(f"{file}: {error}") from None
        if verbosity >= 1:
            self.stderr.write("")
        summary = ", ".join(f"{count} {what}" for what, count in sorted(counts.items()) if count) or "nothing to import"
        self.stdout.write(self.style.SUCCESS(f"Imported {file}: {summary}."))

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        self.stderr.write(f"\rImporting posts [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stderr.flush()
