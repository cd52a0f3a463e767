"""Admin for the core. Lists go through the access policy like every other list; writes go
through the services so they are checked and audited."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from govcenter import access, services
from govcenter.access import Action
from govcenter.errors import DomainError
from govcenter.models import AuditEvent, CalendarOverride, Center, Department, IssuedDocument, Membership


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record only looked at here: what it says changes through its services, never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedAdmin(admin.ModelAdmin):
    access_action: Action = Action.CENTER_VIEW

    def get_queryset(self, request):
        return access.scope(request.user, super().get_queryset(request), self.access_action)


@admin.register(Center)
class CenterAdmin(GuardedModelAdmin, ScopedAdmin):
    list_display = ["code", "name", "level", "parent", "phone", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    readonly_fields = ["public_token", "created_at", "updated_at"]
    raw_id_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    access_action = Action.DEPARTMENT_VIEW
    list_display = ["name", "kind", "center", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "center_code"]
    raw_id_fields = ["center"]

    def save_model(self, request, obj, form, change):
        if change:  # name, phone or active flag; the center stays (center_code follows it)
            obj.center_code = obj.center.code
            super().save_model(request, obj, form, change)
            return
        try:
            saved = services.department_create(
                actor=request.user, center=obj.center, name=obj.name, kind=obj.kind, phone=obj.phone
            )
            obj.pk = saved.pk
        except DomainError as error:
            self.message_user(request, str(error.message), level=messages.ERROR)


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    access_action = Action.MEMBER_VIEW
    list_display = ["user", "center", "role", "department", "is_active", "created_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__first_name", "center_code"]
    raw_id_fields = ["user", "center", "department"]
    readonly_fields = ["created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # Who holds which seat is fixed once created; deactivate and create anew instead.
        fixed = ["user", "center", "role", "department"] if obj else []
        return [*self.readonly_fields, *fixed]

    def save_model(self, request, obj, form, change):
        try:
            if change:
                if not obj.is_active:
                    services.membership_deactivate(actor=request.user, membership=obj)
                return
            saved = services.membership_add(
                actor=request.user, user=obj.user, center=obj.center, role=obj.role, department=obj.department
            )
            obj.pk = saved.pk
        except DomainError as error:
            self.message_user(request, str(error.message), level=messages.ERROR)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin, ScopedAdmin):
    access_action = Action.AUDIT_VIEW
    list_display = ["at", "actor_name", "action", "object_type", "object_id", "center_code", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_name", "object_id", "center_code"]
    date_hierarchy = "at"


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "reason"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    actions = ["delete_through_service"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # the bulk delete would skip the recomputation
        return actions

    def save_model(self, request, obj, form, change):
        if change and "date" in form.changed_data:
            # Moving an override frees its old day too, and both days' deadlines are recomputed.
            services.calendar_override_remove(actor=request.user, override=CalendarOverride.objects.get(pk=obj.pk))
        saved = services.calendar_override_set(
            actor=request.user, day=obj.date, is_workday=obj.is_workday, reason=obj.reason
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.calendar_override_remove(actor=request.user, override=obj)

    @admin.action(description=_("Delete selected overrides and recompute deadlines"))
    def delete_through_service(self, request, queryset):
        for override in queryset:
            services.calendar_override_remove(actor=request.user, override=override)


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin, ScopedAdmin):
    """Every PDF the portal issued, read-only: revoking goes through govcenter.documents.revoke."""

    access_action = Action.AUDIT_VIEW
    list_display = ["code", "kind", "reference", "center_code", "issued_at", "is_revoked"]
    list_filter = ["kind", "is_revoked"]
    search_fields = ["code", "reference"]
