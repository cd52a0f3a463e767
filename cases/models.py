"""Cases (矛盾纠纷 / 诉求 / 风险隐患) and what hangs off them: parties, the timeline, deadlines,
dispatches to departments, attachments, notifications, public receipts and ratings."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Left
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from govcenter.divisions import Level
from govcenter.models import Center, Department


class Kind(models.TextChoices):
    DISPUTE = "dispute", _("Dispute")
    REQUEST = "request", _("Request for help")
    RISK = "risk", _("Risk")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in visit")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone call")
    HOTLINE = "hotline", _("12345 hotline")
    POLICE = "police", _("110 police alert")
    PETITION = "petition", _("Petition")
    GRID = "grid", _("Grid report")
    SCREENING = "screening", _("Found in screening")
    COURT = "court", _("Court pre-litigation transfer")
    QR = "qr", _("QR code or online")
    ASSIGNED = "assigned", _("Assigned from above")
    DEPARTMENT = "department", _("Transferred by a department")
    MEDIA = "media", _("Found in the media or online")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    CLASSIFIED = "classified", _("Classified")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted by a department")
    IN_MEDIATION = "in_mediation", _("In mediation")
    RESOLVED = "resolved", _("Resolved")
    FAILED = "failed", _("Mediation failed")
    FEEDBACK_GIVEN = "feedback_given", _("Feedback given")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    HANDED_BACK = "handed_back", _("Handed back")


OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.CLASSIFIED,
        Status.DISPATCHED,
        Status.ACCEPTED,
        Status.IN_MEDIATION,
        Status.FAILED,
        Status.REOPENED,
    }
)


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


def in_reader_language(name: str, name_en: str | None) -> str:
    """A name kept as data in both languages (categories, risk indicators), in the active one: the
    English name for an English reader when there is one, else the Chinese."""
    return name_en if get_language() == "en" and name_en else name


class Category(models.Model):
    """A node of the two-level taxonomy: the 15 dispute types of the people's-mediation statistics
    and the livelihood request areas, each with sub-types."""

    class Group(models.TextChoices):
        DISPUTE = "dispute", _("Dispute type")
        REQUEST = "request", _("Livelihood request area")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    group = models.CharField(_("group"), max_length=10, choices=Group.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["group", "sort_order", "code"]

    def __str__(self):
        return f"{self.parent.label} / {self.label}" if self.parent_id else self.label

    @property
    def label(self) -> str:
        """The name in the active language (the taxonomy is data, so it carries both)."""
        return in_reader_language(self.name, self.name_en)


# The columns the dashboard groups a period's cases by (reports.counting), carried in the indexes.
DASHBOARD_COLUMNS = ["channel", "kind", "category_id", "status", "is_overdue", "resolved_level"]


class Case(models.Model):
    # Identity: a human number unique per county and year, e.g. 620102-2026-000123.
    number = models.CharField(_("case number"), max_length=24, unique=True)
    county_code = models.CharField(_("county code"), max_length=6, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    serial = models.PositiveIntegerField(_("serial"), editable=False)

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)

    # Where it is handled now (denormalised code for scoping by prefix range) and where it began.
    center = models.ForeignKey(Center, verbose_name=_("handling center"), on_delete=models.PROTECT, related_name="+")
    center_code = models.CharField(_("handling center code"), max_length=12)
    origin_center = models.ForeignKey(
        Center, verbose_name=_("origin center"), on_delete=models.PROTECT, related_name="+"
    )
    origin_code = models.CharField(_("origin center code"), max_length=12)
    levels_passed = models.JSONField(_("centers passed"), default=list, blank=True)
    resolved_level = models.PositiveSmallIntegerField(
        _("resolved at level"), choices=Level.choices, null=True, blank=True
    )

    title = models.CharField(_("summary"), max_length=200)
    facts = models.TextField(_("facts"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    # Where the case arose, when it is known to the grid, and the patrol visit it came from.
    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("grid"), on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    visit = models.OneToOneField(
        "grids.Visit",
        verbose_name=_("patrol visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
    )
    amount = models.DecimalField(_("amount in dispute (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    people_count = models.PositiveIntegerField(_("people involved"), default=1)
    is_group_incident = models.BooleanField(_("group incident"), default=False)
    is_petition_related = models.BooleanField(_("petition-related"), default=False)
    is_emergency = models.BooleanField(_("emergency"), default=False)
    is_difficult = models.BooleanField(_("especially difficult"), default=False)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)

    # Deadlines: the stage due next, and whether any stage is overdue (kept for indexed filters).
    next_due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    next_stage = models.CharField(_("next stage"), max_length=12, blank=True)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    is_paused = models.BooleanField(_("clock paused"), default=False)
    review_required = models.BooleanField(_("awaiting the director's review"), default=False)
    report_count = models.PositiveIntegerField(_("reports merged"), default=1)
    # Named by the person on the public form, from the center's public roster (a wish, not an assignment).
    preferred_mediation = models.CharField(
        _("preferred mediation organisation or mediator"), max_length=120, blank=True
    )

    receipt = models.CharField(_("receipt code"), max_length=16, unique=True, null=True, blank=True)
    # The case's number in the system it was imported from (原编号), unique per origin center: the
    # natural key that makes importing the same file twice change nothing.
    original_number = models.CharField(_("original number"), max_length=64, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    received_at = models.DateTimeField(_("received at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-id"]
        permissions = [("mediate_case", _("Can mediate the case"))]
        constraints = [
            models.UniqueConstraint(
                fields=["county_code", "year", "serial"], name="case_serial_unique_per_county_year"
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="case_known_kind"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="case_known_channel"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="case_known_status"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="case_amount_not_negative"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="case_version_positive"),
            models.UniqueConstraint(
                fields=["origin_code", "original_number"],
                condition=Q(original_number__isnull=False),
                name="case_original_number_unique_per_origin",
            ),
        ]
        # The case lists of shared/PERFORMANCE.md: a subtree, newest first, served in index order.
        # The INCLUDE columns (PostgreSQL) are what the dashboard groups by: a period's figures, and
        # the ids of a deep page, then come from the index alone.
        indexes = [
            models.Index(
                fields=["center_code", "-received_at"], include=DASHBOARD_COLUMNS, name="case_center_received"
            ),
            models.Index(fields=["county_code", "-received_at", "-id"], name="case_county_received"),
            models.Index(
                Left("center_code", 9), F("received_at").desc(), F("id").desc(), name="case_township_received"
            ),
            models.Index(fields=["origin_code", "-received_at"], name="case_origin_received"),
            models.Index(fields=["status", "-received_at"], name="case_status_received"),
            models.Index(
                fields=["-received_at", "-id"], include=["center_code", *DASHBOARD_COLUMNS], name="case_received"
            ),
            # What is late now: counted by unit and status from the index, listed most overdue first.
            models.Index(
                fields=["center_code", "next_due_at"],
                include=["status"],
                name="case_overdue",
                condition=Q(is_overdue=True),
            ),
            models.Index(
                fields=["next_due_at", "id"],
                include=["center_code", "status"],
                name="case_overdue_due",
                condition=Q(is_overdue=True),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("case-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Per-case grants (a court clerk on a case it handed over, an auditor on a named case), on an
    integer foreign key so scoping a million cases does not cast text."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("case grant")
        verbose_name_plural = _("case grants")


class CaseNumberCounter(models.Model):
    """The last serial given out per county and year. Allocation locks the row, inside the
    transaction that creates the case, so numbers are gapless and never repeat."""

    county_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county_code", "year"], name="case_counter_unique")]

    def __str__(self):
        return f"{self.county_code}-{self.year}: {self.last}"


class Party(models.Model):
    class Role(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        RESPONDENT = "respondent", _("Respondent")
        THIRD_PARTY = "third_party", _("Third party")

    class PartyKind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    party_kind = models.CharField(_("party kind"), max_length=12, choices=PartyKind.choices, default=PartyKind.PERSON)
    name = models.CharField(_("name"), max_length=100)
    id_number = models.CharField(_("identity number"), max_length=18, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # A risk flag on the person (mental illness under care, recently released…), for early warning.
    flags = models.JSONField(_("flags"), default=list, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["case", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["applicant", "respondent", "third_party"]), name="party_known_role"
            )
        ]

    def __str__(self):
        return self.name


class CaseEvent(models.Model):
    """One line of a case's timeline."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verb = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    center_code = models.CharField(_("center code"), max_length=12)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"))

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_timeline")]

    def __str__(self):
        return f"{self.case_id} {self.verb}"


