"""A held comment's email, delivered for real: the database task queue, one db_worker run, an SMTP server."""

import email
import email.policy
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import Group, User
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from tests.helpers import free_port, subprocess_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ROOT = Path(__file__).resolve().parents[2]


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


def test_held_comment_reaches_moderators_through_worker_and_smtp(smtp_server, settings, post_comment, article):
    port, inbox = smtp_server
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    moderator = User.objects.create_user("smtp-mod", "moderator@example.com", is_staff=True)
    moderator.groups.add(Group.objects.get(name=settings.COMMENTS_MODERATORS_GROUP))

    response = post_comment(
        article, author_name="Real Mail", author_email="real.mail@example.com", body="Through SMTP."
    )
    assert response.status_code == 302
    comment = Comment.objects.get(body="Through SMTP.")
    assert DBTaskResult.objects.count() == 1  # queued: posting never waited for the mail server
    assert inbox.envelopes == []

    env = subprocess_environment(
        DJANGO_TASKS_BACKEND="database",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        DEFAULT_FROM_EMAIL="skinsite <noreply@skin.example.org>",
        DJANGO_SITE_URL="https://skin.example.org",
    )
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr

    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "noreply@skin.example.org"
    assert envelope.rcpt_tos == ["moderator@example.com"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    print("\n--- delivered by the SMTP server ---\n" + envelope.content.decode())
    assert (
        message["Subject"].strip() == "[skinsite] Please moderate: “Can Facial Exercises Improve Your Skin?”"
    )  # folded
    body = message.get_content()
    assert "Real Mail" in body and "real.mail@example.com" in body and "Through SMTP." in body
    assert f"https://skin.example.org/admin/comments/comment/{comment.pk}/change/" in body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
