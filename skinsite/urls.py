from django.contrib import admin
from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import include, path
from django.views.generic import RedirectView

from articles.views import home
from skinsite.views import healthz

urlpatterns = [
    path("", home, name="home"),
    path("articles/", include("articles.urls")),
    path("comments/", include("comments.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", RedirectView.as_view(url=staticfiles_storage.url("favicon.svg"), permanent=True)),
]

admin.site.site_header = "skinsite moderation"
admin.site.site_title = "skinsite"
admin.site.index_title = "Moderation"
admin.site.enable_nav_sidebar = False  # the queue's columns need the width
