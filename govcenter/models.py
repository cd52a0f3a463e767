"""The core every app stands on: the center tree, departments, memberships, the audit log, the
work-calendar overrides and the register of issued documents."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Left, Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from govcenter.divisions import CODE_LENGTH, Level

# Lets constraints say `code__length=6`; registered once, where the tree is defined.
models.CharField.register_lookup(Length)


def _parent_length_is(length: int) -> Exact:
    # A lookup on the raw column: constraints may not traverse the foreign key itself. Callers pair it
    # with parent__isnull=False, since a CHECK whose expression is NULL passes.
    return Exact(Length(F("parent_id")), length)


def new_public_token() -> str:
    return secrets.token_urlsafe(24)


class Center(models.Model):
    """A comprehensive governance center (综治中心), keyed by its division code.

    The code is the tree: a child's code starts with its parent's, so "everything under this
    county" is a prefix range on an indexed column.
    """

    code = models.CharField(_("division code"), max_length=12, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent center"),
        to_field="code",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    public_token = models.CharField(_("public form token"), max_length=64, unique=True, default=new_public_token)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("center")
        verbose_name_plural = _("centers")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]+$"), name="center_code_digits"),
            models.CheckConstraint(
                condition=(
                    Q(level=Level.PROVINCE, code__length=CODE_LENGTH[Level.PROVINCE])
                    | Q(level=Level.CITY, code__length=CODE_LENGTH[Level.CITY])
                    | Q(level=Level.COUNTY, code__length=CODE_LENGTH[Level.COUNTY])
                    | Q(level=Level.TOWNSHIP, code__length=CODE_LENGTH[Level.TOWNSHIP])
                    | Q(level=Level.VILLAGE, code__length=CODE_LENGTH[Level.VILLAGE])
                ),
                name="center_code_length_matches_level",
            ),
            # A province has no parent; every other center hangs under the level just above it
            # (the parent code's length fixes its level) and its code extends the parent's.
            models.CheckConstraint(
                condition=(
                    Q(level=Level.PROVINCE, parent__isnull=True)
                    | Q(_parent_length_is(CODE_LENGTH[Level.PROVINCE]), parent__isnull=False, level=Level.CITY)
                    | Q(_parent_length_is(CODE_LENGTH[Level.CITY]), parent__isnull=False, level=Level.COUNTY)
                    | Q(_parent_length_is(CODE_LENGTH[Level.COUNTY]), parent__isnull=False, level=Level.TOWNSHIP)
                    | Q(_parent_length_is(CODE_LENGTH[Level.TOWNSHIP]), parent__isnull=False, level=Level.VILLAGE)
                ),
                name="center_parent_one_level_up",
            ),
            # Spelled as LEFT(code, LENGTH(parent)) = parent, not LIKE: Django's LIKE form of this
            # check puts a bare '%' into the PostgreSQL DDL, which the driver reads as a placeholder.
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(Exact(Left("code", Length("parent_id")), F("parent_id"))),
                name="center_code_extends_parent",
            ),
        ]
        indexes = [models.Index(fields=["level", "code"], name="center_level_code")]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def get_absolute_url(self):
        return reverse("center-detail", args=[self.code])

    @property
    def ancestor_codes(self) -> list[str]:
        from govcenter.divisions import ancestor_codes

        return ancestor_codes(self.code)


class Department(models.Model):
    """A functional department (职能部门) a center dispatches cases to."""

    class Kind(models.TextChoices):
        HOUSING = "housing", _("Housing and construction")
        HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
        MARKET = "market", _("Market regulation")
        CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
        PETITION = "petition", _("Petition office")
        POLICE = "police", _("Police station")
        JUSTICE = "justice", _("Justice office")
        COURT = "court", _("People's tribunal")
        NATURAL_RESOURCES = "natural_resources", _("Natural resources")
        ENVIRONMENT = "environment", _("Ecology and environment")
        EDUCATION = "education", _("Education")
        HEALTH = "health", _("Health")
        AGRICULTURE = "agriculture", _("Agriculture and rural affairs")
        OTHER = "other", _("Other")

    center = models.ForeignKey(Center, verbose_name=_("center"), on_delete=models.PROTECT, related_name="departments")
    center_code = models.CharField(_("center code"), max_length=12, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["center_code", "name"]
        constraints = [models.UniqueConstraint(fields=["center", "name"], name="department_unique_name_per_center")]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    DIRECTOR = "director", _("Center director")
    CLERK = "clerk", _("Intake clerk")
    MEDIATOR = "mediator", _("Mediator")
    GRID_WORKER = "grid_worker", _("Grid worker")
    COURT = "court", _("Court staff")
    POLICE = "police", _("Police liaison")
    PETITION = "petition", _("Petition officer")
    DEPARTMENT = "department", _("Department officer")
    AUDITOR = "auditor", _("Auditor")
    EXPERT = "expert", _("Legal expert")


class Membership(models.Model):
    """A user's role at a center. The role applies to the center's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="memberships"
    )
    center = models.ForeignKey(Center, verbose_name=_("center"), on_delete=models.PROTECT, related_name="memberships")
    center_code = models.CharField(_("center code"), max_length=12, db_index=True, editable=False)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["center_code", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "center", "role"], name="membership_unique_role_at_center"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_known_role"),
            models.CheckConstraint(
                condition=Q(role=Role.DEPARTMENT) | Q(department__isnull=True),
                name="membership_department_only_for_department_role",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.center_code}"


