from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comments.importers.common import ImportFileError, summary
from comments.importers.disqus import DisqusImporter

from .import_wordpress import progress_bar


def link_and_slug(value: str) -> tuple[str, str]:
    link, equals, slug = value.rpartition("=")
    if not equals or not link or not slug:
        raise ValueError(value)
    return link, slug


class Command(BaseCommand):
    help = (
        "Import comments from a Disqus XML export. Each thread goes to the article at its link's path, "
        "or to the one --map names. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The Disqus export (.xml).")
        parser.add_argument(
            "--map",
            nargs="+",
            action="extend",
            default=[],
            type=link_and_slug,
            metavar="DISQUS_LINK=ARTICLE_SLUG",
            help="Put the comments of the thread with this link on the article with this slug.",
        )

    def handle(self, *args: Any, file: str, map: list[tuple[str, str]], verbosity: int, **options: Any) -> None:
        try:
            importer = DisqusImporter(
                file, dict(map), progress=progress_bar(self, "Importing threads") if verbosity >= 1 else None
            )
            counts = importer.run()
        except ImportFileError as error:
            raise CommandError(f"{file}: {error}") from None
        if verbosity >= 1:
            self.stderr.write("")
        self.stdout.write(self.style.SUCCESS(f"Imported {file}: {summary(counts)}."))
