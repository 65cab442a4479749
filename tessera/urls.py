from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("tessera.portal.urls", namespace="portal")),
    path("accounts/", include("tessera.accounts.urls", namespace="accounts")),
    path("desk/", include("tessera.desk.urls", namespace="desk")),
    path("admin/", admin.site.urls),
]

if settings.TESSERA_BENCH:
    from tessera.core import bench_views

    urlpatterns += [
        path("bench/static/", bench_views.static_page, name="bench_static"),
        path("bench/static-no-transaction/", bench_views.static_page_without_transaction),
    ]
