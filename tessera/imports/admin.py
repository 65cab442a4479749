from django.contrib import admin

from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Every import, read only: the desk's import page starts them, the commands record theirs."""

    list_display = ("original_name", "kind", "state", "created_by", "created_at", "committed_at")
    list_filter = ("kind", "state")
    search_fields = ("original_name",)
    readonly_fields = ("kind", "state", "original_name", "file", "invite", "created_by", "created_at", "committed_at",
                       "summary", "file_error")
    exclude = ("rows",)  # tens of thousands of rows: the desk's page shows them a page at a time

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
