"""The spam classifier (issue 19): taught by moderators, scores every comment, files or holds, never approves."""

import json
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from comments import privacy, spam, transitions
from comments.models import Comment, ModerationEvent, SpamModel
from comments.spamfeatures import features, score
from comments.spamlearn import Dataset, fit, pick_threshold
from tests.helpers import page, shared_data, text_of

QUEUE = reverse("admin:comments_comment_changelist")
SPAM_TEXTS = [
    "Check out my channel and subscribe please http://promo.example/v{n}",
    "Free money! Visit www.cash{n}.example and earn $500 a day",
    "Please subscribe to my music channel, check it out {n}",
    "Hey guys check out my new video and subscribe www.vids.example/{n}",
]
HAM_TEXTS = [
    "I tried these facial exercises for {n} weeks and my cheeks feel firmer.",
    "Does anyone know if the jaw exercise helps with wrinkles around the mouth? {n}",
    "My dermatologist said sunscreen matters more than any exercise, week {n}.",
    "Thank you for the article, the part about collagen was interesting {n}.",
]
Status = Comment.Status


@pytest.fixture
def small_gate(settings):
    """The classifier acts after 8 decisions, 4 of each kind (200 and 50 by default)."""
    settings.COMMENTS_SPAM_MIN_EXAMPLES = 8
    settings.COMMENTS_SPAM_MIN_PER_KIND = 4
    settings.COMMENTS_FLOOD_SECONDS = 0  # several posts from one test client
    return settings


def teach(article, make_comment, moderator, spam_count=8, ham_count=8, **fields):
    """Moderators decide on spam and legitimate comments; the model is trained on those decisions."""
    spammy = [
        make_comment(article, status=Status.PENDING, body=SPAM_TEXTS[n % 4].format(n=n), **fields)
        for n in range(spam_count)
    ]
    legit = [make_comment(article, status=Status.PENDING, body=HAM_TEXTS[n % 4].format(n=n)) for n in range(ham_count)]
    transitions.mark_spam(Comment.objects.filter(pk__in=[c.pk for c in spammy]), moderator)
    transitions.approve(Comment.objects.filter(pk__in=[c.pk for c in legit]), moderator)
    return spam.train()


def test_features_and_scoring_need_no_numpy_and_explain_themselves():
    counts = features("Check out my channel &amp; SUBSCRIBE http://x.example")
    assert counts["w:subscribe"] == 1 and counts["w:check out"] == 1
    assert counts["c: su"] == 1 and counts["x:link"] == 1 and counts["x:subscribe"] == 1
    texts = [t.format(n=n) for n in range(6) for t in SPAM_TEXTS + HAM_TEXTS]
    labels = [1] * 4 + [0] * 4
    model = fit([features(t) for t in texts], labels * 6)
    assert json.loads(json.dumps(model)) == model  # plain JSON, nothing pickled
    spam_score, why = score("Subscribe to my channel, check it out www.promo.example", model)
    ham_score, _why = score("The exercises made my skin feel firmer after a few weeks.", model)
    assert spam_score > 0.5 > ham_score
    assert all(weight > 0 for _feature, weight in why[:2])  # the features that pushed it towards spam


def test_threshold_pick_lets_at_most_the_target_share_of_legitimate_comments_cross():
    ham = [i / 1000 for i in range(1000)]  # 0.000 … 0.999
    threshold = pick_threshold(ham, target=0.005)
    assert sum(s >= threshold for s in ham) == 5
    assert pick_threshold([0.1, 0.2]) > 0.2  # too few to allow any: above them all


# ---- the policy, at the edges of each threshold


@pytest.mark.parametrize(
    ("above_spam", "above_hold", "status", "classifier_reason"),
    [
        (0.0, 0.0, Status.SPAM, True),  # at the spam threshold: filed as spam
        (-0.0001, -0.0001, Status.SPAM, True),  # just above it
        (0.0001, 0.0, Status.PENDING, True),  # just below it, at the hold threshold: held with a warning
        (0.0001, 0.0001, Status.APPROVED, False),  # just below the hold threshold: untouched (known author)
    ],
)
def test_thresholds_hold_at_their_edges(
    small_gate, article, make_comment, moderator, post_comment, above_spam, above_hold, status, classifier_reason
):
    settings = small_gate
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    teach(article, make_comment, moderator)
    make_comment(article, author_name="Kim", author_email="kim@example.com")  # approved before: a known author
    body = "Check out my skin channel and subscribe"
    edge = round(score(body, spam.current_model())[0], 4)
    settings.COMMENTS_SPAM_THRESHOLD = edge + above_spam
    settings.COMMENTS_SPAM_HOLD_THRESHOLD = edge + above_hold

    post_comment(article, body=body, author_name="Kim", author_email="kim@example.com")

    comment = Comment.objects.latest("pk")
    assert comment.status == status
    assert comment.spam_score == edge
    codes = [reason["code"] for reason in comment.reasons]
    assert ("classifier" in codes) == classifier_reason
    if status == Status.SPAM:
        assert comment.held_for == "classifier" and comment.reasons == [{"code": "classifier", "score": edge}]


