from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AuthUser  # get_user_model() in these settings, for django-stubs


class Command(BaseCommand):
    help = "Create (or update) a staff account in the moderators group, for moderating comments in /admin/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="Where held-comment notifications go.")
        parser.add_argument("--password", help="Set this password instead of asking for one (it must pass the checks).")

    def handle(self, *args: Any, username: str, email: str, password: str | None, **options: Any) -> None:
        name = settings.COMMENTS_MODERATORS_GROUP
        try:
            group = Group.objects.get(name=name)
        except Group.DoesNotExist:
            raise CommandError(f"The {name} group is missing: run `manage.py migrate` first.") from None
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        created = user is None
        if user is None:
            user = User(username=username)
        user.is_staff = True
        if email:
            user.email = email
        if password is None:
            password = self._ask_password(user)
        else:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        user.set_password(password)
        user.save()
        user.groups.add(group)
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} moderator {username!r}; log in at /admin/."))

    def _ask_password(self, user: "AuthUser") -> str:
        """Ask until the password is typed twice alike and passes AUTH_PASSWORD_VALIDATORS, as createsuperuser does."""
        import getpass

        while True:
            password = getpass.getpass("Password: ")
            if not password or password != getpass.getpass("Password (again): "):
                self.stderr.write("Passwords were empty or did not match; try again.")
                continue
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.stderr.write("\n".join(error.messages))
                continue
            return password
