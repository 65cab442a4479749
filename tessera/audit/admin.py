from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The log as it was written: superusers read it, nobody adds, changes or deletes an entry."""

    list_display = ["created_at", "action", "actor_email", "ip_address", "target_repr", "organization"]
    list_filter = ["action", "created_at"]
    search_fields = ["actor_email", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["organization"]
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