def test_below_the_minimum_of_decisions_it_only_scores(small_gate, article, make_comment, moderator, post_comment):
    settings = small_gate
    settings.COMMENTS_SPAM_THRESHOLD = settings.COMMENTS_SPAM_HOLD_THRESHOLD = 0.0  # would file everything
    teach(article, make_comment, moderator, spam_count=8, ham_count=3)  # 11 decisions, but 3 legitimate

    post_comment(article, body="Subscribe to my channel www.promo.example")
    comment = Comment.objects.latest("pk")
    assert comment.spam_score is not None and comment.spam_why
    assert comment.status == Status.PENDING and comment.reasons == [{"code": "first_comment"}]

    settings.COMMENTS_SPAM_MIN_PER_KIND = 3  # now enough of each kind: it acts
    post_comment(article, body="Subscribe to my channel www.promo2.example")
    assert Comment.objects.latest("pk").held_for == "classifier"


def test_without_decisions_of_both_kinds_there_is_no_model(article, make_comment, moderator, post_comment):
    assert teach(article, make_comment, moderator, spam_count=3, ham_count=0) is None
    post_comment(article, body="Anything at all")
    assert Comment.objects.latest("pk").spam_score is None


# ---- learning from the moderators


def test_each_decision_labels_the_comment_for_training(article, make_comment, moderator):
    comments = {name: make_comment(article, status=Status.PENDING) for name in "abcdef"}

    def only(name):
        return Comment.objects.filter(pk=comments[name].pk)

    def label(name):
        return Comment.objects.get(pk=comments[name].pk).spam_label

    transitions.approve(only("a"), moderator)
    transitions.mark_spam(only("b"), moderator, reason="abusive")
    transitions.trash(only("c"), moderator, reason="advertising")
    transitions.trash(only("d"), moderator, reason="off_topic")  # a person, not an advert: no example
    transitions.approve(only("e"), moderator)
    transitions.unapprove(only("e"), moderator)  # the approval is withdrawn
    transitions.mark_spam(only("f"))  # a rule, not a moderator: teaches nothing
    assert [label(name) for name in "abcdef"] == ["ham", "spam", "spam", "", "", ""]

    transitions.not_spam(only("b"), moderator)
    assert label("b") == "ham" and Comment.objects.get(pk=comments["b"].pk).status == Status.PENDING


def test_undoing_a_decision_withdraws_its_label(article, make_comment, moderator):
    comment = make_comment(article, status=Status.PENDING)
    transitions.mark_spam(Comment.objects.filter(pk=comment.pk), moderator)
    batch = ModerationEvent.objects.filter(comment_id=comment.pk, to_status="spam").get().batch
    transitions.undo(batch, moderator)
    comment.refresh_from_db()
    assert comment.status == Status.PENDING and comment.spam_label == ""


def test_not_spam_trains_the_model_at_once(
    small_gate, article, make_comment, moderator, moderator_client, post_comment, django_capture_on_commit_callbacks
):
    settings = small_gate
    settings.COMMENTS_SPAM_THRESHOLD = settings.COMMENTS_SPAM_HOLD_THRESHOLD = 0.3
    before = teach(article, make_comment, moderator)
    body = "Please check out the channel of my dermatologist for more exercises"
    post_comment(article, body=body)
    comment = Comment.objects.latest("pk")
    assert comment.status == Status.SPAM and comment.held_for == "classifier"

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(
            reverse("admin:comments_comment_decide", args=[comment.pk]), {"decision": "not_spam"}
        )
    assert response.json()["status"] == Status.PENDING
    after = SpamModel.objects.get()
    assert after.version != before.version
    assert (after.spam_examples, after.ham_examples) == (before.spam_examples, before.ham_examples + 1)
    assert score(body, after.model)[0] < score(body, before.model)[0]
    assert spam.current_model() == after.model  # the next comment is scored with it


def test_a_training_asked_for_before_the_current_model_is_skipped(small_gate, article, make_comment, moderator):
    model = teach(article, make_comment, moderator)
    spam.train_model.call((model.trained_at - timedelta(seconds=1)).isoformat())
    assert SpamModel.objects.get().version == model.version
    spam.train_model.call((model.trained_at + timedelta(seconds=1)).isoformat())
    assert SpamModel.objects.get().version != model.version


# ---- the queue


