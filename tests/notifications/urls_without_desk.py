"""The site without the desk's ticket workspace: agents' links then point at the administration."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("tessera.portal.urls", namespace="portal")),
    path("accounts/", include("tessera.accounts.urls", namespace="accounts")),
    path("admin/", admin.site.urls),
]
