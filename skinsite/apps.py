from django.apps import AppConfig


class SkinsiteConfig(AppConfig):
    """The project itself, as an app: what must be in place before the first request."""

    name = "skinsite"

    def ready(self) -> None:
        from .csrf import use_cheaper_tokens

        use_cheaper_tokens()
