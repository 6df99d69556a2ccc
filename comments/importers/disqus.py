"""Import a Disqus XML export: each thread's posts become comments of the article at the thread's link.

The format (help.disqus.com, "Importing comments" / "Disqus XML export"): a <disqus>
root (namespace http://disqus.com, ids in dsq:id attributes of
http://disqus.com/disqus-internals) holding <category>s, then <thread dsq:id> (link,
title, …), then <post dsq:id> (message, createdAt, isDeleted, isSpam, author/email,
name, isAnonymous, username, ipAddress, thread dsq:id, parent dsq:id).

Posts come after every thread and name their thread by id, so the file is streamed once
into plain data (`Thread`s holding `CommentData`) and then written, one transaction per
thread. Disqus ids are remembered (Comment.disqus_id), so a second run changes nothing.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from os import PathLike
from typing import cast
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from django.db import transaction
from django.urls import Resolver404, resolve, reverse

from articles.models import Article

from .. import transitions
from ..models import Comment
from .common import (
    COMMENT_COUNTS,
    CommentData,
    CommentWriter,
    ImportFileError,
    XMLStream,
    new_counts,
    parse_int,
    text_of,
)

DSQ = "{http://disqus.com}"
INTERNALS = "{http://disqus.com/disqus-internals}id"

COUNTS = [
    "threads imported",
    "threads without an article",
    *COMMENT_COUNTS,
    "replies to missing comments made top-level",
    "replies in a loop made top-level",
    "comments on threads without an article",
    "comments on unknown threads",
    "invalid author URLs dropped",
    "invalid author emails dropped",
]


@dataclass(slots=True)
class Thread:
    disqus_id: int
    link: str = ""
    title: str = ""
    comments: list[CommentData] = field(default_factory=list)


def _flag(element: Element, name: str) -> bool:
    return text_of(element, DSQ + name).lower() == "true"


def _date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def read_threads(path: str | PathLike[str]) -> tuple[list[Thread], int]:
    """The file's threads in file order (posts attached), and the number of posts on unknown threads."""
    stream = XMLStream(path, watched={"thread", "post", "parent"})
    threads: dict[int, Thread] = {}
    orphans: list[CommentData] = []
    depth = 0
    root: Element | None = None
    for event, element in stream:
        if event == "start-ns":
            continue
        if event == "start":
            depth += 1
            if depth == 1:
                root = element
            continue
        depth -= 1
        if depth != 1:
            continue
        top = cast(Element, root)  # set at the first start, before any end at depth 1
        if top.tag != DSQ + "disqus":
            raise ImportFileError("this is not a Disqus export (no <disqus> root in the http://disqus.com namespace)")
        if element.tag == DSQ + "thread":
            thread_id = _id(element, stream, "thread")
            threads.setdefault(thread_id, Thread(thread_id))
            threads[thread_id].link = text_of(element, DSQ + "link")
            threads[thread_id].title = text_of(element, DSQ + "title")
        elif element.tag == DSQ + "post":
            post = _post(element, stream)
            thread = element.find(DSQ + "thread")
            thread_id = _id(thread, stream, "post's thread") if thread is not None else 0
            (threads[thread_id].comments if thread_id in threads else orphans).append(post)
        top.remove(element)
        stream.forget(element)
    if root is None or root.tag != DSQ + "disqus":
        raise ImportFileError("this is not a Disqus export (no <disqus> root in the http://disqus.com namespace)")
    return list(threads.values()), len(orphans)


def _id(element: Element, stream: XMLStream, what: str) -> int:
    return parse_int(element.get(INTERNALS, ""), "dsq:id", f"{stream.where(element)}: {what}")


def _post(element: Element, stream: XMLStream) -> CommentData:
    author = element.find(DSQ + "author")
    parent = element.find(DSQ + "parent")
    if _flag(element, "isDeleted"):
        status = Comment.Status.TRASH
    elif _flag(element, "isSpam"):
        status = Comment.Status.SPAM
    elif text_of(element, DSQ + "isApproved").lower() == "false":
        status = Comment.Status.PENDING
    else:
        status = Comment.Status.APPROVED
    name = email = ""
    if author is not None:
        name = text_of(author, DSQ + "name") or text_of(author, DSQ + "username")
        email = text_of(author, DSQ + "email")
    return CommentData(
        source_id=_id(element, stream, "post"),
        parent_id=_id(parent, stream, "post's parent") if parent is not None else 0,
        author_name=name,
        author_email=email,
        author_url="",
        ip_address=text_of(element, DSQ + "ipAddress"),
        submitted_at=_date(text_of(element, DSQ + "createdAt")),
        body=text_of(element, DSQ + "message", strip=False).strip(),
        status=status,
    )


def article_for(link: str, mapping: dict[str, Article]) -> Article | None:
    """The article a thread's link names: through --map, else the link's path is an article's address."""
    if link in mapping:
        return mapping[link]
    path = urlsplit(link).path or "/"
    try:
        slug = resolve(path).kwargs.get("slug")
    except Resolver404:
        return None
    if not slug or reverse("articles:detail", kwargs={"slug": slug}) != path:
        return None  # some other page of the site
    return Article.objects.filter(slug=slug).first()


class DisqusImporter:
    def __init__(
        self,
        path: str | PathLike[str],
        mapping: dict[str, str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """`mapping`: Disqus link → article slug, for threads whose link is not the article's address."""
        self.path = path
        self.progress = progress or (lambda done, total: None)
        self.counts = new_counts(COUNTS)
        self.writer = CommentWriter(self.counts, "disqus_id", global_ids=True)
        self.mapping: dict[str, Article] = {}
        for link, slug in (mapping or {}).items():
            article = Article.objects.filter(slug=slug).first()
            if article is None:
                raise ImportFileError(f"--map {link}={slug}: there is no article with the slug {slug!r}")
            self.mapping[link] = article

    def run(self) -> Counter[str]:
        threads, orphans = read_threads(self.path)
        self.counts["comments on unknown threads"] += orphans
        for done, thread in enumerate(threads, 1):
            article = article_for(thread.link, self.mapping)
            if article is None:
                self.counts["threads without an article"] += 1
                self.counts["comments on threads without an article"] += len(thread.comments)
            else:
                with transaction.atomic():
                    if self.writer.write(article, thread.comments):
                        transitions.recount([article.pk])
                self.counts["threads imported"] += 1
            self.progress(done, len(threads))
        return self.counts
