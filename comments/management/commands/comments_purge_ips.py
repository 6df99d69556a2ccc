from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from comments.privacy import purge_ips


class Command(BaseCommand):
    help = "Empty the IP address and user agent of comments older than N days (safe to run daily from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=settings.COMMENTS_IP_RETENTION_DAYS,
            help="Default: COMMENTS_IP_RETENTION_DAYS (%(default)s).",
        )

    def handle(self, *args: Any, older_than_days: int, **options: Any) -> None:
        count = purge_ips(older_than_days)
        self.stdout.write(f"Emptied IP address and user agent of {count} comments older than {older_than_days} days.")
