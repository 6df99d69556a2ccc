import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.urls import reverse

from articles.models import Article
from comments.models import Comment
from tests.helpers import ARTICLE_SLUG, clear_caches, comment_data, sequence


@pytest.fixture(autouse=True)
def _empty_cache():
    """Flood limits, versions and cached fragments live in the caches: every test starts without them."""
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the code defers to transaction commit (the test's own transaction never commits;
    with the immediate task backend, the tasks it enqueues then run)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def article(db):
    """The article the migrations create, with its three approved reader comments."""
    return Article.objects.get(slug=ARTICLE_SLUG)


@pytest.fixture
def make_article(db):
    def make(**fields):
        n = next(sequence)
        fields.setdefault("title", f"Article {n}")
        fields.setdefault("slug", f"article-{n}")
        fields.setdefault("body", f"<p>Body of article {n}.</p>")
        return Article.objects.create(**fields)

    return make


@pytest.fixture
def make_comment(db):
    """A stored comment, counted as a posted one is; other statuses go through the moderation transition."""
    from comments import transitions

    def make(article, status=Comment.Status.APPROVED, **fields):
        n = next(sequence)
        fields.setdefault("author_name", f"Reader {n}")
        fields.setdefault("author_email", f"reader{n}@example.com")
        fields.setdefault("body", f"Comment number {n}.")
        comment = Comment.objects.create(article=article, status=Comment.Status.PENDING, **fields)
        transitions.record_new(comment)
        if status != Comment.Status.PENDING:
            transitions.set_status(Comment.objects.filter(pk=comment.pk), status)
            comment.refresh_from_db()
        return comment

    return make


@pytest.fixture
def post_comment(client):
    """Post the form for article `on` with `fields` over a valid default, from `client` (or another)."""

    def post(on, via=None, headers=None, **fields):
        url = reverse("comments:post", args=[on.pk])
        return (via or client).post(url, comment_data(on, **fields), headers=headers or {})

    return post


@pytest.fixture
def moderator(db):
    user = User.objects.create_user("mod", "mod@example.com", "mod-password", is_staff=True)
    user.groups.add(Group.objects.get(name=settings.COMMENTS_MODERATORS_GROUP))
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client
