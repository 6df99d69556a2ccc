import json

from django.core.management.base import BaseCommand

from comments.privacy import export_personal_data


class Command(BaseCommand):
    help = "Write every comment by an email address, with all personal data held, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, email, output, **options):
        text = json.dumps(export_personal_data([email]), indent=2, ensure_ascii=False) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
            self.stderr.write(f"Wrote {output}.")
        else:
            self.stdout.write(text, ending="")
