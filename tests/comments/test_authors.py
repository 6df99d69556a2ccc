"""Authors (issue 15, items 1-4): the author panel, acting on an author, trust and blocks, holding from history."""

import uuid
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import localtime

from bench.seed import seed_comments
from comments import authors, transitions
from comments.models import AuthorRule, Comment, CommentStats, ModerationEvent, WordList
from tests.comments.test_queue_scale import _plans, _scans_the_table
from tests.helpers import page, require_services, text_of

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
QUEUE = reverse("admin:comments_comment_changelist")
RULES = reverse("admin:comments_authorrule_changelist")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def no_flood(settings):
    settings.COMMENTS_FLOOD_SECONDS = 0


def _change(comment):
    return reverse("admin:comments_comment_change", args=[comment.pk])


def _act(comment):
    return reverse("admin:comments_comment_author", args=[comment.pk])


def _panel(client, comment):
    field = page(client.get(_change(comment))).find(".//div[@class='form-row field-same_author']")
    return None if field is None else text_of(field)


def _latest():
    return Comment.objects.latest("pk")


def _rule(kind, value, target=AuthorRule.Target.EMAIL, **fields):
    rule = AuthorRule(kind=kind, target=target, value=value, **fields)
    rule.clean()  # as the admin's form does: the value as rules match it
    rule.save()
    return rule


# ---------------------------------------------------------------- 1. the author panel


@pytest.fixture
def history(article, make_comment, clock):
    """Jane's comments under three spellings of one Gmail mailbox, a neighbour in her /24, a stranger outside it."""

    def jane(days_ago, status, email="Jane.Doe@gmail.com", ip="192.0.2.10"):
        return make_comment(
            article, status=status, author_email=email, ip_address=ip, submitted_at=NOW - timedelta(days=days_ago)
        )

    jane(200, "approved")  # outside the 90 days: counted, not in the share
    jane(100, "trash", email="janedoe+old@googlemail.com")  # outside too
    jane(90, "approved", email="J.A.N.E.D.O.E@gmail.com")  # exactly 90 days ago: inside
    jane(10, "approved")
    jane(5, "spam", ip="192.0.2.200")
    newest = jane(0, "pending")
    make_comment(article, author_email="neighbour@example.org", ip_address="192.0.2.99", submitted_at=NOW)
    make_comment(article, author_email="stranger@example.org", ip_address="192.0.3.10", submitted_at=NOW)
    return newest


def test_author_panel_figures_on_a_seeded_history(moderator_client, history):
    text = _panel(moderator_client, history)
    assert "5 other comments with this email" in text
    assert "Pending 1 Approved 3 Spam 1 Trash 1" in text
    first, last = (localtime(NOW - timedelta(days=200)), localtime(NOW))
    assert f"{first:%Y-%m-%d %H:%M} – {last:%Y-%m-%d %H:%M}" in text
    assert "1 of 3 decided comments (33%)" in text  # approved 90 and 10 days ago, spam 5 days ago
    assert "4 other comments with this IP address" in text  # the 5th of Jane's came from .200
    assert "Network 192.0.2.0/24" in text and "1 comments with other emails" in text
    assert "neighbour@example.org" not in text  # others are listed by name, never by email
    assert "stranger" not in text


def test_author_record_counts_an_ipv6_author_by_their_64(article, make_comment):
    comment = make_comment(article, author_email="a@example.org", ip_address="2001:db8:1:2::1")
    make_comment(article, author_email="b@example.org", ip_address="2001:db8:1:2:ffff::9")
    make_comment(article, author_email="c@example.org", ip_address="2001:db8:1:3::1")
    record = authors.record_of(comment)
    assert record.network == "2001:db8:1:2::/64"
    assert record.neighbour_count == 1


def test_author_panel_without_an_email_shows_no_actions(moderator_client, article, make_comment):
    comment = make_comment(article, author_email="", ip_address="192.0.2.1")
    doc = page(moderator_client.get(_change(comment)))
    assert not doc.findall(".//button[@name='author_action']")
    assert "Network 192.0.2.0/24" in text_of(doc.find(".//div[@class='form-row field-same_author']"))


