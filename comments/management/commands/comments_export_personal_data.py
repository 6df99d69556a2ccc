import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comments.privacy import export_personal_data


class Command(BaseCommand):
    help = "Write every comment by an email address, with all personal data held, as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args: Any, email: str, output: str | None, **options: Any) -> None:
        text = json.dumps(export_personal_data([email]), indent=2, ensure_ascii=False) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
            self.stderr.write(f"Wrote {output}.")
        else:
            self.stdout.write(text, ending="")
