"""WSGI entry point, used by gunicorn (`skinsite.wsgi:application`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skinsite.settings")

application = get_wsgi_application()
