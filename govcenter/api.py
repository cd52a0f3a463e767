"""REST API of the core: token auth, centers, departments, members, and the fields and filters every
app's API shares (a center by its code, `?under=`)."""

import django_filters
from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from govcenter import audit, periods, selectors, services
from govcenter.access import Action, ActionPermission
from govcenter.divisions import DivisionCodeError, Level, check_code, subtree_q
from govcenter.errors import DomainError
from govcenter.middleware import LockoutMiddleware
from govcenter.models import Center, Department, Membership, Role


class CenterCodeField(serializers.SlugRelatedField):
    """A center referred to by its division code, with a message that says what is wrong."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", Center.objects.filter(is_active=True))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            check_code(str(data))
        except DivisionCodeError as error:
            raise serializers.ValidationError(str(error)) from error
        try:
            return self.get_queryset().get(code=data)
        except Center.DoesNotExist as error:
            raise serializers.ValidationError(
                _("No active center has the division code %(code)s.") % {"code": data}
            ) from error


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabelField(serializers.Field):
    """The label of a choice in the request's language.

    Django's `get_FOO_display` rebuilds and hashes the whole list of choices on every call, which
    costs more than the rest of a list row; a dict lookup per row does not.
    """

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        label = self.labels.get(value)
        return str(label) if label is not None else value


class InRangeIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time stamp within the years the portal knows; 0001-01-01 would overflow the time
    zone arithmetic and answer a 500."""

    def clean(self, value):
        cleaned = super().clean(value)
        if cleaned is not None and not periods.FIRST_YEAR <= cleaned.year <= periods.LAST_YEAR:
            # A form's error, so the filter set reports it under the parameter's name.
            raise forms.ValidationError(
                _("Give a date between the years %(first)d and %(last)d.")
                % {"first": periods.FIRST_YEAR, "last": periods.LAST_YEAR}
            )
        return cleaned


class TimeField(serializers.DateTimeField):
    """A time stamp within the years the portal knows, checked before the time zone arithmetic that
    would overflow on 0001-01-01."""

    def enforce_timezone(self, value):
        if not periods.FIRST_YEAR <= value.year <= periods.LAST_YEAR:
            raise serializers.ValidationError(
                _("Give a date between the years %(first)d and %(last)d.")
                % {"first": periods.FIRST_YEAR, "last": periods.LAST_YEAR}
            )
        return super().enforce_timezone(value)


class TimeFilter(django_filters.IsoDateTimeFilter):
    field_class = InRangeIsoDateTimeField


def filter_under(queryset, field: str, code: str):
    """`?under=<code>`: the subtree of a center, the center itself included."""
    try:
        check_code(code)
    except DivisionCodeError as error:
        raise DomainError(str(error), field="under") from error
    return queryset.filter(subtree_q(field, code))


# --- Token ----------------------------------------------------------------------------------------


class TokenView(ObtainAuthToken):
    """`POST {"username", "password"}` → `{"token"}`; throttled; failures are audited; a username
    locked out at one address by django-axes (the login page's lockout) gets 429 with the reason."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=AuthTokenSerializer, responses={200: {"type": "object", "properties": {"token": {"type": "string"}}}}
    )
    def post(self, request, *args, **kwargs):
        # The serializer passes this request to authenticate(), where axes counts and refuses.
        serializer = self.serializer_class(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        if getattr(request, "axes_locked_out", False):
            return Response({"detail": LockoutMiddleware.message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if not valid:
            raise serializers.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        audit.record(actor=user, action="auth.token", obj=user)
        return Response({"token": token.key})


# --- Centers --------------------------------------------------------------------------------------


class CenterSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", read_only=True, allow_null=True)
    level_label = ChoiceLabelField(Level.choices, source="level")

    class Meta:
        model = Center
        fields = ["code", "name", "level", "level_label", "parent", "address", "phone", "is_active"]


class CenterFilter(django_filters.FilterSet):
    level = django_filters.TypedChoiceFilter(choices=Level.choices, coerce=int)
    under = django_filters.CharFilter(method="filter_under", label="under")
    q = django_filters.CharFilter(method="filter_q", label="q")

    class Meta:
        model = Center
        fields = ["level", "under", "q"]

    def filter_under(self, queryset, name, value):
        return filter_under(queryset, "code", value)

    def filter_q(self, queryset, name, value):
        return queryset.filter(name__icontains=value) | queryset.filter(code__startswith=value)


class CenterViewSet(viewsets.ReadOnlyModelViewSet):
    """Centers of the caller's subtrees and the centers above them."""

    serializer_class = CenterSerializer
    filterset_class = CenterFilter
    permission_classes = [ActionPermission]
    access_actions = {"*": Action.CENTER_VIEW}
    lookup_field = "code"
    lookup_value_regex = "[0-9]{2,12}"

    def get_queryset(self):
        return selectors.center_list_visible(user=self.request.user).order_by("code")


# --- Departments ----------------------------------------------------------------------------------


class DepartmentSerializer(serializers.ModelSerializer):
    center = serializers.CharField(source="center_code", read_only=True)
    center_name = serializers.CharField(source="center.name", read_only=True)
    kind_label = ChoiceLabelField(Department.Kind.choices, source="kind")

    class Meta:
        model = Department
        fields = ["id", "center", "center_name", "name", "kind", "kind_label", "phone", "is_active"]


class DepartmentFilter(django_filters.FilterSet):
    center = django_filters.CharFilter(field_name="center_code")
    under = django_filters.CharFilter(method="filter_under", label="under")
    kind = django_filters.ChoiceFilter(choices=Department.Kind.choices)

    class Meta:
        model = Department
        fields = ["center", "under", "kind"]

    def filter_under(self, queryset, name, value):
        return filter_under(queryset, "center_code", value)


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    permission_classes = [ActionPermission]
    access_actions = {"*": Action.DEPARTMENT_VIEW}

    def get_queryset(self):
        return selectors.department_list_visible(user=self.request.user).order_by("center_code", "name")


# --- Members --------------------------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.first_name", read_only=True)
    center = serializers.CharField(source="center_code", read_only=True)
    center_name = serializers.CharField(source="center.name", read_only=True)
    role_label = ChoiceLabelField(Role.choices, source="role")
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "username",
            "name",
            "center",
            "center_name",
            "role",
            "role_label",
            "department",
            "department_name",
            "is_active",
            "created_at",
        ]


class MemberCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, style={"input_type": "password"}
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    center = CenterCodeField()
    role = serializers.ChoiceField(choices=Role.choices)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), required=False, allow_null=True
    )


class MemberFilter(django_filters.FilterSet):
    center = django_filters.CharFilter(field_name="center_code")
    under = django_filters.CharFilter(method="filter_under", label="under")
    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Membership
        fields = ["center", "under", "role", "is_active"]

    def filter_under(self, queryset, name, value):
        return filter_under(queryset, "center_code", value)


class MemberViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Staff and their roles. A director adds members inside their own subtree."""

    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    permission_classes = [ActionPermission]
    access_actions = {"create": Action.MEMBER_CREATE}

    def get_queryset(self):
        return selectors.membership_list_visible(user=self.request.user).order_by("center_code", "role", "id")

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer})
    def create(self, request, *args, **kwargs):
        payload = MemberCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = services.member_create(actor=request.user, **payload.validated_data)
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)
