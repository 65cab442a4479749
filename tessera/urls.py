from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from tessera.core.observability.endpoint import metrics

urlpatterns = [
    path("", include("tessera.portal.urls", namespace="portal")),
    path("accounts/tokens/", include("tessera.tokens.urls", namespace="tokens")),
    path("accounts/", include("tessera.accounts.urls", namespace="accounts")),
    # The REST API (docs/api.md); anything under /api/ answers JSON problem details, never an HTML page.
    path("api/", include("tessera.api.urls", namespace="api")),
    # Single sign-on (OpenID Connect): "Log in with …", the provider's callback, linking, logout there too.
    path("accounts/sso/", include("tessera.sso.urls", namespace="sso")),
    # The vendor administrator's imports (tessera/imports, an operations app): under the desk, not part of it.
    path("desk/imports/", include("tessera.imports.urls", namespace="imports")),
    # The vendor administrator's webhook subscriptions (tessera/webhooks): under the desk, not part of it.
    path("desk/webhooks/", include("tessera.webhooks.urls", namespace="webhooks")),
    path("desk/", include("tessera.desk.urls", namespace="desk")),
    path("branding/", include("tessera.branding.urls", namespace="branding")),
    path("admin/", admin.site.urls),
    # Prometheus, for the monitoring system only (token or allowed networks; docs/deploy.md, "Metrics").
    path("metrics", metrics, name="metrics"),
    # For load balancers (tessera/health, docs/deploy.md, "Health"): no login, nothing revealed.
    path("", include("tessera.health.urls", namespace="health")),
]

if settings.TESSERA_BENCH:
    # The benchmark's ceiling pages live in bench/, outside the tessera package: a dotted string, so
    # nothing in tessera imports bench unless the benchmark asks for it.
    urlpatterns += [path("bench/", include("bench.urls"))]

# The error pages in the site's layout (portal/views/errors.py); the 500 page is templates/500.html, with the
# request id a user can quote to support.
handler400 = "tessera.portal.views.errors.bad_request"
handler403 = "tessera.portal.views.errors.permission_denied"
handler404 = "tessera.portal.views.errors.page_not_found"
handler500 = "tessera.portal.views.errors.server_error"
