from django.db import migrations


class Migration(migrations.Migration):
    """The comment counters and change stamp now live on the comments side (comments.CommentStats)."""

    dependencies = [("articles", "0002_seed_article")]
    operations = [
        migrations.RemoveField(model_name="article", name="approved_comment_count"),
        migrations.RemoveField(model_name="article", name="approved_thread_count"),
        migrations.RemoveField(model_name="article", name="comments_changed_at"),
    ]
