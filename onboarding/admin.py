from django.contrib import admin

from onboarding.models import ImportRun, StaffIdentity


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """The record of the imports, read-only: what happened is changed by importing again."""

    list_display = ["created_at", "kind", "filename", "status", "rows", "center_code", "actor"]
    list_filter = ["kind", "status"]
    search_fields = ["filename", "center_code", "actor__username"]
    readonly_fields = [field.name for field in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffIdentity)
class StaffIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "phone", "updated_at"]
    search_fields = ["user__username", "user__first_name"]
    raw_id_fields = ["user"]
