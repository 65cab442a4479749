from django.contrib import admin

from .models import SsoIdentity
from .services import sso_identity_unlink


@admin.register(SsoIdentity)
class SsoIdentityAdmin(admin.ModelAdmin):
    """Provider logins linked to accounts: seen and removed here, never made (a login links them)."""

    list_display = ("user", "provider", "email", "created_at", "last_login_at")
    list_filter = ("provider",)
    search_fields = ("user__email", "email", "subject")
    list_select_related = ("user",)
    readonly_fields = ("user", "provider", "subject", "email", "created_at", "last_login_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        sso_identity_unlink(identity=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for identity in queryset.select_related("user"):
            sso_identity_unlink(identity=identity, actor=request.user)
