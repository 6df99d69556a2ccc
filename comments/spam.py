"""The spam classifier on the site: moderators' decisions teach it, every new comment gets its score.

- Labels: comments.transitions calls label_moves() for every decision a moderator makes
  (approved or "not spam" → legitimate; spam, or trash for spam or advertising → spam;
  unapproved → the label is withdrawn). Labels live on the comments themselves
  (Comment.spam_label), so erasing or deleting a comment takes it out of training.
- Training: the `train_model` task reads the labelled comments' text, fits a logistic
  regression (comments.spamlearn, scikit-learn) and stores it as JSON in the one
  SpamModel row. It runs after every decision that changes a label, in the task queue;
  "Not spam" first in line.
- Scoring: score() in plain Python (comments.spamfeatures) on the model cached in this
  process, named by its training time, which the shared cache publishes.
- Policy: verdict() files as spam at COMMENTS_SPAM_THRESHOLD, holds with a warning at
  COMMENTS_SPAM_HOLD_THRESHOLD, never approves, and says nothing until the model was
  trained on enough decisions.
"""

import logging
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from skinsite.versioned_cache import current_version, publish_version

from .models import Comment, Reason, Rejection, SpamLabel, SpamModel
from .spamfeatures import Model, describe, features, score

logger = logging.getLogger(__name__)
Status = Comment.Status
VERSION_KEY = "comments:spam-model"
# "Not spam" is the costliest mistake the classifier makes: its training goes first in the queue.
NOT_SPAM_PRIORITY = 50

_loaded: dict[str, Any] = {"version": None, "model": None}


# ---------------------------------------------------------------- the model


def _version() -> str:
    """The current model's name ("": no model), through the shared cache."""

    def load() -> str:
        version = SpamModel.objects.values_list("version", flat=True).first()
        return str(version) if version else ""

    return str(current_version(VERSION_KEY, load))


def current_model() -> Model | None:
    """The model in force, loaded from the database once per training and process."""
    version = _version()
    if _loaded["version"] != version:
        row = SpamModel.objects.values_list("model", flat=True).first()
        _loaded["version"], _loaded["model"] = version, row
    model: Model | None = _loaded["model"]
    return model


def acting(model: Model | None) -> bool:
    """Whether the model has seen enough decisions to file or hold comments (before that it only scores)."""
    return (
        model is not None
        and model["spam"] + model["ham"] >= settings.COMMENTS_SPAM_MIN_EXAMPLES
        and min(model["spam"], model["ham"]) >= settings.COMMENTS_SPAM_MIN_PER_KIND
    )


def assess(comment: Comment) -> None:
    """Score a new comment: its spam probability and the features that weighed most, stored on it."""
    model = current_model()
    if model is None:
        comment.spam_score, comment.spam_why = None, []
        return
    probability, strongest = score(comment.body, model)
    comment.spam_score = round(probability, 4)
    comment.spam_why = [[describe(feature), round(weight, 3)] for feature, weight in strongest]


def verdict(comment: Comment) -> tuple[str, dict[str, Any]] | None:
    """What the classifier does with a scored comment: (status, reason), or None when it does nothing.

    Never approved: at most filed as spam, or held with a warning.
    """
    if comment.spam_score is None or not acting(current_model()):
        return None
    reason = {"code": Reason.CLASSIFIER, "score": comment.spam_score}
    if comment.spam_score >= settings.COMMENTS_SPAM_THRESHOLD:
        return Status.SPAM, reason
    if comment.spam_score >= settings.COMMENTS_SPAM_HOLD_THRESHOLD:
        return Status.PENDING, reason
    return None


# ---------------------------------------------------------------- labels


def label_for(old: str, new: str, reason: str, *, undo: bool) -> str | None:
    """The label a moderator's move teaches ("" withdraws one; None leaves it as it was)."""
    if new == Status.APPROVED:
        return SpamLabel.HAM
    if new == Status.SPAM:
        return SpamLabel.SPAM
    if new == Status.TRASH:
        return SpamLabel.SPAM if Rejection.means_spam(reason) else ""
    if new == Status.PENDING and old == Status.SPAM and not undo:
        return SpamLabel.HAM  # "Not spam"
    return ""  # unapproved, undone, restored to pending: no longer decided


def label_moves(moves: Iterable[tuple[int, str, str]], reason: str, *, undo: bool) -> None:
    """Record what a moderator's moves (comment id, old status, new status) teach, and train on them.

    Runs in the decision's transaction; training is asked for when it commits.
    """
    by_label: dict[str, list[int]] = {}
    not_spam = False
    for pk, old, new in moves:
        label = label_for(old, new, reason, undo=undo)
        if label is not None:
            by_label.setdefault(label, []).append(pk)
            not_spam |= old == Status.SPAM and label == SpamLabel.HAM
    changed = sum(
        Comment.objects.filter(pk__in=pks).exclude(spam_label=label).update(spam_label=label)
        for label, pks in by_label.items()
    )
    if changed:
        request_training(urgent=not_spam)


def request_training(*, urgent: bool = False) -> None:
    """Train again once the caller's transaction commits (first in the queue when urgent)."""
    requested = timezone.now().isoformat()
    chosen = train_model.using(priority=NOT_SPAM_PRIORITY) if urgent else train_model
    transaction.on_commit(lambda: chosen.enqueue(requested))


def forget(comment_ids: Iterable[int]) -> None:
    """Take comments out of the training set (personal-data erasure) and train again without them."""
    if Comment.objects.filter(pk__in=list(comment_ids)).exclude(spam_label="").update(spam_label=""):
        request_training(urgent=True)


# ---------------------------------------------------------------- training


@task()
def train_model(requested: str = "") -> None:
    """Train on the newest labelled comments, unless a training that started after this request did."""
    current = SpamModel.objects.values_list("trained_at", flat=True).first()
    if requested and current and current >= datetime.fromisoformat(requested):
        return
    train()


def train() -> SpamModel | None:
    """Fit a model on the labelled comments and make it current; None (and no model) without both kinds."""
    from .spamlearn import fit

    started, clock = timezone.now(), time.perf_counter()
    rows = list(
        Comment.objects.exclude(spam_label="")
        .order_by("-moderated_at", "-pk")
        .values_list("body", "spam_label")[: settings.COMMENTS_SPAM_MAX_EXAMPLES]
    )
    labels = [int(label == SpamLabel.SPAM) for _body, label in rows]
    with transaction.atomic():
        SpamModel.objects.all().delete()
        spam_model = None
        if 0 < sum(labels) < len(labels):
            model = fit([features(body) for body, _label in rows], labels)
            spam_model = SpamModel.objects.create(
                model=model,
                spam_examples=model["spam"],
                ham_examples=model["ham"],
                trained_at=started,
                training_seconds=round(time.perf_counter() - clock, 3),
            )
        publish_version(VERSION_KEY, str(spam_model.version) if spam_model else "")
    logger.info("Spam model trained on %d examples in %.2f s", len(rows), time.perf_counter() - clock)
    return spam_model
