"""Authors: one person's record (by mailbox and network), the rules moderators set on them, acting on them at once.

There are no accounts: an author is their mailbox (comments.normalize.email_key) and, more
weakly, their IP network (comments.clientip.author_network). Every read here is an indexed
lookup by one of those two keys, never a scan of the comments.
"""

import ipaddress
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.expressions import Case, Value, When
from django.utils import timezone

from . import transitions
from .models import AuthorRule, Comment, Reason, Rejection

Status = Comment.Status
DECIDED = [Status.APPROVED, Status.SPAM, Status.TRASH]
REJECTED = {Status.SPAM, Status.TRASH}
NEIGHBOURS_SHOWN = 10
NEIGHBOURS_COUNTED = 1000  # "1000+" beyond: a busy network's total is not worth counting


def history_start() -> datetime:
    return timezone.now() - timedelta(days=settings.COMMENTS_HISTORY_DAYS)


@dataclass
class Record:
    """What the author panel shows of one mailbox and one network."""

    counts: dict[str, int]
    first: datetime | None
    last: datetime | None
    decided: int  # of the last COMMENTS_HISTORY_DAYS: approved, spam or trash
    rejected: int  # of those, spam or trash
    network: str = ""
    neighbours: list[Comment] = field(default_factory=list)  # newest comments of the network by other mailboxes
    neighbour_count: int = 0  # at most NEIGHBOURS_COUNTED + 1
    rules: list[AuthorRule] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rejected_share(self) -> float | None:
        return self.rejected / self.decided if self.decided else None

    @property
    def neighbours_overflow(self) -> bool:
        return self.neighbour_count > NEIGHBOURS_COUNTED


def mailbox_record(key: str) -> Record:
    """Counts per status, first and last dates and recent decisions of one mailbox, in one query.

    Read from the index (author_email_key, status, submitted_at) alone.
    """
    recent = Sum(Case(When(submitted_at__gte=history_start(), then=Value(1)), default=Value(0)))
    rows = (
        Comment.objects.filter(author_email_key=key)
        .order_by()
        .values_list("status")
        .annotate(n=Count("*"), first=Min("submitted_at"), last=Max("submitted_at"), recent=recent)
    )
    record = Record(counts={}, first=None, last=None, decided=0, rejected=0)
    for status, n, first, last, recent_n in rows if key else []:
        record.counts[status] = n
        record.first = min(filter(None, [record.first, first]), default=None)
        record.last = max(filter(None, [record.last, last]), default=None)
        if status in DECIDED:
            record.decided += recent_n
            record.rejected += recent_n if status in REJECTED else 0
    return record


def recent_decisions(key: str) -> tuple[int, int]:
    """(rejected, decided) comments of one mailbox over the last COMMENTS_HISTORY_DAYS, in one indexed query."""
    if not key:
        return 0, 0
    rows = (
        Comment.objects.filter(author_email_key=key, status__in=DECIDED, submitted_at__gte=history_start())
        .order_by()
        .values_list("status")
        .annotate(n=Count("*"))
    )
    counts = dict(rows)
    return sum(n for status, n in counts.items() if status in REJECTED), sum(counts.values())


def held_by_history(key: str) -> dict[str, Any] | None:
    """The reason to hold an author whose recent comments were mostly rejected (None: not so)."""
    rejected, decided = recent_decisions(key)
    if decided >= settings.COMMENTS_HOLD_MIN_DECIDED and rejected / decided > settings.COMMENTS_HOLD_REJECTED_SHARE:
        return {"code": Reason.REJECTED_HISTORY, "rejected": rejected, "decided": decided}
    return None