class SlaPolicy(models.Model):
    """Time limits for a kind and channel; the most specific active policy applies."""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, blank=True)
    respond_minutes = models.PositiveIntegerField(_("respond within (minutes)"), default=30)
    classify_hours = models.PositiveIntegerField(_("classify within (hours)"), default=24)
    resolve_workdays = models.PositiveIntegerField(_("resolve within (working days)"), default=5)
    feedback_workdays = models.PositiveIntegerField(_("feed back within (working days)"), default=5)
    follow_up_workdays = models.PositiveIntegerField(_("follow up within (working days)"), default=10)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("time-limit policy")
        verbose_name_plural = _("time-limit policies")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel"], condition=Q(is_active=True), name="sla_one_active_per_kind_channel"
            ),
            models.CheckConstraint(
                condition=Q(
                    respond_minutes__gte=1,
                    classify_hours__gte=1,
                    resolve_workdays__gte=1,
                    feedback_workdays__gte=1,
                    follow_up_workdays__gte=1,
                ),
                name="sla_limits_positive",
            ),
        ]

    def __str__(self):
        return self.name


class Stage(models.TextChoices):
    RESPOND = "respond", _("Respond")
    CLASSIFY = "classify", _("Classify")
    RESOLVE = "resolve", _("Resolve")
    FEEDBACK = "feedback", _("Feed back")
    FOLLOW_UP = "follow_up", _("Follow up")