def test_queue_filtered_to_an_author_opens_with_their_panel(moderator_client, history):
    response = moderator_client.get(QUEUE, {"status": "all", "same_author_as": f"email:{history.pk}"})
    doc = page(response)
    panel = doc.find(".//section[@class='author-panel-queue']")
    assert "Pending 1 Approved 3 Spam 1 Trash 1" in text_of(panel)
    assert panel.find(".//form").get("action") == _act(history)
    assert len(doc.findall(".//table[@id='result_list']/tbody/tr")) == 6


def test_author_record_takes_three_queries(article, make_comment, django_assert_num_queries):
    comment = make_comment(article, author_email="a@example.org", ip_address="192.0.2.1")
    with django_assert_num_queries(3):  # the mailbox's figures, the network's newest others, the rules
        authors.record_of(comment)
    for n in range(authors.NEIGHBOURS_SHOWN):
        make_comment(article, author_email=f"n{n}@example.org", ip_address="192.0.2.2")
    with django_assert_num_queries(4):  # a full list of neighbours: their count too, capped
        record = authors.record_of(comment)
    assert record.neighbour_count == authors.NEIGHBOURS_SHOWN


def test_change_page_query_count_does_not_grow_with_the_history(
    moderator_client, article, make_comment, django_assert_max_num_queries
):
    comment = make_comment(article, author_email="a@example.org", ip_address="192.0.2.1")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert moderator_client.get(_change(comment)).status_code == 200
        return len(captured)

    for n in range(authors.NEIGHBOURS_SHOWN):  # a full list of neighbours: their count is read as well
        make_comment(article, author_email=f"m{n}@example.org", ip_address="192.0.2.3")
    queries()  # the first request also fills per-process caches (content types)
    few = queries()
    for n in range(30):
        make_comment(article, author_email="a@example.org" if n % 2 else f"n{n}@example.org", ip_address="192.0.2.2")
    assert queries() == few
    with django_assert_max_num_queries(14):  # 13 at the time of writing, 4 of them the panel's
        moderator_client.get(_change(comment))


