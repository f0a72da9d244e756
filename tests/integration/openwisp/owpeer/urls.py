"""The controller's REST API (what noc-tui calls), the users API (token exchange), the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("openwisp_controller.urls")),
    path("api/v1/", include("openwisp_utils.api.urls")),
    path("api/v1/", include(("openwisp_users.api.urls", "users"), namespace="users")),
]
