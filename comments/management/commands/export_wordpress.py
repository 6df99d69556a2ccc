from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.models import Article
from comments.importers.export import wxr_chunks


class Command(BaseCommand):
    help = (
        "Write the articles and all their comments (every status, with emails and IPs) as a WordPress "
        "export (WXR 1.2) on stdout: manage.py export_wordpress > site.xml"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--article", action="append", metavar="SLUG", help="Only this article (repeatable).")
        parser.add_argument("--no-ips", action="store_true", help="Leave the commenters' IP addresses out.")

    def handle(self, *args: Any, article: list[str] | None, no_ips: bool, **options: Any) -> None:
        articles = Article.objects.all()
        if article:
            articles = articles.filter(slug__in=article)
            missing = set(article) - set(articles.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"no article with the slug {', '.join(sorted(missing))}")
        for chunk in wxr_chunks(articles, include_ips=not no_ips):
            self.stdout.write(chunk, ending="")
