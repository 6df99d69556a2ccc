"""Authors (issue 15): moderators' rules on authors, and each comment's IP network for the author panel."""

from collections import defaultdict

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

BATCH = 5000


def fill_ip_networks(apps, schema_editor):
    """Each comment's network, in batches by id (never writing to rows a cursor is still reading)."""
    from comments.clientip import author_network  # the live function: values must match what save() computes

    Comment = apps.get_model("comments", "Comment")
    with_address = Comment.objects.exclude(ip_address=None).order_by("pk").values_list("pk", "ip_address")
    last = 0
    while rows := list(with_address.filter(pk__gt=last)[:BATCH]):
        by_network = defaultdict(list)
        for pk, address in rows:
            by_network[author_network(address)].append(pk)
        for network, pks in by_network.items():
            Comment.objects.filter(pk__in=pks).update(ip_network=network)
        last = rows[-1][0]


def let_moderators_manage_author_rules(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = ["view_authorrule", "add_authorrule", "change_authorrule", "delete_authorrule"]
    permissions = Permission.objects.filter(content_type__app_label="comments", codename__in=codenames)
    for group in Group.objects.filter(name=settings.COMMENTS_MODERATORS_GROUP):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_import_article_is_public"),
        ("comments", "0012_reports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuthorRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("blocked", "Blocked"), ("hold", "Always hold"), ("trusted", "Trusted")],
                        help_text="Blocked: new comments are filed as spam (the author sees nothing unusual). Always hold: never approved automatically. Trusted: approved unless a word list or the link limit holds them.",
                        max_length=10,
                        verbose_name="rule",
                    ),
                ),
                (
                    "target",
                    models.CharField(
                        choices=[
                            ("email", "Email address"),
                            ("domain", "Email domain"),
                            ("network", "IP network (CIDR)"),
                        ],
                        default="email",
                        max_length=10,
                        verbose_name="applies to",
                    ),
                ),
                (
                    "value",
                    models.CharField(
                        help_text="jane@example.org, example.org (and its subdomains), or 192.0.2.0/24 or 2001:db8::/48.",
                        max_length=100,
                        verbose_name="email, domain or network",
                    ),
                ),
                ("note", models.TextField(blank=True, help_text="Why: for the other moderators.", verbose_name="note")),
                (
                    "expires_at",
                    models.DateTimeField(blank=True, help_text="Empty: never.", null=True, verbose_name="expires"),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="created"),
                ),
            ],
            options={
                "verbose_name": "author rule",
                "verbose_name_plural": "trusted and blocked authors",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        # A column of its own, not AddField: on SQLite, AddField of a NOT NULL column rebuilds the whole table.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="comment",
                    name="ip_network",
                    field=models.CharField(blank=True, editable=False, max_length=43, verbose_name="IP network"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE comments_comment ADD COLUMN ip_network varchar(43) DEFAULT '' NOT NULL",
                    "ALTER TABLE comments_comment DROP COLUMN ip_network",
                ),
            ],
        ),
        migrations.RunPython(fill_ip_networks, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="comment",
            name="held_for",
            field=models.CharField(
                blank=True,
                choices=[
                    ("honeypot", "honeypot filled"),
                    ("too_fast", "posted too fast"),
                    ("replayed", "form used before"),
                    ("flood", "mailbox posted seconds before"),
                    ("disallowed_word", "disallowed word"),
                    ("moderation_word", "moderation word"),
                    ("links", "too many links"),
                    ("first_comment", "first comment by this author"),
                    ("held", "every comment is reviewed"),
                    ("known_author", "known author, approved"),
                    ("trusted", "trusted author"),
                    ("author_held", "author always held"),
                    ("blocked", "blocked author"),
                    ("rejected_history", "most recent comments rejected"),
                    ("imported", "imported"),
                    ("moderator", "written by a moderator"),
                    ("akismet", "Akismet"),
                    ("reported", "reported by readers"),
                ],
                editable=False,
                max_length=20,
                verbose_name="decided by",
            ),
        ),
        migrations.AlterField(
            model_name="moderationevent",
            name="rule",
            field=models.CharField(
                blank=True,
                choices=[
                    ("honeypot", "honeypot filled"),
                    ("too_fast", "posted too fast"),
                    ("replayed", "form used before"),
                    ("flood", "mailbox posted seconds before"),
                    ("disallowed_word", "disallowed word"),
                    ("moderation_word", "moderation word"),
                    ("links", "too many links"),
                    ("first_comment", "first comment by this author"),
                    ("held", "every comment is reviewed"),
                    ("known_author", "known author, approved"),
                    ("trusted", "trusted author"),
                    ("author_held", "author always held"),
                    ("blocked", "blocked author"),
                    ("rejected_history", "most recent comments rejected"),
                    ("imported", "imported"),
                    ("moderator", "written by a moderator"),
                    ("akismet", "Akismet"),
                    ("reported", "reported by readers"),
                ],
                max_length=20,
                verbose_name="rule",
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["author_email_key", "-submitted_at", "-id"], name="comment_author"),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["author_email_key", "status", "submitted_at"], name="comment_author_status"),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["ip_network", "-submitted_at", "-id"], name="comment_ip_network"),
        ),
        migrations.AddField(
            model_name="authorrule",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="by",
            ),
        ),
        migrations.AddIndex(
            model_name="authorrule",
            index=models.Index(fields=["target", "value"], name="authorrule_target"),
        ),
        migrations.AddConstraint(
            model_name="authorrule",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["blocked", "hold", "trusted"])), name="authorrule_kind_valid"
            ),
        ),
        migrations.RunPython(let_moderators_manage_author_rules, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="authorrule",
            constraint=models.CheckConstraint(
                condition=models.Q(("target__in", ["email", "domain", "network"])), name="authorrule_target_valid"
            ),
        ),
    ]
