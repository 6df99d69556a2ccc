"""The "Moderators" group: moderates comments and edits the word lists without being superusers."""

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = settings.COMMENTS_MODERATORS_GROUP
PERMISSIONS = [
    ("comments", "comment", ["view_comment", "change_comment", "delete_comment", "moderate_comment"]),
    ("comments", "wordlist", ["view_wordlist", "change_wordlist"]),
    ("articles", "article", ["view_article"]),
]


def create_group(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    for app_label, model, codenames in PERMISSIONS:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, content_type__model=model, codename__in=codenames
            )
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0002_seed_comments"),
        ("articles", "0002_seed_article"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