class CenterUserObjectPermission(UserObjectPermissionBase):
    """Explicit grant of a permission on one center (e.g. an inspector sent to a center outside
    their subtree). A direct foreign key, so guardian filters on an integer, not a text cast."""

    content_object = models.ForeignKey(Center, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("center grant")
        verbose_name_plural = _("center grants")


class AuditEvent(models.Model):
    """One append-only line of the audit log.

    Each row carries the hash of the previous row and its own, so removing or editing a row breaks
    the chain where it happened (`manage.py verify_audit`). On PostgreSQL a trigger refuses UPDATE
    and DELETE; `prev_hash` is unique, so the chain cannot fork under concurrent writers.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    center_code = models.CharField(_("center code"), max_length=12, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, unique=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"


class CalendarOverride(models.Model):
    """A day whose working status differs from what `chinese-calendar` says, or a day of a year
    the package does not know yet (the State Council publishes each year's holidays in November)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    reason = models.CharField(_("reason"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self):
        kind = _("working day") if self.is_workday else _("day off")
        return f"{self.date} {kind} {self.reason}"


# No 0/O/1/I: a verification code is read off paper and typed by hand.
DOCUMENT_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
DOCUMENT_CODE_LENGTH = 12


def new_document_code() -> str:
    # 32**12 = 2**60 codes: guessing one that exists is hopeless, the more so behind the rate limit.
    return "".join(secrets.choice(DOCUMENT_CODE_ALPHABET) for _ in range(DOCUMENT_CODE_LENGTH))


def group_code(code: str) -> str:
    """A code as printed: groups of four, e.g. 7KQ4-M2XP-9TRA."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("People's mediation agreement")
    SESSION_RECORD = "session_record", _("Mediation session record")
    CONFIRMATION_APPLICATION = "confirmation_application", _("Application for judicial confirmation")
    REPORT = "report", _("Report")
    DOSSIER = "dossier", _("Case dossier")


class IssuedDocument(models.Model):
    """A PDF the portal issued (an agreement, a record, a report …) and the code printed on it.

    Whoever holds the paper can type the code at /verify/<code>/ and learn whether the portal issued
    it, what it is and whether it still stands (a superseded agreement is revoked, with the reason).
    The row knows what the document is about, never its contents.
    """

    Kind = DocumentKind

    code = models.CharField(
        _("verification code"), max_length=DOCUMENT_CODE_LENGTH, unique=True, default=new_document_code, editable=False
    )
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("document number"), max_length=64, blank=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    center_code = models.CharField(_("center code"), max_length=12, db_index=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    is_revoked = models.BooleanField(_("revoked"), default=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[2-9A-HJ-NP-Z]{12}$"), name="document_code_alphabet"),
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_known_kind"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^([0-9a-f]{64})?$"), name="document_sha256_hex"),
            models.CheckConstraint(
                condition=Q(is_revoked=False, revoked_at__isnull=True, revoked_reason="")
                | Q(is_revoked=True, revoked_at__isnull=False) & ~Q(revoked_reason=""),
                name="document_revocation_complete",
            ),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"], name="document_object")]

    def __str__(self):
        return f"{self.display_code} {self.title}"

    def get_absolute_url(self):
        return reverse("verify-document", args=[self.code])

    @property
    def display_code(self) -> str:
        return group_code(self.code)
