"""Seed an article with many comments quickly (bulk inserts), for the benchmark and the scale tests."""

import random
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from comments.models import Comment
from comments.sanitize import sanitize_comment
from comments.transitions import recount

WORDS = [
    "skin",
    "collagen",
    "elastin",
    "sunscreen",
    "wrinkles",
    "exercise",
    "face",
    "muscles",
    "cheeks",
    "jawline",
    "retinol",
    "vitamin",
    "serum",
    "moisturiser",
    "dermatologist",
    "routine",
    "results",
    "weeks",
    "months",
    "honestly",
    "really",
]
STATUSES = (
    [Comment.Status.APPROVED] * 70
    + [Comment.Status.PENDING] * 10
    + [Comment.Status.SPAM] * 15
    + [Comment.Status.TRASH] * 5
)
BATCH = 2000


def _body(rng):
    sentences = [
        " ".join(rng.choices(WORDS, k=rng.randint(6, 18))).capitalize() + "." for _ in range(rng.randint(1, 6))
    ]
    if rng.random() < 0.1:
        sentences.append("See https://example.com/review for more.")
    return " ".join(sentences)


def seed_comments(article, count, *, reply_share=0.2, seed=1):
    """Add `count` comments to `article`: `reply_share` of them replies, statuses mixed as in real traffic."""
    rng = random.Random(seed)
    # Bodies come from a pool sanitised once: 100,000 bleach passes would dominate seeding.
    pool = [(body, sanitize_comment(body)) for body in (_body(rng) for _ in range(min(count, 2000)))]
    start = timezone.now() - timedelta(days=365)
    replies = int(count * reply_share)
    step = timedelta(days=365) / max(count, 1)

    def build(n, parent=None):
        body, body_html = rng.choice(pool)
        name, email = f"Reader {n}", f"reader{n}@example.com"
        comment = Comment(
            article=article,
            parent=parent,
            author_name=name,
            author_email=email,
            status=rng.choice(STATUSES) if parent is None else Comment.Status.APPROVED,
            submitted_at=start + step * n,
            ip_address=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
            user_agent="Mozilla/5.0 (bench)",
        )
        comment.use_body(body, body_html)
        comment.prepare()  # depth, thread and fingerprint, as save() computes them
        return comment

    tops = []
    for offset in range(0, count - replies, BATCH):
        batch = [build(n) for n in range(offset, min(offset + BATCH, count - replies))]
        created = Comment.objects.bulk_create(batch)
        Comment.objects.filter(pk__in=[c.pk for c in created]).update(thread=F("pk"))
        for comment in created:
            comment.thread_id = comment.pk
        tops.extend(created)
    parents = [c for c in tops if c.status == Comment.Status.APPROVED] or tops
    max_depth = settings.COMMENTS_MAX_DEPTH
    made = 0
    while made < replies:
        batch = []
        for _ in range(min(BATCH, replies - made)):
            parent = rng.choice(parents)
            batch.append(build(count - replies + made, parent if parent.depth < max_depth else None))
            made += 1
        created = Comment.objects.bulk_create(batch)
        parents.extend(c for c in created if c.depth < max_depth)
    recount([article.pk])
    article.refresh_from_db()
    return article


def write_wordpress_export(path, posts=20, comments_per_post=500, seed=2):
    """A WordPress export (WXR 1.2) with posts * comments_per_post comments, 20% of them replies."""
    from xml.sax.saxutils import escape

    rng = random.Random(seed)
    statuses = ["1"] * 80 + ["0"] * 10 + ["spam"] * 8 + ["trash"] * 2
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<wp:wxr_version>1.2</wp:wxr_version>\n'
        )
        comment_id = 0
        for post in range(1, posts + 1):
            out.write(
                f"<item><title>Post {post}</title><content:encoded><![CDATA[<p>Post {post}.</p>]]></content:encoded>"
                f"<wp:post_id>{post}</wp:post_id><wp:post_date_gmt>2015-01-01 00:00:00</wp:post_date_gmt>"
                f"<wp:comment_status>open</wp:comment_status><wp:post_name>imported-{post}</wp:post_name>"
                "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>\n"
            )
            first = comment_id + 1
            for _ in range(comments_per_post):
                comment_id += 1
                parent = rng.randrange(first, comment_id) if comment_id > first and rng.random() < 0.2 else 0
                out.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>Reader {comment_id}</wp:comment_author>"
                    f"<wp:comment_author_email>reader{comment_id}@example.com</wp:comment_author_email>"
                    f"<wp:comment_author_IP>10.1.{comment_id // 250 % 250}.{comment_id % 250}</wp:comment_author_IP>"
                    f"<wp:comment_date_gmt>2015-02-01 10:{comment_id % 60:02d}:00</wp:comment_date_gmt>"
                    f"<wp:comment_content>{escape(_body(rng))}</wp:comment_content>"
                    f"<wp:comment_approved>{rng.choice(statuses)}</wp:comment_approved>"
                    f"<wp:comment_type>comment</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent>"
                    "</wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel></rss>\n")
    return comment_id
