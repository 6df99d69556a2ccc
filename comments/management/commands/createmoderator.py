from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create (or update) a staff account in the Moderators group, for moderating comments in /admin/."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="Where held-comment notifications go.")
        parser.add_argument("--password", help="Set this password instead of asking for one.")

    def handle(self, *args, username, email, password, **options):
        try:
            group = Group.objects.get(name="Moderators")
        except Group.DoesNotExist:
            raise CommandError("The Moderators group is missing: run `manage.py migrate` first.") from None
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
        user.is_staff = True
        if email:
            user.email = email
        if password is None:
            password = self._ask_password()
        user.set_password(password)
        user.save()
        user.groups.add(group)
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} moderator {username!r}; log in at /admin/."))

    def _ask_password(self):
        import getpass

        while True:
            password = getpass.getpass("Password: ")
            if password and password == getpass.getpass("Password (again): "):
                return password
            self.stderr.write("Passwords were empty or did not match; try again.")
