"""Admin for cases: the taxonomy and the time-limit policies are data administrators edit; cases are
looked at here (scoped by the access policy) but changed only through the workflow."""

from django.contrib import admin

from cases.models import Case, Category, Deadline, Dispatch, SlaPolicy
from cases.risk.models import CaseRisk, RiskIndicator
from govcenter import access
from govcenter.access import Action
from govcenter.admin import ReadOnlyAdmin


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "group", "parent", "sort_order", "is_active"]
    list_filter = ["group", "is_active"]
    search_fields = ["code", "name", "name_en"]
    list_editable = ["sort_order", "is_active"]
    raw_id_fields = ["parent"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "channel",
        "respond_minutes",
        "classify_hours",
        "resolve_workdays",
        "feedback_workdays",
        "follow_up_workdays",
        "is_active",
    ]
    list_filter = ["is_active", "kind", "channel"]


class DeadlineInline(admin.TabularInline):
    model = Deadline
    extra = 0
    can_delete = False
    fields = ["stage", "start_at", "amount", "unit", "due_at", "met_at", "overdue_at"]
    readonly_fields = fields


class DispatchInline(admin.TabularInline):
    model = Dispatch
    extra = 0
    can_delete = False
    fields = ["department", "status", "due_at", "answered_at", "reported_at"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):  # intake and every change go through the workflow
    list_display = ["number", "title", "status", "kind", "channel", "center_code", "received_at", "is_overdue"]
    list_filter = ["status", "kind", "channel", "is_overdue"]
    search_fields = ["number", "title"]
    date_hierarchy = "received_at"
    inlines = [DeadlineInline, DispatchInline]
    list_select_related = ["center"]
    show_full_result_count = False  # counting a million rows per page view is not worth it

    def get_queryset(self, request):
        return access.scope(request.user, super().get_queryset(request), Action.CASE_VIEW)


@admin.register(RiskIndicator)
class RiskIndicatorAdmin(admin.ModelAdmin):
    """Indicators are data: the model's clean() checks the rule, so a bad one is refused with the reason."""

    list_display = ["code", "name", "name_en", "kind", "weight", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_en"]
    list_editable = ["name_en", "weight", "is_active"]


@admin.register(CaseRisk)
class CaseRiskAdmin(ReadOnlyAdmin):
    """Scores are computed (cases.risk.scoring), only looked at here."""

    list_display = ["case", "center_code", "level", "score", "computed_at"]
    list_filter = ["level"]
    ordering = ["-score"]
    search_fields = ["case__number", "center_code"]
    list_select_related = ["case"]
    readonly_fields = ["case", "center_code", "score", "level", "fired", "computed_at"]
    show_full_result_count = False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        allowed = access.scope(request.user, Case.objects.all(), Action.CASE_VIEW)
        return qs.filter(case__in=allowed)
