from django.urls import path

from . import feeds, views

app_name = "comments"
urlpatterns = [
    path("post/<int:article_id>/", views.post_comment, name="post"),
    path("<int:comment_id>/report/", views.report_comment, name="report"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("feed/", feeds.LatestCommentsFeed(), name="feed"),
]