def record_of(comment: Comment) -> Record:
    """The author panel of a comment: its mailbox's record, its network's other authors, the rules on them."""
    record = mailbox_record(comment.author_email_key)
    record.network = comment.ip_network
    if comment.ip_network:
        others = Comment.objects.filter(ip_network=comment.ip_network).exclude(
            author_email_key=comment.author_email_key
        )
        record.neighbours = list(
            others.order_by("-submitted_at", "-pk").only("pk", "author_name", "status", "submitted_at")[
                :NEIGHBOURS_SHOWN
            ]
        )
        record.neighbour_count = (
            len(record.neighbours)
            if len(record.neighbours) < NEIGHBOURS_SHOWN
            else others.order_by()[: NEIGHBOURS_COUNTED + 1].count()
        )
    record.rules = rules_for(comment.author_email_key, comment.ip_address)
    return record


# ---------------------------------------------------------------- rules


def _domains(key: str) -> list[str]:
    """The mailbox's domain and every parent domain: a rule on example.org covers mail.example.org."""
    labels = key.rpartition("@")[2].split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)] if "@" in key else []


def _in_network(address: str | None, network: str) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address) in ipaddress.ip_network(network)
    except ValueError:  # an address of the other family, or not an address
        return False


def _names(rule: AuthorRule, key: str, ip_address: str | None) -> bool:
    """Whether the rule names this mailbox, its domain, or a network holding this address."""
    if rule.target == AuthorRule.Target.NETWORK:
        return _in_network(ip_address, rule.value)
    return bool(key) and rule.value in ([key] if rule.target == AuthorRule.Target.EMAIL else _domains(key))


def _most_severe_first(rules: list[AuthorRule]) -> list[AuthorRule]:
    severity = list(AuthorRule.Kind.values)
    return sorted(rules, key=lambda rule: (not rule.active, severity.index(rule.kind)))


def rules_for(key: str, ip_address: str | None) -> list[AuthorRule]:
    """Every rule naming this author, expired ones too (for the panel), most severe first, in one query.

    Mailboxes and domains by their index; networks (few) checked here, since neither SQLite
    nor a portable query tests whether an address lies in a CIDR.
    """
    named = Q(target=AuthorRule.Target.NETWORK)
    if key:
        named |= Q(target=AuthorRule.Target.EMAIL, value=key)
        named |= Q(target=AuthorRule.Target.DOMAIN, value__in=_domains(key))
    return _most_severe_first([rule for rule in AuthorRule.objects.filter(named) if _names(rule, key, ip_address)])


def deciding_rule(key: str, ip_address: str | None) -> AuthorRule | None:
    """The rule in force that decides a new comment of this author: blocked before always hold before trusted.

    Read from the rules in force kept in the shared cache, so that posting costs no query for them.
    """
    matching = [rule for rule in AuthorRule.in_force() if rule.active and _names(rule, key, ip_address)]
    return next(iter(_most_severe_first(matching)), None)


# ---------------------------------------------------------------- acting on an author

ACTIONS = {"approve_pending", "spam_recent", "trash_recent"}


def act_on(
    key: str,
    action: str,
    user: Any = None,
    *,
    days: int = 30,
    reason: str = Rejection.SPAM,
    note: str = "",
    batch: uuid.UUID | None = None,
) -> tuple[int, uuid.UUID]:
    """Approve every pending comment of a mailbox, or mark its comments of the last `days` as spam or trash.

    One transaction and one recorded action (every comment's event shares the batch, which
    transitions.undo() restores); returns how many moved, and the batch.
    """
    if not key or action not in ACTIONS:
        raise ValueError(f"cannot {action!r} the author {key!r}")
    batch = batch or uuid.uuid4()
    comments = Comment.objects.filter(author_email_key=key)
    with transaction.atomic():
        if action == "approve_pending":
            moved = transitions.approve(comments.pending(), user, batch=batch)
        else:
            recent = comments.filter(submitted_at__gte=timezone.now() - timedelta(days=days))
            move = transitions.mark_spam if action == "spam_recent" else transitions.trash
            moved = move(recent, user, reason=reason, note=note, batch=batch)
    return moved, batch
