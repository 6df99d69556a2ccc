"""The posting rules: whether a new comment is taken, which status it gets, and the flood limit.

Cheap checks come first: the flood limit is read before the form is validated (and the
comment sanitised), and recorded only for a comment that is actually stored, so neither
a refused post nor a rejected duplicate makes anyone wait.
"""

from dataclasses import dataclass
from datetime import timedelta
from math import ceil
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import akismet, authors, notifications, spam, transitions
from .clientip import rate_limit_network
from .models import AuthorRule, Comment, Reason, WordList
from .normalize import email_key, text_key
from .ratelimit import limit_key, seconds_left, seconds_to_wait

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from articles.models import Article

Status = Comment.Status


@dataclass
class Refusal(Exception):
    """A post that is turned away with a message for the reader."""

    status: int
    message: "StrOrPromise"  # a lazy translation too
    retry_after: int | None = None


def comments_open(article: "Article") -> bool:
    """Open by the article's own switch, and not past COMMENTS_CLOSE_AFTER_DAYS (0: never closes)."""
    if not article.comments_open:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return not days or timezone.now() < article.published_at + timedelta(days=days)


# ---------------------------------------------------------------- flood


def _ip_key(ip_address: str | None) -> list[str]:
    """The limit of one client: an IPv4 address or an IPv6 /64."""
    return [limit_key("flood-ip", rate_limit_network(ip_address))] if ip_address else []


def _mailbox_key(email: str) -> list[str]:
    """The limit of one mailbox, so "+tag" variants count as one."""
    return [limit_key("flood-email", email_key(email))] if email.strip() else []


def _too_quick(wait: float) -> Refusal:
    seconds = ceil(wait)
    message = ngettext(
        "You are posting comments too quickly. Please wait %(seconds)d second and post again.",
        "You are posting comments too quickly. Please wait %(seconds)d seconds and post again.",
        seconds,
    ) % {"seconds": seconds}
    return Refusal(429, message, retry_after=seconds)


def check_flood(ip_address: str | None) -> None:
    """Refuse a second comment from one client within COMMENTS_FLOOD_SECONDS (429); records nothing.

    Only the client's own address answers 429. A mailbox that posted just before is not
    refused (that answer would tell anyone whether an address had just been used): its
    new comment is filed as spam instead, with the reason "flood", exactly as quietly as
    any other spam.
    """
    limit = settings.COMMENTS_FLOOD_SECONDS
    for key in _ip_key(ip_address) if limit else []:
        if wait := seconds_left(key, limit):
            raise _too_quick(wait)


def mailbox_flooding(email: str) -> bool:
    """Whether this mailbox posted within COMMENTS_FLOOD_SECONDS."""
    limit = settings.COMMENTS_FLOOD_SECONDS
    return bool(limit) and any(seconds_left(key, limit) for key in _mailbox_key(email))


def _record_flood(ip_address: str | None, email: str) -> None:
    """Start the waits, atomically: of two simultaneous posts from one client, one is refused."""
    limit = settings.COMMENTS_FLOOD_SECONDS
    if not limit:
        return
    for key in _ip_key(ip_address):
        if wait := seconds_to_wait(key, limit):
            raise _too_quick(wait)
    for key in _mailbox_key(email):
        seconds_to_wait(key, limit)  # marks the mailbox; a flooding one was filed as spam already


# ---------------------------------------------------------------- status


def _haystack(comment: Comment) -> list[str]:
    """Every field a word list looks in, normalised once for both lists."""
    fields = [
        comment.author_name,
        comment.author_email,
        comment.author_url,
        comment.body,
        strip_tags(comment.body),  # "vi<b></b>agra"
        comment.ip_address or "",
        comment.user_agent,
    ]
    return [text_key(field) for field in fields]


def _first_match(entries: list[str], haystack: list[str]) -> str | None:
    """The first word-list entry found in any of the normalised fields (None: none is)."""
    return next((entry for entry in entries for field in haystack if entry in field), None)


@dataclass
class Verdict:
    """A new comment's first status, and the rules that decided it (comments.models.Reason, with details)."""

    status: str
    reasons: list[dict[str, Any]]

    @property
    def deciding(self) -> str:
        return self.reasons[0]["code"]


