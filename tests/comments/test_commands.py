"""`manage.py createmoderator`: the login `make run` tells people to create."""

import io

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command


def test_createmoderator_makes_a_staff_member_of_the_group(db, client):
    out = io.StringIO()
    call_command("createmoderator", "maya", email="maya@example.com", password="a-long-password", stdout=out)
    assert "Created moderator 'maya'" in out.getvalue()
    user = User.objects.get(username="maya")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [settings.COMMENTS_MODERATORS_GROUP]
    assert client.login(username="maya", password="a-long-password")
    assert client.get("/admin/comments/comment/").status_code == 200


def test_createmoderator_updates_an_existing_user(db):
    User.objects.create_user("sam", password="old")
    out = io.StringIO()
    call_command("createmoderator", "sam", password="new-password", stdout=out)
    assert "Updated moderator 'sam'" in out.getvalue()
    assert User.objects.get(username="sam").check_password("new-password")


def test_createmoderator_asks_for_the_password(db, monkeypatch):
    answers = iter(["", "", "12345678", "12345678", "secret-one", "secret-one"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    call_command("createmoderator", "kim", stdout=io.StringIO(), stderr=io.StringIO())
    assert User.objects.get(username="kim").check_password("secret-one")


def test_createmoderator_refuses_a_weak_password(db):
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="This password is too common"):
        call_command("createmoderator", "lee", password="password", stdout=io.StringIO())
    assert not User.objects.filter(username="lee").exists()
