"""Import a WordPress eXtended RSS (WXR) export: posts become articles, their comments comments.

The XML is parsed with defusedxml (no entity expansion, no external entities). Each post
is imported in its own transaction. WordPress ids are remembered on both models, so
importing the same file again changes nothing.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import parse as parse_xml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article

from . import transitions
from .clientip import normalized_ip
from .models import Comment

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

NAMESPACES = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
STATUSES = {"1": Comment.Status.APPROVED, "0": Comment.Status.PENDING, "spam": Comment.Status.SPAM}
SKIPPED_TYPES = {"pingback", "trackback"}


def validate_website(value: str) -> None:
    """As the form checks a posted website: http or https, at most 200 characters."""
    URLValidator(schemes=["http", "https"])(value)
    MaxLengthValidator(200)(value)


def validate_author_email(value: str) -> None:
    """As the form checks a posted email: a valid address of at most 100 characters."""
    validate_email(value)
    MaxLengthValidator(100)(value)


class WXRError(Exception):
    """The file is not a WordPress export we can read; the message says where and why."""


def read_export(path: str) -> tuple[list["Element"], dict[str, str]]:
    """The export's <item> elements and their namespaces; WXRError for unsafe or malformed XML."""
    try:
        tree = parse_xml(path, forbid_dtd=False, forbid_entities=True, forbid_external=True)
        root = cast("Element", tree.getroot())  # a parsed file always has a root
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]  # "mismatched tag: line 7, column 15"
        raise WXRError(f"line {line}, column {column}: the XML is malformed ({reason})") from None
    except DefusedXmlException as error:
        raise WXRError(f"refused unsafe XML ({type(error).__name__}: entity declarations are not allowed)") from None
    except OSError as error:
        raise WXRError(f"cannot read the file: {error.strerror}") from None
    channel = root.find("channel")
    namespace = next((tag[1 : tag.index("}")] for tag in _tags(root) if "wordpress.org/export/" in tag), None)
    if root.tag != "rss" or channel is None or namespace is None:
        raise WXRError("this is not a WordPress export (no <rss><channel> with wp: elements)")
    return channel.findall("item"), NAMESPACES | {"wp": namespace}


def _tags(root: "Element") -> Iterator[str]:
    return (element.tag for element in root.iter() if isinstance(element.tag, str) and element.tag.startswith("{"))


class Importer:
    def __init__(self, path: str, progress: Callable[[int, int], None] | None = None) -> None:
        self.items, self.ns = read_export(path)
        self.progress = progress or (lambda done, total: None)
        self.counts: Counter[str] = Counter()

    def run(self) -> Counter[str]:
        posts = [item for item in self.items if self._text(item, "wp:post_type") == "post"]
        self.counts["other items skipped"] = len(self.items) - len(posts)
        for done, item in enumerate(posts, 1):
            with transaction.atomic():
                article, changed = self._article(item)
                if self._comments(item, article) or changed:
                    transitions.recount([article.pk])
            self.progress(done, len(posts))
        return self.counts

    # ---- reading

    def _text(self, element: "Element", name: str, default: str = "") -> str:
        prefix, _colon, local = name.rpartition(":")
        tag = f"{{{self.ns[prefix]}}}{local}" if prefix else local
        value = element.findtext(tag)
        return default if value is None else value.strip() if local != "encoded" else value

    def _int(self, element: "Element", name: str, where: str) -> int:
        value = self._text(element, name, "0")
        if not (value.isascii() and value.isdigit()):
            raise WXRError(f"{where}: <{name}> should be a number, not {value!r}")
        return int(value)

    def _date(self, element: "Element", gmt_name: str, local_name: str) -> datetime:
        for name in (gmt_name, local_name):
            try:
                return datetime.strptime(self._text(element, name), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            except ValueError:
                continue  # WordPress writes 0000-00-00 00:00:00 for dates it never set
        return timezone.now()

    # ---- writing

    def _article(self, item: "Element") -> tuple[Article, bool]:
        title = self._text(item, "title") or "(untitled)"
        wordpress_id = self._int(item, "wp:post_id", f"post “{title}”")
        fields = {
            "title": title[:200],
            "body": self._text(item, "content:encoded"),
            "published_at": self._date(item, "wp:post_date_gmt", "wp:post_date"),
            "comments_open": self._text(item, "wp:comment_status") == "open",
        }
        article = Article.objects.filter(wordpress_id=wordpress_id).first()
        if article is None:
            slug = self._free_slug(self._text(item, "wp:post_name") or slugify(title) or f"post-{wordpress_id}")
            article = Article.objects.create(wordpress_id=wordpress_id, slug=slug, **fields)
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

    def _comments(self, item: "Element", article: Article) -> int:
        """Import the post's new comments, parents first; returns how many were created."""
        imported = Comment.objects.filter(article=article).exclude(wordpress_id=None)
        by_wordpress_id = {comment.wordpress_id: comment for comment in imported}
        known = set(by_wordpress_id)
        entries = []
        for element in item.findall(f"{{{self.ns['wp']}}}comment"):
            where = f"a comment on “{article.title}”"
            wordpress_id = self._int(element, "wp:comment_id", where)
            if self._text(element, "wp:comment_type") in SKIPPED_TYPES:
                self.counts["pingbacks and trackbacks skipped"] += 1
            elif wordpress_id in known:
                self.counts["comments already imported"] += 1
            else:
                entries.append((wordpress_id, self._int(element, "wp:comment_parent", where), element))
        created = 0
        for wordpress_id, parent_id, element in sorted(entries, key=lambda entry: entry[0]):
            comment = self._comment(element, article, wordpress_id, by_wordpress_id.get(parent_id))
            if comment is not None:
                by_wordpress_id[wordpress_id] = comment
                created += 1
        return created

    def _checked(self, value: str, validate: Callable[[str], None], what: str) -> str:
        """The value if it passes the same validation as a posted one, else "" (and counted)."""
        if not value:
            return ""
        try:
            validate(value)
        except ValidationError:
            self.counts[f"invalid author {what} dropped"] += 1
            return ""
        return value

    def _comment(
        self, element: "Element", article: Article, wordpress_id: int, parent: Comment | None
    ) -> Comment | None:
        while parent is not None and parent.depth >= settings.COMMENTS_MAX_DEPTH:
            parent = parent.parent  # deeper replies attach at the deepest level, as on the site
        approved = self._text(element, "wp:comment_approved")
        author_email = self._checked(self._text(element, "wp:comment_author_email"), validate_author_email, "emails")
        author_url = self._checked(self._text(element, "wp:comment_author_url"), validate_website, "URLs")
        comment = Comment(
            article=article,
            parent=parent,
            wordpress_id=wordpress_id,
            author_name=self._text(element, "wp:comment_author")[:245] or "Anonymous",
            author_email=author_email,
            author_url=author_url,
            ip_address=normalized_ip(self._text(element, "wp:comment_author_IP")),
            body=self._text(element, "wp:comment_content"),
            submitted_at=self._date(element, "wp:comment_date_gmt", "wp:comment_date"),
            status=STATUSES.get(approved, Comment.Status.TRASH),
        )
        try:
            with transaction.atomic():
                comment.save()  # sanitises the body, as for a comment posted on the site
        except IntegrityError:
            self.counts["duplicate comments skipped"] += 1
            return None
        self.counts[f"comments {comment.status}"] += 1
        return comment
