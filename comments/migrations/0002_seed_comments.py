"""The three reader comments of the original page, approved, and the two empty word lists."""

import datetime
import hashlib

from django.db import migrations, models

from articles.seed import SLUG
from comments.sanitize import sanitize_comment

COMMENTS = [
    (
        "Anonymous",
        datetime.datetime(2014, 5, 2, 9, 14, tzinfo=datetime.UTC),
        "i always thought that facial exersize is good for our skin, i need to know more about this subject.",
    ),
    (
        "Anonymous",
        datetime.datetime(2015, 1, 19, 18, 37, tzinfo=datetime.UTC),
        "I have to disagree with this article. I’ve been doing facial exercises for about 4 years now… and the "
        "structure and shape of my face has become much more youthful (pumped up cheekbones and temples, sharpened "
        "jawline). I have the new TRIANGLE of YOUTH. But the key is WEIGHT-BEARING resistance exercise. Those "
        "electrical stimulation devices sold by Dr. Perricone and Suzanne Somers don’t work. It has to be "
        "WEIGHT-BEARING RESISTANCE. I’ve pumped up the volume of my facial muscles tremendously. And we normally lose "
        "volume and tone in the face as we age. Plus, it you exercise till your face BURNS… you release lactic acid "
        "which stimulates collagen growth. (Similar the way Poly-Lactic-Acid or Sculptra stimulates collagen growth.",
    ),
    (
        "ann barbor",
        datetime.datetime(2016, 7, 8, 11, 2, tzinfo=datetime.UTC),
        "The only criticism I’ve come across is from dermatologists and plastic surgeons. Have been doing daily facial "
        "exercises for 5 months now using a popular electro stimulation device, I have softer nose to mouth lines, "
        "plumper cheeks and most noticeably disappearance of my sagging jowls. My lids were hiding my eyes and I had "
        "bad bags that even my glasses couldn’t hide but now I’ve got arched eye brows, big eyes and eye bags are half "
        "the size! It’s not plastic surgery but the best natural alternative. Facial exercises let you age gracefully "
        "and best all it’s cheap, a lot cheaper than expensive face creams and surgical/non-surgical procedures.",
    ),
]


def comment_fingerprint(parent_id, author_name, author_email, body):
    """A frozen copy of the fingerprint of this migration's time (0004 recomputes every fingerprint)."""
    key = "\x00".join([str(parent_id or 0), author_name, author_email.lower(), body])
    return hashlib.sha256(key.encode()).hexdigest()


def create_comments(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Comment = apps.get_model("comments", "Comment")
    WordList = apps.get_model("comments", "WordList")
    for kind in ("disallowed", "moderation"):
        WordList.objects.get_or_create(kind=kind)
    article = Article.objects.filter(slug=SLUG).first()
    if article is None:
        return
    for name, submitted_at, body in COMMENTS:
        Comment.objects.get_or_create(
            article=article,
            fingerprint=comment_fingerprint(None, name, "", body),
            defaults={
                "author_name": name,
                "author_email": "",
                "body": body,
                "body_html": sanitize_comment(body),
                "status": "approved",
                "submitted_at": submitted_at,
            },
        )
    Comment.objects.filter(article=article, thread=None).update(thread=models.F("pk"))
    # The counts are computed by 0004, on the comments side.


def remove_comments(apps, schema_editor):
    apps.get_model("comments", "Comment").objects.filter(article__slug=SLUG, author_email="").delete()
    apps.get_model("comments", "WordList").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_initial"), ("articles", "0002_seed_article")]
    operations = [migrations.RunPython(create_comments, remove_comments)]
