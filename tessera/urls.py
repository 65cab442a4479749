from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("tessera.portal.urls", namespace="portal")),
    path("accounts/", include("tessera.accounts.urls", namespace="accounts")),
    path("desk/", include("tessera.desk.urls", namespace="desk")),
    path("admin/", admin.site.urls),
]