def test_the_queue_shows_the_score_badge_and_reasons_and_sorts_by_score(
    small_gate, moderator_client, article, make_comment, moderator, post_comment
):
    settings = small_gate
    settings.COMMENTS_SPAM_THRESHOLD, settings.COMMENTS_SPAM_HOLD_THRESHOLD = 0.99, 0.01
    teach(article, make_comment, moderator)
    post_comment(article, body="Subscribe to my channel, check it out www.promo.example")
    post_comment(article, body="The neck exercise hurt a little, is that normal?")
    pending = list(Comment.objects.pending().order_by("-pk")[:2])
    mild, held = pending  # newest first

    response = moderator_client.get(QUEUE)
    rows = page(response).findall(".//table[@id='result_list']/tbody/tr")
    assert [row.find(".//div[@data-comment-id]").get("data-comment-id") for row in rows] == [
        str(mild.pk),
        str(held.pk),
    ]  # newest first
    held_row = text_of(rows[1])
    assert f"spam {100 * held.spam_score:.1f}%" in held_row
    assert "spam classifier" in held_row  # the warning badge of a held comment
    assert "subscribe" in held_row  # one of the words that weighed most
    assert rows[1].find(".//span[@class='spam-score spam-hold']") is not None

    unscored = make_comment(article, status=Status.PENDING, body="Posted before there was a model.")
    link = next(a for a in page(response).iter("a") if text_of(a) == "Highest spam score first")
    ordered = page(moderator_client.get(QUEUE + link.get("href")))
    ids = [div.get("data-comment-id") for div in ordered.iter("div") if div.get("data-comment-id")]
    scores = [Comment.objects.get(pk=pk).spam_score for pk in ids]
    assert ids[0] == str(held.pk) and ids[-1] == str(unscored.pk)  # unscored last, on every database
    assert scores[:-1] == sorted(scores[:-1], reverse=True)


def test_not_spam_is_offered_in_the_spam_view_only(moderator_client, article, make_comment):
    make_comment(article, status=Status.SPAM)
    assert "not_spam" in moderator_client.get(QUEUE + "?status=spam").content.decode()
    assert 'value="not_spam"' not in moderator_client.get(QUEUE).content.decode()


# ---- privacy


def test_erasing_a_person_takes_their_comments_out_of_the_model(
    small_gate, article, make_comment, moderator, django_capture_on_commit_callbacks
):
    person = {"author_name": "Zed Quill", "author_email": "zed@example.com"}
    make_comment(article, status=Status.PENDING, body="zorblax pills, subscribe now", **person)
    make_comment(article, status=Status.PENDING, body="more zorblax pills, check out", **person)
    transitions.mark_spam(Comment.objects.filter(author_email="zed@example.com"), moderator)
    before = teach(article, make_comment, moderator)
    assert "w:zorblax" in before.model["features"]
    stored = json.dumps(before.model)
    assert "zed@example" not in stored and "quill" not in stored.lower()  # no email, no name

    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_personal_data(["zed@example.com"])

    after = SpamModel.objects.get()
    assert after.spam_examples == before.spam_examples - 2
    assert "w:zorblax" not in after.model["features"]
    assert not Comment.objects.filter(body__contains="zorblax").exclude(spam_label="").exists()


def test_deleting_taught_comments_trains_the_model_again_without_them(
    small_gate, article, make_comment, moderator, django_capture_on_commit_callbacks
):
    before = teach(article, make_comment, moderator)
    with django_capture_on_commit_callbacks(execute=True):
        taught = Comment.objects.filter(spam_label="spam").values_list("pk", flat=True)[:2]
        transitions.delete(Comment.objects.filter(pk__in=list(taught)))
    assert SpamModel.objects.get().spam_examples == before.spam_examples - 2


# ---- the evaluation


def test_the_evaluation_command_runs_on_real_labelled_comments(capsys):
    folder = shared_data() / "comment-spam" / "youtube-spam-collection"
    files = [folder / "Youtube01-Psy.csv", folder / "Youtube05-Shakira.csv"]
    call_command("comments_spam_eval", *map(str, files), "--folds", "2", "--inner-folds", "2")
    out = capsys.readouterr().out
    assert out.startswith("720 comments, 349 spam, 371 legitimate")
    assert "2-fold" in out and "leave-one-file-out" in out and "Youtube05-Shakira, at 0.5" in out
    pooled = re.search(r"2-fold\n.*\n  pooled, at 0.5 +([\d.]+)% +([\d.]+)% +([\d.]+)%", out)
    assert pooled and float(pooled[3]) > 90  # F1 of spam


def test_the_evaluation_reads_only_the_text_and_the_label(tmp_path):
    path = tmp_path / "labelled.csv"
    path.write_text('COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n1,a,2015,"Hello, world",0\n2,b,,buy now,1\n')
    data = Dataset.read([path])
    assert (data.texts, data.labels, data.groups) == (["Hello, world", "buy now"], [0, 1], ["labelled", "labelled"])
