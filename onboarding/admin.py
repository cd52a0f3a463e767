from django.contrib import admin

from govcenter.admin import ReadOnlyAdmin
from onboarding import selectors
from onboarding.models import ImportRun, StaffIdentity


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    """The record of the imports, read-only: what happened is changed by importing again. The same
    records as the import pages show the user (their subtree's and their own)."""

    list_display = ["created_at", "kind", "filename", "status", "rows", "center_code", "actor"]
    list_filter = ["kind", "status"]
    search_fields = ["filename", "center_code", "actor__username"]
    readonly_fields = [field.name for field in ImportRun._meta.fields]

    def get_queryset(self, request):
        return selectors.import_run_list_visible(user=request.user)


@admin.register(StaffIdentity)
class StaffIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "phone", "updated_at"]
    search_fields = ["user__username", "user__first_name"]
    raw_id_fields = ["user"]