def initial_status(comment: Comment, *, automated: dict[str, Any] | None = None) -> Verdict:
    """Pick a new comment's status by the rules, in order (closed articles never get here).

    `automated` is what gave a bot away ({"code": "too_fast", "seconds": 1.2}, …), if anything.
    A moderator's rule on the author (comments.authors) is recorded with its id: blocked files
    the comment as spam before anything else; the word lists and the link limit hold even a
    trusted author; an author whose recent comments were mostly rejected is held instead of
    approved, whichever rule would approve them. The spam classifier (comments.spam) speaks
    after the disallowed words: it files as spam (a trusted author's comment: holds) or holds,
    never approves.
    """
    if automated:
        return Verdict(Status.SPAM, [automated])
    rule = authors.deciding_rule(comment.author_email_key, comment.ip_address)
    if rule and rule.kind == AuthorRule.Kind.BLOCKED:
        return Verdict(Status.SPAM, [_rule_reason(Reason.BLOCKED, rule)])
    lists = {wordlist.kind: wordlist.entries() for wordlist in WordList.objects.all()}
    haystack = _haystack(comment) if any(lists.values()) else []
    if entry := _first_match(lists.get(WordList.Kind.DISALLOWED, []), haystack):
        return Verdict(Status.SPAM, [{"code": Reason.DISALLOWED_WORD, "entry": entry}])
    classifier = spam.verdict(comment)  # needs the score that submit() gave the comment
    trusted = rule is not None and rule.kind == AuthorRule.Kind.TRUSTED
    if classifier and classifier[0] == Status.SPAM and not trusted:  # a trusted author's is held below
        return Verdict(Status.SPAM, [classifier[1]])
    held = []
    if (links := comment.link_count()) > settings.COMMENTS_MAX_LINKS:
        held.append({"code": Reason.LINKS, "count": links, "max": settings.COMMENTS_MAX_LINKS})
    if entry := _first_match(lists.get(WordList.Kind.MODERATION, []), haystack):
        held.append({"code": Reason.MODERATION_WORD, "entry": entry})
    if classifier:  # held, with the score as a warning: the classifier never lets a comment through
        held.append(classifier[1])
    if held:
        return Verdict(Status.PENDING, held)
    if rule and rule.kind == AuthorRule.Kind.HOLD:
        return Verdict(Status.PENDING, [_rule_reason(Reason.AUTHOR_HELD, rule)])
    if rule and trusted:
        return _approve_unless_history(comment, _rule_reason(Reason.TRUSTED, rule))
    known = Comment.objects.approved().filter(author_email_key=comment.author_email_key)
    if not comment.author_email_key or not known.exists():
        return Verdict(Status.PENDING, [{"code": Reason.FIRST_COMMENT}])
    if settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS and known.filter(author_name=comment.author_name).exists():
        return _approve_unless_history(comment, {"code": Reason.KNOWN_AUTHOR})
    return Verdict(Status.PENDING, [{"code": Reason.HELD}])


def _rule_reason(code: str, rule: AuthorRule) -> dict[str, Any]:
    """A moderator's rule as a reason: which one (its id), and what it names."""
    return {"code": code, "rule": rule.pk, "target": rule.target}  # never its value: an email or a network


def _approve_unless_history(comment: Comment, approval: dict[str, Any]) -> Verdict:
    """Approved for `approval`, unless the author's recent comments were mostly rejected (the history rule)."""
    if history := authors.held_by_history(comment.author_email_key):
        return Verdict(Status.PENDING, [history, approval])
    return Verdict(Status.APPROVED, [approval])


# ---------------------------------------------------------------- storing


def _form_key(nonce: str) -> str:
    return f"comments:form-used:{nonce}"


def form_used(nonce: str) -> bool:
    """Whether the form with this nonce has already produced a stored comment."""
    return cache.get(_form_key(nonce)) is not None


def submit(
    comment: Comment,
    *,
    automated: dict[str, Any] | None = None,
    form_nonce: str | None = None,
    limit_flood: bool = True,
) -> Comment:
    """Store a new comment with the status the rules give it, or raise Refusal (duplicate, flood).

    A form is good for one comment: a replayed form's comment is filed as spam. Nothing
    is stored, and no limit is started, for a refused post. The deciding rule is kept on
    the comment and recorded as the first event of its history.
    """
    if not automated and form_nonce is not None and form_used(form_nonce):
        automated = {"code": Reason.REPLAYED}
    if not automated and limit_flood and mailbox_flooding(comment.author_email):
        automated = {"code": Reason.FLOOD}
    comment.prepare()  # the email key, which the rules use
    spam.assess(comment)  # the spam score, kept on the comment and used by the rules
    verdict = initial_status(comment, automated=automated)
    comment.status, comment.reasons, comment.held_for = verdict.status, verdict.reasons, verdict.deciding
    try:
        with transaction.atomic():
            comment.save()
            if limit_flood:
                _record_flood(comment.ip_address, comment.author_email)  # a Refusal here rolls the comment back
            first_use = form_nonce is None or cache.add(
                _form_key(form_nonce), 1, settings.COMMENTS_FORM_MAX_AGE_SECONDS
            )
            if not first_use and comment.status != Status.SPAM:  # the same form posted twice at once
                comment.status, comment.held_for, comment.reasons = (
                    Status.SPAM,
                    Reason.REPLAYED,
                    [{"code": Reason.REPLAYED}],
                )
                comment.save(update_fields=["status", "held_for", "reasons"])
            transitions.record_new(comment)  # counts, history, and the reply email when approved
            if comment.status == Status.PENDING:
                notifications.comment_held(comment)
            akismet.comment_posted(comment)  # after the commit, in the task queue
    except IntegrityError:
        if _duplicate_exists(comment):
            raise Refusal(409, _("Duplicate comment detected; it looks as though you’ve already said that!")) from None
        raise
    return comment


def _duplicate_exists(comment: Comment) -> bool:
    return (
        Comment.objects.filter(article_id=comment.article_id, fingerprint=comment.fingerprint)
        .exclude(status=Status.TRASH)
        .exists()
    )
