"""Import a WordPress eXtended RSS (WXR) export: posts (and pages with comments) become articles.

The file is streamed twice through defusedxml: first to check all of it (a malformed or
unsupported file is refused before anything is written, and the progress bar knows its
total), then to write, one post at a time and one transaction per post. Each <item> is
read into a `Post` (plain data), then written, parents before children. WordPress ids
are remembered on both models, so importing the same file again changes nothing.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from os import PathLike
from typing import Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article

from .. import transitions
from ..models import Comment
from .common import (
    COMMENT_COUNTS,
    CommentData,
    CommentWriter,
    ImportFileError,
    Sanitizer,
    XMLStream,
    new_counts,
    parse_int,
    text_of,
)

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
WXR_VERSIONS = ("1.0", "1.1", "1.2")  # what WordPress's importer accepts
STATUSES = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
SKIPPED_TYPES = {"pingback": "pingbacks skipped", "trackback": "trackbacks skipped", "note": "notes skipped"}
IMPORTED_TYPES = ("post", "page")

# Every count the summary names, in this order (zeros included, so a summary always reads the same way).
COUNTS = [
    "articles created",
    "articles updated",
    "articles unchanged",
    "hidden articles (not public)",
    "duplicate post ids skipped",
    "other items skipped",
    *COMMENT_COUNTS,
    "comments without a known status held",
    "replies to missing comments made top-level",
    "replies in a loop made top-level",
    "notes skipped",
    "pingbacks skipped",
    "trackbacks skipped",
    "comments on skipped items",
    "invalid author URLs dropped",
    "invalid author emails dropped",
]


@dataclass(slots=True)
class Post:
    """One <item> of the export, as plain data."""

    post_type: str
    post_id: int = 0
    title: str = ""
    slug: str = ""
    body: str = ""
    date: datetime | None = None
    status: str = ""
    password: str = ""
    comments_open: bool = False
    comments: list[CommentData] = field(default_factory=list)
    facts: Counter[str] = field(default_factory=Counter)  # what the item holds that is not imported

    @property
    def is_public(self) -> bool:
        """Only a published post without a password is public (drafts, pending, private, future are not)."""
        return self.status == "publish" and not self.password


def _date(element: Element, *tags: str) -> datetime | None:
    for tag in tags:
        try:
            return datetime.strptime(text_of(element, tag), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            continue  # WordPress writes 0000-00-00 00:00:00 for dates it never set
    return None


class WXRReader:
    """Streams the <item>s of an export as `Post`s, checking the file on the way."""

    def __init__(self, path: str | PathLike[str]) -> None:
        self.stream = XMLStream(path, watched={"item", "wxr_version", "comment"})
        self.wp: str | None = None
        self.version: str | None = None
        self.root: Element | None = None

    def _tag(self, local: str) -> str:
        return f"{{{self.wp}}}{local}"

    def _check_header(self, where: str) -> None:
        if self.root is None or self.root.tag != "rss" or self.wp is None:
            raise ImportFileError("this is not a WordPress export (no <rss><channel> with wp: elements)")
        if self.version is None:
            raise ImportFileError(
                f"{where}: <wp:wxr_version> is missing before the first item; "
                f"WordPress exports say {', '.join(WXR_VERSIONS)}"
            )

    def __iter__(self) -> Iterator[Post]:
        depth, channel = 0, None
        for event, payload in self.stream:
            if event == "start-ns":
                if self.wp is None and WP_NAMESPACE.match(payload[1]):
                    self.wp = payload[1]
                continue
            if event == "start":
                depth += 1
                if depth == 1:
                    self.root = payload
                elif depth == 2 and payload.tag == "channel":
                    channel = payload
                continue
            depth -= 1
            if depth != 2 or channel is None:
                continue
            element = payload  # a child of <channel>, complete
            if self.wp and element.tag == self._tag("wxr_version"):
                self.version = (element.text or "").strip()
                if self.version not in WXR_VERSIONS:
                    raise ImportFileError(
                        f"{self.stream.where(element)}: unsupported WXR version {self.version!r} "
                        f"(WordPress exports are {', '.join(WXR_VERSIONS)})"
                    )
            elif element.tag == "item":
                self._check_header(self.stream.where(element))
                yield self._post(element)
            channel.remove(element)  # memory stays flat: nothing read is kept
            self.stream.forget(element)
        self._check_header(self.stream.here())

    def _post(self, item: Element) -> Post:
        wp = self._tag
        where = self.stream.where(item)
        post = Post(post_type=text_of(item, wp("post_type")))
        comments = item.findall(wp("comment"))
        if post.post_type not in IMPORTED_TYPES:
            post.facts["comments on skipped items"] += len(comments)
            self._forget(comments)
            return post
        post.title = text_of(item, "title") or "(untitled)"
        post.post_id = parse_int(text_of(item, wp("post_id")), "wp:post_id", f"{where}: post “{post.title}”")
        post.slug = unquote(text_of(item, wp("post_name")))
        post.body = text_of(item, CONTENT, strip=False)
        post.date = _date(item, wp("post_date_gmt"), wp("post_date"))
        post.status = text_of(item, wp("status"))
        post.password = text_of(item, wp("post_password"))
        post.comments_open = text_of(item, wp("comment_status")) == "open"
        for element in comments:
            comment = self._comment(element, post)
            if comment is not None:
                post.comments.append(comment)
        self._forget(comments)
        return post

    def _forget(self, elements: Iterable[Element]) -> None:
        for element in elements:
            self.stream.forget(element)

    def _comment(self, element: Element, post: Post) -> CommentData | None:
        wp = self._tag
        kind = text_of(element, wp("comment_type"))
        if kind in SKIPPED_TYPES:
            post.facts[SKIPPED_TYPES[kind]] += 1
            return None
        where = f"{self.stream.where(element)}: a comment on “{post.title}”"
        parent = text_of(element, wp("comment_parent"))  # empty: no parent
        approved = text_of(element, wp("comment_approved"))
        if approved not in STATUSES:
            post.facts["comments without a known status held"] += 1
        return CommentData(
            source_id=parse_int(text_of(element, wp("comment_id")), "wp:comment_id", where),
            parent_id=parse_int(parent, "wp:comment_parent", where) if parent else 0,
            author_name=text_of(element, wp("comment_author")),
            author_email=text_of(element, wp("comment_author_email")),
            author_url=text_of(element, wp("comment_author_url")),
            ip_address=text_of(element, wp("comment_author_IP")),
            submitted_at=_date(element, wp("comment_date_gmt"), wp("comment_date")),
            body=text_of(element, wp("comment_content"), strip=False),
            status=STATUSES.get(approved, Comment.Status.PENDING),
        )


def _imported(post: Post) -> bool:
    """Posts always; pages only when they hold comments to import; nothing else."""
    return post.post_type == "post" or (post.post_type == "page" and bool(post.comments))


class Importer:
    def __init__(self, path: str | PathLike[str], progress: Callable[[int, int], None] | None = None) -> None:
        self.path = path
        self.progress = progress or (lambda done, total: None)
        self.counts = new_counts(COUNTS)
        self.writer = CommentWriter(self.counts, "wordpress_id")

    def run(self) -> Counter[str]:
        total = comments = 0
        for post in WXRReader(self.path):  # checks the whole file before anything is written
            if _imported(post):
                total, comments = total + 1, comments + len(post.comments)
        done = 0
        seen: set[int] = set()
        with Sanitizer(comments) as sanitizer:
            for post, sanitized in self._ahead(WXRReader(self.path), sanitizer):
                self.counts.update(post.facts)
                if not _imported(post):
                    self.counts["other items skipped"] += 1
                    continue
                with transaction.atomic():
                    if post.post_id in seen:  # one post, whatever the file says twice: its comments still count
                        self.counts["duplicate post ids skipped"] += 1
                        article, changed = Article.objects.get(wordpress_id=post.post_id), False
                    else:
                        seen.add(post.post_id)
                        article, changed = self._article(post)
                    if self.writer.write(article, post.comments, sanitized()) or changed:
                        transitions.recount([article.pk])
                done += 1
                self.progress(done, total)
        return self.counts

    @staticmethod
    def _ahead(posts: Iterable[Post], sanitizer: Sanitizer) -> Iterator[tuple[Post, Callable[[], dict[str, str]]]]:
        """Each post with its sanitised bodies, the next post's being sanitised while this one is written."""
        previous = None
        for post in posts:
            known: set[int | None] = set()
            if _imported(post) and post.comments:
                imported = Comment.objects.filter(article__wordpress_id=post.post_id).exclude(wordpress_id=None)
                known = set(imported.values_list("wordpress_id", flat=True))
            started = sanitizer.start(c.body for c in post.comments if c.source_id not in known)
            if previous is not None:
                yield previous
            previous = (post, started)
        if previous is not None:
            yield previous

    def _article(self, post: Post) -> tuple[Article, bool]:
        fields: dict[str, Any] = {
            "title": post.title[:200],
            "body": post.body,
            "comments_open": post.comments_open,
            "is_public": post.is_public,
        }
        if post.date is not None:  # without a date, the article keeps the one it got when first imported
            fields["published_at"] = post.date
        if not post.is_public:
            self.counts["hidden articles (not public)"] += 1
        article = Article.objects.filter(wordpress_id=post.post_id).first()
        if article is None:
            slug = self._free_slug(slugify(post.slug) or slugify(post.title) or f"post-{post.post_id}")
            fields.setdefault("published_at", timezone.now())
            article = Article.objects.create(wordpress_id=post.post_id, slug=slug, **fields)
            self.counts["articles created"] += 1
            return article, True
        if all(getattr(article, name) == value for name, value in fields.items()):
            self.counts["articles unchanged"] += 1
            return article, False
        for name, value in fields.items():
            setattr(article, name, value)
        article.save()
        self.counts["articles updated"] += 1
        return article, True

    @staticmethod
    def _free_slug(slug: str) -> str:
        slug, candidate, n = slug[:190], slug[:190], 1
        while Article.objects.filter(slug=candidate).exists():
            n += 1
            candidate = f"{slug}-{n}"
        return candidate