def test_author_panel_reads_comments_through_indexes(moderator_client, make_article):
    article = seed_comments(make_article(), 2_000)
    if connection.vendor == "postgresql":
        require_services(postgres=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    comment = Comment.objects.filter(article=article).order_by("pk")[500]
    with CaptureQueriesContext(connection) as queries:
        authors.record_of(comment)
        authors.held_by_history(comment.author_email_key)
    plans = list(_plans(query["sql"] for query in queries))
    assert len(plans) >= 4  # the figures, the network's newest and their count, the recent decisions
    for sql, plan in plans:
        assert not _scans_the_table(plan, sorts_allowed=False), f"{sql[:300]}…\n{plan}"


# ---------------------------------------------------------------- permissions


@pytest.fixture
def viewer_client(db):
    """Staff who may read comments but not moderate them."""
    user = User.objects.create_user("viewer", "viewer@example.com", "x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client = Client()
    client.force_login(user)
    return client


def test_nothing_of_the_author_panel_reaches_a_non_moderator(viewer_client, history):
    response = viewer_client.get(_change(history))
    assert response.status_code == 200
    html = response.content.decode()
    assert "field-same_author" not in html and "author_action" not in html
    assert "Rules on this author" not in html
    queue = viewer_client.get(QUEUE, {"status": "all", "same_author_as": f"email:{history.pk}"})
    assert "author-panel" not in queue.content.decode()
    # The filter is ignored: every comment is listed, not the author's.
    assert len(page(queue).findall(".//table[@id='result_list']/tbody/tr")) == Comment.objects.count()
    acted = viewer_client.post(_act(history), {"author_action": "spam_recent", "author_days": "365"})
    assert acted.status_code == 403
    assert Comment.objects.filter(author_email_key="janedoe@gmail.com", status="spam").count() == 1
    assert viewer_client.get(RULES).status_code == 403
    assert viewer_client.get(reverse("admin:comments_authorrule_add")).status_code == 403


def test_moderators_manage_author_rules(moderator_client):
    assert moderator_client.get(RULES).status_code == 200
    response = moderator_client.post(
        reverse("admin:comments_authorrule_add"),
        {"kind": "blocked", "target": "email", "value": "Jane.Doe+x@Example.org", "note": "spam run"},
    )
    assert response.status_code == 302
    rule = AuthorRule.objects.get()
    assert (rule.value, rule.note, rule.created_by.username) == ("jane.doe@example.org", "spam run", "mod")
    listed = text_of(page(moderator_client.get(RULES, {"q": "JANE.DOE+other@example.org"})).find(".//table"))
    assert "jane.doe@example.org" in listed


@pytest.mark.parametrize(
    ("target", "value", "error"),
    [
        ("network", "192.0.2.0/33", "Enter a network"),
        ("email", "example.org", "Enter an email"),
        ("domain", "x", "Enter a domain"),
    ],
)
def test_an_invalid_rule_value_is_refused_next_to_the_field(moderator_client, target, value, error):
    response = moderator_client.post(
        reverse("admin:comments_authorrule_add"), {"kind": "blocked", "target": target, "value": value}
    )
    assert response.status_code == 200
    assert error in text_of(page(response).find(".//div[@class='form-row errors field-value']"))
    assert not AuthorRule.objects.exists()


def test_a_rule_from_the_panel_starts_on_the_mailbox_without_the_email_in_the_url(moderator_client, history):
    doc = page(moderator_client.get(_change(history)))
    link = next(a.get("href") for a in doc.iterfind(".//a[@class='addlink']") if "from_comment" in a.get("href"))
    assert "jane" not in link.lower()
    form = page(moderator_client.get(link))
    assert form.find(".//input[@name='value']").get("value") == "janedoe@gmail.com"


# ---------------------------------------------------------------- 2. acting on an author


def test_approving_an_authors_pending_comments_is_one_undoable_action(moderator_client, article, make_comment):
    mine = [make_comment(article, status="pending", author_email=email) for email in ("a@x.org", "A+tag@X.org")]
    old_spam = make_comment(article, status="spam", author_email="a@x.org")
    other = make_comment(article, status="pending", author_email="b@x.org")
    response = moderator_client.post(_act(mine[0]), {"author_action": "approve_pending"}, follow=True)
    assert "2 pending comments of this author approved." in response.content.decode()
    assert {c.status for c in Comment.objects.filter(pk__in=[c.pk for c in mine])} == {"approved"}
    assert Comment.objects.get(pk=old_spam.pk).status == "spam" and Comment.objects.get(pk=other.pk).status == "pending"
    events = ModerationEvent.objects.filter(comment_id__in=[c.pk for c in mine], to_status="approved")
    assert len({event.batch for event in events}) == 1 and events.count() == 2
    undo = page(response).find(".//form[@class='undo-form']").get("action")
    moderator_client.post(undo)
    assert {c.status for c in Comment.objects.filter(pk__in=[c.pk for c in mine])} == {"pending"}


@pytest.mark.parametrize(("action", "status"), [("spam_recent", "spam"), ("trash_recent", "trash")])
def test_rejecting_an_authors_recent_comments_keeps_older_ones(
    moderator_client, article, make_comment, clock, action, status
):
    recent = [
        make_comment(article, status=s, author_email="a@x.org", submitted_at=NOW - timedelta(days=d))
        for s, d in [("approved", 7), ("pending", 1)]
    ]
    older = make_comment(article, author_email="a@x.org", submitted_at=NOW - timedelta(days=7, seconds=1))
    moderator_client.post(
        _act(recent[0]),
        {"author_action": action, "author_days": "7", "author_reason": "advertising", "author_note": "shop"},
    )
    assert {c.status for c in Comment.objects.filter(pk__in=[c.pk for c in recent])} == {status}
    assert Comment.objects.get(pk=older.pk).status == "approved"
    events = ModerationEvent.objects.filter(to_status=status)
    assert {(e.reason, e.note) for e in events} == {("advertising", "shop")} and events.count() == 2
    assert CommentStats.objects.get(article=article).approved_count == 3 + 1  # the seeded three, and `older`


def test_acting_on_an_author_is_rolled_back_whole_on_a_failure(article, make_comment):
    mine = [make_comment(article, status=s, author_email="a@x.org") for s in ("approved", "pending", "approved")]
    events = ModerationEvent.objects.count()
    with (
        mock.patch.object(transitions, "shift", side_effect=RuntimeError("counts failed")),
        pytest.raises(RuntimeError),
    ):
        authors.act_on("a@x.org", "spam_recent", days=30, batch=uuid.uuid4())
    assert [c.status for c in Comment.objects.filter(pk__in=[c.pk for c in mine]).order_by("pk")] == [
        "approved",
        "pending",
        "approved",
    ]
    assert ModerationEvent.objects.count() == events


@pytest.mark.parametrize("days", ["0", "", "x", "4000"])
def test_rejecting_an_author_needs_a_number_of_days(moderator_client, article, make_comment, days):
    comment = make_comment(article, author_email="a@x.org")
    response = moderator_client.post(_act(comment), {"author_action": "spam_recent", "author_days": days}, follow=True)
    assert "Give the number of days" in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).status == "approved"


def test_acting_on_an_author_only_by_post(moderator_client, article, make_comment):
    comment = make_comment(article, status="pending", author_email="a@x.org")
    assert moderator_client.get(_act(comment), {"author_action": "approve_pending"}).status_code == 404
    assert Comment.objects.get(pk=comment.pk).status == "pending"


# ---------------------------------------------------------------- 3. trust and blocks


@pytest.fixture
def known_author(article, make_comment, settings, no_flood):
    """An author whose earlier comment was approved, with automatic approval of known authors on."""
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    make_comment(article, author_name="Regular", author_email="regular@example.com")
    return {"author_name": "Regular", "author_email": "regular@example.com"}


def test_a_blocked_authors_comment_is_spam_and_looks_normal_to_them(post_comment, article, no_flood):
    post_comment(article, author_email="fine@example.org")
    fine = _latest()
    _rule("blocked", "blocked@example.org")
    blocked_client = Client(REMOTE_ADDR="192.0.2.7")
    response = post_comment(article, via=blocked_client, author_email="blocked@example.org", body="Buy things")
    comment = _latest()
    assert comment.status == "spam"
    assert comment.held_for == "blocked" and comment.reasons[0]["rule"] == AuthorRule.objects.get().pk
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")
    assert fine.pk != comment.pk
    html = blocked_client.get(response["Location"]).content.decode()
    assert "Buy things" in html and "Your comment is awaiting moderation." in html
    assert "Buy things" not in Client().get(response["Location"]).content.decode()


def test_an_always_held_author_is_never_approved_automatically(post_comment, article, known_author):
    _rule("hold", "regular@example.com")
    post_comment(article, **known_author)
    assert (_latest().status, _latest().held_for) == ("pending", "author_held")


def test_a_trusted_author_is_approved_even_on_a_first_comment(post_comment, article, no_flood):
    _rule("trusted", "new@example.org", note="our dermatologist")
    post_comment(article, author_email="new@example.org")
    assert (_latest().status, _latest().held_for) == ("approved", "trusted")


@pytest.mark.parametrize(
    ("fields", "status", "held_for"),
    [
        ({"body": "One https://a.com/x two https://b.com/y three https://c.com/z"}, "pending", "links"),
        ({"body": "Cheap VIAGRA"}, "spam", "disallowed_word"),
        ({"body": "Ask me for a discount"}, "pending", "moderation_word"),
    ],
)
def test_word_and_link_rules_still_hold_a_trusted_author(post_comment, article, no_flood, fields, status, held_for):
    WordList.objects.filter(kind="disallowed").update(words="viagra")
    WordList.objects.filter(kind="moderation").update(words="discount")
    _rule("trusted", "new@example.org")
    post_comment(article, author_email="new@example.org", **fields)
    assert (_latest().status, _latest().held_for) == (status, held_for)


def test_blocked_wins_over_trusted(post_comment, article, no_flood):
    _rule("trusted", "new@example.org")
    _rule("blocked", "example.org", target="domain")
    post_comment(article, author_email="new@example.org")
    assert (_latest().status, _latest().held_for) == ("spam", "blocked")


@pytest.mark.parametrize(("kind", "status"), [("blocked", "spam"), ("hold", "pending"), ("trusted", "approved")])
@pytest.mark.parametrize(("expires_in", "applies"), [(None, True), (1, True), (0, False), (-1, False)])
def test_each_rule_kind_until_its_expiry(post_comment, article, known_author, clock, kind, status, expires_in, applies):
    # Without a rule a known author is approved, and a new one held: each kind is tested against the other.
    author, unruled = (
        (known_author, "approved") if kind != "trusted" else ({"author_email": "new@example.org"}, "pending")
    )
    expires_at = None if expires_in is None else NOW + timedelta(seconds=expires_in)
    _rule(kind, author["author_email"], expires_at=expires_at)
    post_comment(article, **author)
    assert _latest().status == (status if applies else unruled)


@pytest.mark.parametrize(
    ("rule_value", "email", "matches"),
    [
        ("Jane.Doe+x@Example.org", "jane.doe@example.org", True),  # tags go everywhere, case too
        ("jane.doe@example.org", "JANE.DOE+news@EXAMPLE.ORG", True),
        ("jane.doe@example.org", "janedoe@example.org", False),  # elsewhere than Gmail, dots are part of the name
        ("Jane.Doe+x@GoogleMail.com", "j.a.n.e.d.o.e@gmail.com", True),  # Gmail ignores dots; googlemail is gmail
        ("janedoe@gmail.com", "jane.doe+x@googlemail.com", True),
        ("jane@example.org", "jane@example.org.evil", False),
    ],
)
def test_an_email_rule_matches_the_mailbox(post_comment, article, no_flood, rule_value, email, matches):
    _rule("blocked", rule_value)
    post_comment(article, author_email=email)
    assert (_latest().status == "spam") is matches


@pytest.mark.parametrize(
    ("domain", "email", "matches"),
    [
        ("example.org", "a@example.org", True),
        ("@Example.ORG", "a@mail.example.org", True),  # and its subdomains
        ("example.org", "a@badexample.org", False),
        ("example.org", "a@example.org.evil", False),
        ("googlemail.com", "a@gmail.com", True),
    ],
)
def test_a_domain_rule_matches_the_domain_and_its_subdomains(post_comment, article, no_flood, domain, email, matches):
    _rule("blocked", domain, target="domain")
    post_comment(article, author_email=email)
    assert (_latest().status == "spam") is matches


@pytest.mark.parametrize(
    ("network", "address", "matches"),
    [
        ("192.0.2.0/24", "192.0.2.77", True),
        ("192.0.2.0/24", "192.0.3.1", False),
        ("192.0.2.5", "192.0.2.5", True),  # one address
        ("2001:db8::/48", "2001:db8:0:ffff::1", True),
        ("2001:db8::/48", "2001:db9::1", False),
        ("192.0.2.0/24", "2001:db8::1", False),  # the other family
    ],
)
def test_a_network_rule_matches_addresses_inside_it(post_comment, article, no_flood, network, address, matches):
    _rule("blocked", network, target="network")
    post_comment(article, via=Client(REMOTE_ADDR=address))
    assert (_latest().status == "spam") is matches


# ---------------------------------------------------------------- 4. holding from history


@pytest.mark.parametrize(
    ("rejected", "approved", "days_ago", "held"),
    [
        (2, 1, 1, True),  # 2 of 3: above half
        (2, 2, 1, False),  # 2 of 4: exactly half is not above
        (2, 0, 1, False),  # only 2 decided: too few to judge
        (3, 0, 91, False),  # outside the 90 days
        (3, 0, 90, True),  # at the edge: inside
    ],
)
def test_an_author_with_mostly_rejected_comments_is_held(
    post_comment, article, make_comment, settings, no_flood, clock, rejected, approved, days_ago, held
):
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    # The comment that makes them known is old: it is outside the 90 days, so it is not counted.
    make_comment(article, author_name="Regular", author_email="r@example.com", submitted_at=NOW - timedelta(days=200))
    for _n in range(rejected):
        make_comment(article, status="spam", author_email="r@example.com", submitted_at=NOW - timedelta(days=days_ago))
    for _n in range(approved):
        make_comment(article, author_email="r@example.com", submitted_at=NOW - timedelta(days=days_ago))
    post_comment(article, author_name="Regular", author_email="r@example.com")
    comment = _latest()
    assert comment.status == ("pending" if held else "approved")
    if held:
        assert comment.held_for == "rejected_history"
        assert comment.reasons[0] == {"code": "rejected_history", "rejected": rejected, "decided": rejected + approved}


def test_history_holds_a_trusted_author_too_and_the_queue_says_why(
    moderator_client, post_comment, article, make_comment, no_flood, settings
):
    settings.COMMENTS_HOLD_REJECTED_SHARE = 0.25
    _rule("trusted", "t@example.com")
    for status in ("spam", "approved", "approved"):
        make_comment(article, status=status, author_email="t@example.com")
    post_comment(article, author_email="t@example.com")
    assert (_latest().status, _latest().held_for) == ("pending", "rejected_history")
    row = page(moderator_client.get(QUEUE, {"held_for": "rejected_history"})).find(".//table[@id='result_list']/tbody")
    assert "most recent comments rejected" in text_of(row) and "trusted author" in text_of(row)
    full = text_of(page(moderator_client.get(_change(_latest()))).find(".//div[@class='form-row field-why']"))
    assert "most recent comments rejected: 1 of 3 decided lately" in full


# ---------------------------------------------------------------- the network column


def test_the_migration_fills_the_network_of_existing_comments(article, make_comment):
    from importlib import import_module

    from django.apps import apps

    comments = [make_comment(article, ip_address=ip) for ip in ("192.0.2.1", "2001:db8:1:2::5", None)]
    Comment.objects.update(ip_network="")  # as before the migration
    import_module("comments.migrations.0013_authors").fill_ip_networks(apps, None)
    assert [Comment.objects.get(pk=c.pk).ip_network for c in comments] == ["192.0.2.0/24", "2001:db8:1:2::/64", ""]


def test_erasing_and_purging_personal_data_forget_the_mailbox_and_network(article, make_comment):
    from comments import privacy

    erased = make_comment(article, author_email="gone@example.org", ip_address="192.0.2.1")
    old = make_comment(article, ip_address="192.0.2.2", submitted_at=NOW - timedelta(days=400))
    privacy.erase_personal_data(["gone@example.org"])
    privacy.purge_ips(90)
    erased.refresh_from_db()
    old.refresh_from_db()
    assert (erased.author_email_key, erased.ip_network) == ("", "192.0.2.0/24")  # the address kept only to /24
    assert (old.ip_address, old.ip_network) == (None, "")


def test_an_author_without_an_email_cannot_be_acted_on(moderator_client, article, make_comment):
    nameless = make_comment(article, status="pending", author_email="")
    other = make_comment(article, status="pending", author_email="")
    response = moderator_client.post(_act(nameless), {"author_action": "approve_pending"}, follow=True)
    assert "there is no author to act on" in response.content.decode()
    assert set(Comment.objects.filter(pk__in=[nameless.pk, other.pk]).values_list("status", flat=True)) == {"pending"}


def test_posting_reads_the_rules_from_the_shared_cache_and_sees_a_change_at_once(
    post_comment, article, no_flood, django_assert_num_queries
):
    post_comment(article, author_email="x@example.org")  # loads the rules in force (none) into the cache
    with CaptureQueriesContext(connection) as queries:
        post_comment(article, author_email="y@example.org")
    assert not [q for q in queries if "comments_authorrule" in q["sql"]]
    rule = _rule("blocked", "z@example.org")
    post_comment(article, author_email="z@example.org")
    assert _latest().status == "spam"
    rule.delete()
    post_comment(article, author_email="z@example.org", body="Again, after the block was lifted.")
    assert _latest().status == "pending"


def test_deleting_rules_from_the_admin_list_lifts_them_at_once(moderator_client, post_comment, article, no_flood):
    rule = _rule("blocked", "z@example.org")
    post_comment(article, author_email="z@example.org")
    assert _latest().status == "spam"
    moderator_client.post(RULES, {"action": "delete_selected", "_selected_action": [rule.pk], "post": "yes"})
    assert not AuthorRule.objects.exists()
    post_comment(article, author_email="z@example.org", body="Back again.")
    assert _latest().status == "pending"
