from django.contrib import admin

from .models import AccessToken


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Read only: tokens are made and revoked on the account page, where the token is shown once."""

    list_display = ("name", "kind", "user", "scope", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("kind", "scope")
    search_fields = ("name", "prefix", "user__email")
    readonly_fields = [f.name for f in AccessToken._meta.fields if f.name != "key_hash"]
    exclude = ("key_hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
