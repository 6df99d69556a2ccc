from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self) -> None:
        from .search import restore_sqlite_triggers

        post_migrate.connect(restore_sqlite_triggers, sender=self, dispatch_uid="comments-fts-triggers")
