from django.contrib.flatpages.views import flatpage
from django.urls import include, path

urlpatterns = [
    path("", flatpage, {"url": "/"}),
    path("comments/", include("django_comments.urls")),
]
