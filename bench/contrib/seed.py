"""`python -m bench.contrib.seed < page.json`: a fresh bench/contrib.sqlite3 with the page and its approved comments.

page.json is {"title", "body", "comments": [{"name", "email", "url", "body", "submitted_at"}, …]}.
"""

import json
import os
import sys

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.contrib.settings"
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.flatpages.models import FlatPage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils.dateparse import parse_datetime  # noqa: E402
from django_comments.models import Comment  # noqa: E402

page = json.load(sys.stdin)
settings.DATABASES["default"]["NAME"].unlink(missing_ok=True)
call_command("migrate", verbosity=0)
flatpage = FlatPage.objects.create(url="/", title=page["title"], content=page["body"], template_name="page.html")
flatpage.sites.add(settings.SITE_ID)
Comment.objects.bulk_create(
    Comment(
        content_object=flatpage,
        site_id=settings.SITE_ID,
        user_name=comment["name"],
        user_email=comment["email"],
        user_url=comment["url"],
        comment=comment["body"],
        submit_date=parse_datetime(comment["submitted_at"]),
        is_public=True,
    )
    for comment in page["comments"]
)
