"""What the importers share: the XML stream, one-line errors, validation and the bulk comment writer."""

import multiprocessing
import multiprocessing.pool
import os
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers.expat import XMLParserType

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError, iterparse
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator, validate_email
from django.db.models import F
from django.utils import timezone

from articles.models import Article

from ..clientip import normalized_ip
from ..models import Comment, ModerationEvent, Reason
from ..sanitize import sanitize_comment


class ImportFileError(Exception):
    """The file cannot be imported; the message is one line and says where and why."""


def validate_website(value: str) -> None:
    """As the form checks a posted website: http or https, at most 200 characters."""
    URLValidator(schemes=["http", "https"])(value)
    MaxLengthValidator(200)(value)


def validate_author_email(value: str) -> None:
    """As the form checks a posted email: a valid address of at most 100 characters."""
    validate_email(value)
    MaxLengthValidator(100)(value)


class _PositionedBuilder(TreeBuilder):
    """A tree builder that remembers where the elements we report on start (line, column), by local name."""

    expat: XMLParserType  # set by XMLStream once the parser exists

    def __init__(self, watched: set[str]) -> None:
        super().__init__()
        self.watched = watched
        self.positions: dict[Element, tuple[int, int]] = {}
        self.is_watched: dict[str, bool] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        watched = self.is_watched.get(tag)
        if watched is None:
            watched = self.is_watched[tag] = tag.rpartition("}")[2] in self.watched
        if watched:
            self.positions[element] = (self.expat.CurrentLineNumber, self.expat.CurrentColumnNumber + 1)
        return element


