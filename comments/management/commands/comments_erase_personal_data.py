from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comments.privacy import comments_by, erase_personal_data


class Command(BaseCommand):
    help = (
        "Anonymise every comment by an email address: name 'Anonymous', email and website emptied, "
        "IP truncated, user agent emptied. The text stays unless --delete. One transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--delete", action="store_true", help="Delete the comments (and their replies) instead.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, email: str, delete: bool, yes: bool, **options: Any) -> None:
        found = list(comments_by([email]))
        if not found:
            self.stdout.write(f"No comments by {email}.")
            return
        verb = "Delete" if delete else "Anonymise"
        for comment in found:
            when = f"{comment.submitted_at:%Y-%m-%d}"
            self.stdout.write(f"  {verb} comment {comment.pk} on “{comment.article}” ({when}, {comment.status})")
        if not yes and input(f"{verb} these {len(found)} comments? [y/N] ").strip().lower() not in {"y", "yes"}:
            raise CommandError("Nothing changed.")
        changed = erase_personal_data([email], delete=delete)
        done = "Deleted" if delete else "Anonymised"
        self.stdout.write(self.style.SUCCESS(f"{done} {len(changed)} comments by {email}."))