class DeadlineQuerySet(models.QuerySet):
    def running(self):
        """The limits still counting: not met, and not replaced by a reopening."""
        return self.filter(met_at__isnull=True, superseded_at__isnull=True)

    def current(self):
        """This round's limits (a reopened case keeps the earlier rounds, superseded)."""
        return self.filter(superseded_at__isnull=True)


class Deadline(models.Model):
    """One stage's time limit on one case.

    The due time is derived from `start_at`, `amount` and `unit` plus any pause, so it can be
    recomputed when the working-day calendar changes. Reopening a case starts new limits and keeps
    the old ones, marked superseded, so whether the first round was on time is never lost.
    """

    class Unit(models.TextChoices):
        MINUTES = "minutes", _("minutes")
        HOURS = "hours", _("hours")
        WORKDAYS = "workdays", _("working days")
        DAYS = "days", _("calendar days")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="deadlines")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    start_at = models.DateTimeField(_("counted from"))
    amount = models.PositiveIntegerField(_("limit"))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    paused_seconds = models.PositiveBigIntegerField(_("paused (seconds)"), default=0)
    paused_workdays = models.PositiveIntegerField(_("paused (working days)"), default=0)
    due_at = models.DateTimeField(_("due"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at (case reopened)"), null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["case", "due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "stage"], condition=Q(superseded_at__isnull=True), name="deadline_one_current_per_stage"
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="deadline_running_due",
                condition=Q(met_at__isnull=True, superseded_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.stage} {self.due_at:%Y-%m-%d %H:%M}"


class ClockPause(models.Model):
    """The clock stopped while waiting on a party (e.g. for documents), with the reason."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField(_("paused at"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(ended_at__isnull=True), name="pause_one_open_per_case")
        ]

    def __str__(self):
        return f"{self.case_id} {self.reason}"


class Dispatch(models.Model):
    """A case sent to a department (吹哨派单) and the department's answer (报到承接)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        DONE = "done", _("Result reported")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="dispatches")
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="dispatches"
    )
    status = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    due_at = models.DateTimeField(_("due"))
    instructions = models.TextField(_("instructions"), blank=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dispatched_at = models.DateTimeField(_("dispatched at"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    progress = models.JSONField(_("progress reports"), default=list, blank=True)
    result = models.TextField(_("result"), blank=True)
    reported_at = models.DateTimeField(_("result reported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["case", "dispatched_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=Q(status__in=["pending", "accepted"]),
                name="dispatch_one_live_per_department",
            )
        ]
        indexes = [models.Index(fields=["department", "status"], name="dispatch_department_status")]

    def __str__(self):
        return f"{self.case_id} → {self.department_id}"


def attachment_path(instance, filename):
    # The stored name is random: the original name is kept in the row, never trusted on disk.
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case", "uploaded_at"]

    def __str__(self):
        return self.name


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, null=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=32)
    text = models.CharField(_("text"), max_length=300)
    # Makes a retried sweep harmless: one notification per recipient and reason.
    dedupe_key = models.CharField(max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once_per_reason")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.text


class Rating(models.Model):
    """The satisfaction of the person who raised the case (跟踪问效)."""

    class Value(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY = "basically", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    class Source(models.TextChoices):
        PUBLIC = "public", _("Receipt page")
        PHONE = "phone", _("Phone at follow-up")

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="rating")
    value = models.CharField(_("rating"), max_length=12, choices=Value.choices)
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rated_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self):
        return f"{self.case_id} {self.value}"


def new_receipt() -> str:
    # No 0/O/1/I: read aloud over the phone and typed on a phone keyboard.
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Handoff(models.Model):
    """A hand-over from the court, the police or the petition office (三调对接) and its way back.

    The case it brought is handled like any other; the hand-off keeps the sender's reference, its
    own status and timeline, and what only the sender records (judicial confirmation, filing).
    """

    class Source(models.TextChoices):
        COURT = "court", _("Court (pre-litigation mediation)")
        POLICE = "police", _("Police (110 dispute alert)")
        PETITION = "petition", _("Petition office")

    class State(models.TextChoices):
        # A context of their own: "Received" of a hand-off (签收) is not "Received" of a case (受理).
        SENT = "sent", pgettext_lazy("hand-off status", "Sent")
        RECEIVED = "received", pgettext_lazy("hand-off status", "Received")
        ACCEPTED = "accepted", pgettext_lazy("hand-off status", "Accepted")
        RETURNED = "returned", pgettext_lazy("hand-off status", "Returned")
        CLOSED = "closed", pgettext_lazy("hand-off status", "Closed")
        KEPT = "kept", pgettext_lazy("hand-off status", "Kept at the court")

    class PetitionCategory(models.TextChoices):
        APPEAL = "appeal", _("Appeal or request (申诉求决)")
        DISPUTE = "dispute", _("Dispute (矛盾纠纷)")
        LAW = "law", _("Law and litigation related (涉法涉诉)")

    class Confirmation(models.TextChoices):
        NONE = "", _("Not requested")
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    external_ref = models.CharField(_("external reference"), max_length=64)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, null=True, blank=True, related_name="handoffs"
    )
    center = models.ForeignKey(Center, verbose_name=_("receiving center"), on_delete=models.PROTECT, related_name="+")
    center_code = models.CharField(_("receiving center code"), max_length=12, db_index=True)
    # The court's, police station's or petition office's own seat in the tree (for figures per sender).
    sender_code = models.CharField(_("sender's center code"), max_length=12, db_index=True)
    sender_name = models.CharField(_("sending authority"), max_length=100, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"))
    status = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.SENT)

    # Court: the claim, the amount, the time limit (once extendable), confirmation and filing.
    claim = models.TextField(_("claim"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=200, blank=True)
    confirmation = models.CharField(
        _("judicial confirmation"), max_length=10, choices=Confirmation.choices, blank=True, default=""
    )
    confirmation_at = models.DateTimeField(_("confirmation recorded at"), null=True, blank=True)
    filing_number = models.CharField(_("filing number"), max_length=64, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)

    # Police: when and where the alert came in.
    alert_at = models.DateTimeField(_("alert time"), null=True, blank=True)

    # Petition: its category and how many earlier petitions the same person made (repeat petitions).
    petition_category = models.CharField(
        _("petition category"), max_length=10, choices=PetitionCategory.choices, blank=True
    )
    repeat_count = models.PositiveIntegerField(_("earlier petitions by the same person"), default=0)

    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for the return"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("hand-off")
        verbose_name_plural = _("hand-offs")
        ordering = ["-sent_at", "-id"]
        permissions = [("send_handoff", _("Sent the hand-off (follows it and records the court's steps)"))]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_ref"], name="handoff_ref_unique_per_source"),
            models.CheckConstraint(
                condition=Q(source__in=["court", "police", "petition"]), name="handoff_known_source"
            ),
            models.CheckConstraint(
                condition=Q(status="kept") | Q(case__isnull=False), name="handoff_case_unless_kept_at_court"
            ),
            models.CheckConstraint(
                condition=~Q(source="petition") | ~Q(petition_category=""), name="handoff_petition_has_category"
            ),
        ]
        indexes = [
            models.Index(fields=["source", "sender_code", "-sent_at"], name="handoff_source_sender"),
            models.Index(fields=["source", "center_code", "-sent_at"], name="handoff_source_center"),
            # The dashboard's hand-offs of a period, a county's and a province's, from the index alone.
            models.Index(fields=["center_code", "sent_at"], include=["source", "status"], name="handoff_center_sent"),
            models.Index(fields=["sent_at"], include=["center_code", "source", "status"], name="handoff_sent"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.external_ref}"

    def get_absolute_url(self):
        return reverse("handoff-detail", args=[self.pk])


class HandoffUserObjectPermission(UserObjectPermissionBase):
    """The sender's lasting read access to what it handed over."""

    content_object = models.ForeignKey(Handoff, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("hand-off grant")
        verbose_name_plural = _("hand-off grants")


class HandoffEvent(models.Model):
    """One line of a hand-off's own timeline."""

    handoff = models.ForeignKey(Handoff, verbose_name=_("hand-off"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verb = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("hand-off event")
        verbose_name_plural = _("hand-off events")
        ordering = ["handoff", "at", "id"]

    def __str__(self):
        return f"{self.handoff_id} {self.verb}"


class DiversionRule(models.Model):
    """One line of a court's pre-litigation diversion catalog (诉前调解目录): disputes of this
    category go to a center for mediation first."""

    court_code = models.CharField(_("court's center code"), max_length=12, db_index=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("diversion catalog entry")
        verbose_name_plural = _("diversion catalog")
        ordering = ["court_code", "category"]
        constraints = [models.UniqueConstraint(fields=["court_code", "category"], name="diversion_rule_unique")]

    def __str__(self):
        return f"{self.court_code} {self.category}"


# The early-warning and hotspot models live in their own modules; imported here so Django finds them.
from cases.hotspots.models import Hotspot, HotspotCase  # noqa: E402, F401
from cases.risk.models import CaseRisk, RiskIndicator, RiskMeasure, RiskWarning, WarningTask  # noqa: E402, F401