class XMLStream:
    """Start and end events of a file, streamed (defusedxml), with positions of the `watched` tags.

    Whoever iterates clears what it has read, so memory stays flat whatever the file's size.
    """

    def __init__(self, path: str | os.PathLike[str], watched: Iterable[str] = ()) -> None:
        self.path = path
        self.builder = _PositionedBuilder(set(watched))
        parser = DefusedXMLParser(target=self.builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
        self.builder.expat = parser.parser
        self.parser = parser

    def where(self, element: Element) -> str:
        line, column = self.builder.positions.get(element, (0, 0))
        return f"line {line}, column {column}"

    def here(self) -> str:
        """Where the parser is now (at the end of the file once it is read)."""
        return f"line {self.builder.expat.CurrentLineNumber}, column {self.builder.expat.CurrentColumnNumber + 1}"

    def forget(self, element: Element) -> None:
        self.builder.positions.pop(element, None)

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """(event, element) for "start" and "end", (event, (prefix, uri)) for "start-ns"."""
        try:
            yield from iterparse(self.path, events=("start", "end", "start-ns"), parser=self.parser)
        except ParseError as error:
            line, column = error.position
            reason = str(error).split(":")[0]  # "mismatched tag: line 7, column 15"
            raise ImportFileError(f"line {line}, column {column + 1}: the XML is malformed ({reason})") from None
        except DefusedXmlException as error:
            raise ImportFileError(
                f"refused unsafe XML ({type(error).__name__}: entity declarations are not allowed)"
            ) from None
        except OSError as error:
            raise ImportFileError(f"cannot read the file: {error.strerror}") from None


def text_of(element: Element, tag: str, strip: bool = True) -> str:
    value = element.findtext(tag)
    if value is None:
        return ""
    return value.strip() if strip else value


def parse_int(value: str, what: str, where: str) -> int:
    value = value.strip()
    if not value.isdigit():
        raise ImportFileError(f"{where}: <{what}> should be a number, not {value!r}")
    return int(value)


@dataclass(slots=True)
class CommentData:
    """One comment as read from a file, before anything is written."""

    source_id: int
    parent_id: int  # 0: no parent
    author_name: str
    author_email: str
    author_url: str
    ip_address: str
    submitted_at: datetime | None
    body: str
    status: str


class Sanitizer:
    """Sanitises the next batch of comment bodies in worker processes while this one writes the last.

    The sanitiser is most of an import's time, and it is a pure function of the body, so
    with several cores a big import runs it in a fork()ed pool (which never touches the
    database). Small imports, and machines with one core, sanitise in the writer as usual.
    """

    MIN_COMMENTS = 2000

    def __init__(self, comments: int) -> None:
        cores = os.cpu_count() or 1
        use_pool = comments >= self.MIN_COMMENTS and cores > 1 and "fork" in multiprocessing.get_all_start_methods()
        # One core stays with this process, which parses and writes.
        self.pool: multiprocessing.pool.Pool | None = (
            multiprocessing.get_context("fork").Pool(min(cores - 1, 4)) if use_pool else None
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def start(self, bodies: Iterable[str]) -> Callable[[], dict[str, str]]:
        """Start sanitising; returns a function that gives {body: html} when called."""
        bodies = list(dict.fromkeys(bodies))
        if self.pool is None or not bodies:
            return dict
        job = self.pool.map_async(sanitize_comment, bodies, chunksize=max(1, len(bodies) // 16))
        return lambda: dict(zip(bodies, job.get(), strict=True))


class CommentWriter:
    """Writes one article's new comments in bulk, parents before children, keeping the site's rules.

    `id_field` is the Comment field that remembers the source's id ("wordpress_id" or
    "disqus_id"); `global_ids` says whether those ids are unique in the whole site (Disqus)
    or only within an article (WordPress comment ids may repeat across exports).
    """

    BATCH = 1000

    def __init__(self, counts: Counter[str], id_field: str, global_ids: bool = False) -> None:
        self.counts, self.id_field, self.global_ids = counts, id_field, global_ids

    def checked(self, value: str, validate: Callable[[str], None], what: str) -> str:
        """The value if it passes the same validation as a posted one, else "" (and counted)."""
        if not value:
            return ""
        try:
            validate(value)
        except ValidationError:
            self.counts[f"invalid author {what} dropped"] += 1
            return ""
        return value

    def write(self, article: Article, records: list[CommentData], sanitized: dict[str, str] | None = None) -> int:
        """Create the records not imported yet; returns how many comments were created.

        `sanitized` maps bodies to their sanitised HTML when a Sanitizer has done that already.
        """
        self.sanitized = sanitized or {}
        fields = ("pk", "parent_id", "depth", "thread_id", "fingerprint", "status", self.id_field)
        existing = list(Comment.objects.filter(article=article).only(*fields).order_by())
        by_pk = {comment.pk: comment for comment in existing}
        by_source = {getattr(c, self.id_field): c for c in existing if getattr(c, self.id_field) is not None}
        taken = {comment.fingerprint: comment for comment in existing if comment.status != Comment.Status.TRASH}
        known = set(by_source)
        if self.global_ids:
            ids = [record.source_id for record in records]
            known |= set(Comment.objects.filter(**{f"{self.id_field}__in": ids}).values_list(self.id_field, flat=True))
        new: dict[int, CommentData] = {}
        seen: set[int] = set()
        for record in records:
            if record.source_id in known or record.source_id in seen:
                self.counts["comments already imported"] += 1
            else:
                seen.add(record.source_id)
                new[record.source_id] = record
        # Parents before children: breadth first from the comments whose parent is not new.
        children: defaultdict[int, list[CommentData]] = defaultdict(list)
        level: list[CommentData] = []
        for record in sorted(new.values(), key=lambda record: record.source_id):
            if record.parent_id and record.parent_id in new:
                children[record.parent_id].append(record)
            else:
                if record.parent_id and record.parent_id not in by_source:
                    self.counts["replies to missing comments made top-level"] += 1
                level.append(record)
        created = self._write_tree(article, level, children, by_source, by_pk, taken)
        while children:  # what is left replies in a loop (a → b → a): cut the loop at its oldest comment
            first = min((r for replies in children.values() for r in replies), key=lambda r: r.source_id)
            children[first.parent_id].remove(first)
            if not children[first.parent_id]:
                del children[first.parent_id]
            self.counts["replies in a loop made top-level"] += 1
            first.parent_id = 0
            created += self._write_tree(article, [first], children, by_source, by_pk, taken)
        return created

    def _write_tree(
        self,
        article: Article,
        level: list[CommentData],
        children: dict[int, list[CommentData]],
        by_source: dict[int, Comment],
        by_pk: dict[int, Comment],
        taken: dict[str, Comment],
    ) -> int:
        created = 0
        while level:
            created += self._write_level(article, level, by_source, by_pk, taken)
            level = [child for record in level for child in children.pop(record.source_id, ())]
        return created

    def _write_level(
        self,
        article: Article,
        records: list[CommentData],
        by_source: dict[int, Comment],
        by_pk: dict[int, Comment],
        taken: dict[str, Comment],
    ) -> int:
        comments: list[Comment] = []
        now = timezone.now()
        for record in records:
            parent = by_source.get(record.parent_id) if record.parent_id else None
            while parent is not None and parent.depth >= settings.COMMENTS_MAX_DEPTH and parent.parent_id:
                parent = by_pk[parent.parent_id]  # deeper replies attach at the deepest level, as on the site
            comment = Comment(
                article=article,
                parent=parent,
                author_name=record.author_name[:245] or "Anonymous",
                author_email=self.checked(record.author_email, validate_author_email, "emails"),
                author_url=self.checked(record.author_url, validate_website, "URLs"),
                ip_address=normalized_ip(record.ip_address),
                body=record.body,
                submitted_at=record.submitted_at or now,
                status=record.status,
                held_for=Reason.IMPORTED,
                reasons=[{"code": Reason.IMPORTED}],
                **{self.id_field: record.source_id},
            )
            if record.body in self.sanitized:
                comment.use_body(record.body, self.sanitized[record.body])
            comment.prepare()  # sanitises the body, as for a comment posted on the site
            if comment.status != Comment.Status.TRASH:
                same = taken.get(comment.fingerprint)
                if same is not None:  # the same comment again (the site refuses it too): its replies go there
                    self.counts["duplicate comments skipped"] += 1
                    by_source[record.source_id] = same
                    continue
                taken[comment.fingerprint] = comment
            comments.append(comment)
        Comment.objects.bulk_create(comments, batch_size=self.BATCH)
        batch = uuid.uuid4()  # the history's first row of each comment: "imported", with its status
        ModerationEvent.objects.bulk_create(
            (
                ModerationEvent(
                    comment_id=c.pk,
                    article_id=article.pk,
                    to_status=c.status,
                    rule=Reason.IMPORTED,
                    at=now,
                    batch=batch,
                )
                for c in comments
            ),
            batch_size=self.BATCH,
        )
        top_level = [comment for comment in comments if comment.parent_id is None]
        if top_level:  # a new top-level comment starts its own thread, as save() does
            Comment.objects.filter(article=article, thread=None).update(thread=F("pk"))
            for comment in top_level:
                comment.thread_id = comment.pk
        for comment in comments:
            by_source[getattr(comment, self.id_field)] = comment
            by_pk[comment.pk] = comment
            self.counts[f"comments {comment.status}"] += 1
        return len(comments)


# What every importer counts of the comments it writes (CommentWriter), in the summary's order.
COMMENT_COUNTS = (
    "comments approved",
    "comments pending",
    "comments spam",
    "comments trash",
    "comments already imported",
    "duplicate comments skipped",
)


def new_counts(keys: Iterable[str]) -> Counter[str]:
    """A Counter that lists `keys` first, in this order, so the summary always names every count."""
    return Counter(dict.fromkeys(keys, 0))


def summary(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{count} {what}" for what, count in counts.items())
