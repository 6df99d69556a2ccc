"""Personal data tools: export, erase, IP retention, and what moderators see (issue 8)."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from comments.clientip import truncate_ip
from comments.models import Comment
from tests.helpers import approved_counts, page, text_of

QUEUE = reverse("admin:comments_comment_changelist")
PERSON = "Person@Example.org"


@pytest.fixture
def persons_comments(article, make_article, make_comment):
    other_article = make_article(title="Second article")
    return [
        make_comment(
            article,
            author_name="Pat",
            author_email=PERSON,
            author_url="https://pat.example",
            ip_address="203.0.113.77",
            user_agent="PatBrowser",
            body="First words",
        ),
        make_comment(
            other_article,
            status="pending",
            author_name="Pat",
            author_email="person@example.org",
            ip_address="2001:db8:1234:5678::1",
            user_agent="PatPhone",
            body="Second words",
        ),
    ]


@pytest.fixture
def bystander(article, make_comment):
    return make_comment(
        article, author_name="Bea", author_email="bea@example.org", ip_address="198.51.100.3", user_agent="BeaBrowser"
    )


def _snapshot(comment):
    comment.refresh_from_db()
    return {f.name: getattr(comment, f.name) for f in Comment._meta.concrete_fields}


def test_truncate_ip():
    assert truncate_ip("203.0.113.77") == "203.0.113.0"
    assert truncate_ip("2001:db8:1234:5678::1") == "2001:db8:1234::"
    assert truncate_ip(None) is None


def test_export_writes_exactly_that_persons_comments(persons_comments, bystander):
    out = io.StringIO()
    call_command("comments_export_personal_data", "person@EXAMPLE.org", stdout=out)
    exported = json.loads(out.getvalue())
    assert [entry["comment"] for entry in exported] == ["First words", "Second words"]
    first = exported[0]
    assert first["article"] == "Can Facial Exercises Improve Your Skin?"
    assert first["name"] == "Pat" and first["website"] == "https://pat.example"
    assert first["ip_address"] == "203.0.113.77" and first["user_agent"] == "PatBrowser"
    assert first["status"] == "approved" and exported[1]["status"] == "pending"
    assert "Bea" not in out.getvalue()


def test_export_to_a_file(persons_comments, tmp_path):
    target = tmp_path / "pat.json"
    call_command("comments_export_personal_data", PERSON, output=str(target), stderr=io.StringIO())
    assert len(json.loads(target.read_text())) == 2


def test_erase_anonymises_and_changes_nothing_else(persons_comments, bystander, article):
    before_bystander = _snapshot(bystander)
    out = io.StringIO()
    call_command("comments_erase_personal_data", PERSON, yes=True, stdout=out)
    assert "Anonymised 2 comments" in out.getvalue()
    first, second = (Comment.objects.get(pk=c.pk) for c in persons_comments)
    assert (first.author_name, first.author_email, first.author_url, first.user_agent) == ("Anonymous", "", "", "")
    assert first.ip_address == "203.0.113.0" and second.ip_address == "2001:db8:1234::"
    assert first.body == "First words" and first.status == "approved"
    assert _snapshot(bystander) == before_bystander
    html = Client().get(article.get_absolute_url()).content.decode()
    assert "First words" in html and "https://pat.example" not in html


def test_erase_with_delete_removes_the_comments(persons_comments, bystander, article):
    call_command("comments_erase_personal_data", PERSON, yes=True, delete=True, stdout=io.StringIO())
    assert not Comment.objects.filter(pk__in=[c.pk for c in persons_comments]).exists()
    assert Comment.objects.filter(pk=bystander.pk).exists()
    article.refresh_from_db()
    assert approved_counts(article)[0] == 4  # the three seeded and the bystander's


def test_erase_asks_for_confirmation(persons_comments, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError, match=r"Nothing changed\."):
        call_command("comments_erase_personal_data", PERSON, stdout=io.StringIO())
    assert Comment.objects.filter(author_email__iexact=PERSON).count() == 2


def test_erase_is_one_transaction(persons_comments, monkeypatch):
    from comments import transitions

    def fail(article_ids):
        raise RuntimeError("database went away")

    monkeypatch.setattr(transitions, "touch", fail)
    with pytest.raises(RuntimeError):
        call_command("comments_erase_personal_data", PERSON, yes=True, stdout=io.StringIO())
    assert Comment.objects.filter(author_email__iexact=PERSON).count() == 2


def test_erased_twins_do_not_collide(article, make_comment):
    make_comment(article, author_name="Twin", author_email="twin@example.org", body="Same")
    make_comment(
        article, author_name="Twin", author_email="twin@example.org", body="Same", parent=Comment.objects.first()
    )
    call_command("comments_erase_personal_data", "twin@example.org", yes=True, stdout=io.StringIO())
    assert Comment.objects.filter(author_name="Anonymous", body="Same").count() == 2


def test_purge_ips_older_than_retention(article, make_comment):
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        old = make_comment(article, ip_address="192.0.2.1", user_agent="Old")
    with time_machine.travel(datetime(2026, 3, 31, tzinfo=UTC), tick=False):  # 89 days later
        recent = make_comment(article, ip_address="192.0.2.2", user_agent="Recent")
    with time_machine.travel(datetime(2026, 4, 1, 0, 0, 1, tzinfo=UTC), tick=False):
        out = io.StringIO()
        call_command("comments_purge_ips", stdout=out)
    assert "of 1 comments older than 90 days" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    assert (recent.ip_address, recent.user_agent) == ("192.0.2.2", "Recent")


def test_purge_ips_days_option(article, make_comment):
    make_comment(article, ip_address="192.0.2.9", submitted_at=datetime.now(UTC) - timedelta(days=8))
    call_command("comments_purge_ips", older_than_days=7, stdout=io.StringIO())
    assert not Comment.objects.filter(ip_address="192.0.2.9").exists()


def test_admin_export_action_downloads_json(moderator_client, persons_comments, bystander):
    response = moderator_client.post(
        f"{QUEUE}?status=all", {"action": "export_personal_data", "_selected_action": [persons_comments[0].pk]}
    )
    assert response["Content-Disposition"] == 'attachment; filename="comments-personal-data.json"'
    assert [entry["comment"] for entry in json.loads(response.content)] == ["First words", "Second words"]


def test_admin_erase_action_confirms_then_anonymises(moderator_client, persons_comments, bystander):
    data = {"action": "erase_personal_data", "_selected_action": [persons_comments[0].pk]}
    confirm = moderator_client.post(f"{QUEUE}?status=all", data)
    assert confirm.status_code == 200
    assert "This anonymises 2 comments by" in confirm.content.decode()
    assert Comment.objects.filter(author_email__iexact=PERSON).count() == 2
    done = moderator_client.post(f"{QUEUE}?status=all", data | {"confirm": "yes"}, follow=True)
    assert "Anonymised 2 comments." in done.content.decode()
    assert not Comment.objects.filter(author_email__iexact=PERSON).exists()
    assert Comment.objects.get(pk=bystander.pk).author_name == "Bea"


def test_comment_page_counts_others_with_same_email_and_ip(moderator_client, article, make_comment):
    first = make_comment(article, author_email="same@example.org", ip_address="192.0.2.50")
    make_comment(article, author_email="same@example.org", ip_address="192.0.2.51")
    make_comment(article, author_email="other@example.org", ip_address="192.0.2.50")
    make_comment(article, author_email="other2@example.org", ip_address="192.0.2.50")
    doc = page(moderator_client.get(reverse("admin:comments_comment_change", args=[first.pk])))
    field = doc.find(".//div[@class='form-row field-same_author']")
    links = {text_of(a): a.get("href") for a in field.iterfind(".//a")}
    assert {"1 other comments with this email", "2 other comments with this IP address"} <= set(links)
    assert "2 comments with other emails" in links  # the /24 (the author panel, tests/comments/test_authors.py)
    listed = moderator_client.get(links["2 other comments with this IP address"])
    assert listed.status_code == 200
    assert len(page(listed).findall(".//table[@id='result_list']/tbody/tr")) == 3
