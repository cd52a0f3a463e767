"""Admin for the mediation roster (lists scoped by the access policy; writes audited by the services
when they come through the API, and here kept to the roster data)."""

from django.contrib import admin

from govcenter import access
from govcenter.access import Action
from govcenter.admin import ReadOnlyAdmin
from mediation.models import Agreement, AgreementTerm, MediationOrg, Mediator


class ScopedRosterAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return access.scope(request.user, super().get_queryset(request), Action.CENTER_VIEW)


@admin.register(MediationOrg)
class MediationOrgAdmin(ScopedRosterAdmin):
    list_display = ["name", "kind", "center", "short_name", "is_public", "is_active"]
    list_filter = ["kind", "is_public", "is_active"]
    search_fields = ["name", "center_code"]
    raw_id_fields = ["center"]

    def save_model(self, request, obj, form, change):
        obj.center_code = obj.center.code
        super().save_model(request, obj, form, change)


@admin.register(Mediator)
class MediatorAdmin(ScopedRosterAdmin):
    list_display = ["name", "org", "certificate", "phone", "is_chief_consultant", "is_active"]
    list_filter = ["is_active", "is_chief_consultant", "org__kind"]
    search_fields = ["name", "certificate", "center_code"]
    raw_id_fields = ["org", "user"]
    filter_horizontal = ["specialties"]

    def save_model(self, request, obj, form, change):
        obj.center_code = obj.org.center_code
        super().save_model(request, obj, form, change)


class TermInline(admin.TabularInline):
    model = AgreementTerm
    extra = 0
    can_delete = False
    readonly_fields = ["position", "text", "due_date", "amount", "fulfilment", "checked_at"]
    fields = readonly_fields


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    """Read-only: agreements are drafted, signed and superseded through the services."""

    list_display = ["number", "case", "status", "signed_at"]
    list_filter = ["status"]
    search_fields = ["number"]
    inlines = [TermInline]

    def get_queryset(self, request):
        from cases import selectors

        visible = selectors.case_list_visible(user=request.user).values("pk")
        return super().get_queryset(request).filter(case__in=visible)
