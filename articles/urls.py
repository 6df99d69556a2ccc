from django.urls import path

from comments.feeds import ArticleCommentsFeed

from . import views

app_name = "articles"
urlpatterns = [
    path("<slug:slug>/", views.article_detail, name="detail"),
    path("<slug:slug>/comments/feed/", ArticleCommentsFeed(), name="comments-feed"),
]
