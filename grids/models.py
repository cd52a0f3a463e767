"""Grids (网格) and the people who walk them: grid workers and their assignments, police grids (警格)
with their auxiliary officers, patrol visits (走访) and the county's assessment weights (考核).

"人在格中走、事在格中办": a grid is the cell below a village or community center; its worker visits
the households in it and reports what they find, which becomes a case (the cases app links a case
to the visit and the grid it came from).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Left
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from govcenter.models import Center, Department

# A grid's code is its village or community center's 12-digit code and a three-digit serial.
GRID_CODE_LENGTH = 15


class GridKind(models.TextChoices):
    URBAN = "urban", _("Urban community grid")
    RURAL = "rural", _("Rural village-group grid")
    SCHOOL = "school", _("Special grid: school")
    MARKET = "market", _("Special grid: market")
    INDUSTRIAL = "industrial", _("Special grid: industrial park")


# Grid workers are people of the village or the township (code lengths): a grid-worker membership
# higher up walks no grid.
WORKER_SEAT_LENGTHS = (9, 12)

# The households an urban community grid should cover (a grid outside it is flagged, not refused).
HOUSEHOLD_RULE = {GridKind.URBAN: (300, 500)}


class Duty(models.TextChoices):
    """多网合一: the networks whose duties one grid carries at once."""

    PARTY = "party", _("Party building")
    POLITICAL_LEGAL = "political_legal", _("Political and legal affairs")
    GOVERNANCE = "governance", _("Comprehensive governance")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    MARKET = "market", _("Market supervision")
    HEALTH = "health", _("Health")


class SizeFlag(models.TextChoices):
    NONE = "", _("Within the rule")
    SMALL = "small", _("Fewer households than the rule")
    LARGE = "large", _("More households than the rule")


def size_check(kind: str, households: int) -> tuple[str, str]:
    """The size flag of a grid and the reason for it, in the active language: an urban grid should
    cover 300 to 500 households. Flagged, never refused: a high-rise estate or a shrinking village is
    real."""
    rule = HOUSEHOLD_RULE.get(kind)
    if rule is None:
        return SizeFlag.NONE, ""
    low, high = rule
    if low <= households <= high:
        return SizeFlag.NONE, ""
    flag = SizeFlag.SMALL if households < low else SizeFlag.LARGE
    reason = gettext("An urban community grid should cover %(low)d to %(high)d households; this one covers %(n)d.")
    return flag, reason % {"low": low, "high": high, "n": households}


class PoliceGrid(models.Model):
    """A police station's cell (警格) over a set of grids, with its community officer; its auxiliary
    officers are stationed in the villages it covers."""

    center = models.ForeignKey(
        Center, verbose_name=_("township center"), on_delete=models.PROTECT, related_name="police_grids"
    )
    center_code = models.CharField(_("center code"), max_length=12, editable=False)
    station = models.ForeignKey(
        Department,
        verbose_name=_("police station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="police_grids",
    )
    name = models.CharField(_("name"), max_length=100)
    officer_name = models.CharField(_("community police officer"), max_length=50, blank=True)
    officer_phone = models.CharField(_("officer's phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("police grid")
        verbose_name_plural = _("police grids")
        ordering = ["center_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="police_grid_unique_name_per_center"),
            models.CheckConstraint(condition=Q(center_code__length=9), name="police_grid_at_township"),
        ]
        indexes = [models.Index(fields=["center_code"], name="police_grid_center")]

    def __str__(self):
        return self.name


class AuxiliaryOfficer(models.Model):
    """An auxiliary police officer (辅警) of a police grid, stationed in one village (一村一辅警)."""

    police_grid = models.ForeignKey(
        PoliceGrid, verbose_name=_("police grid"), on_delete=models.PROTECT, related_name="auxiliaries"
    )
    village = models.ForeignKey(
        Center, verbose_name=_("village or community"), on_delete=models.PROTECT, related_name="auxiliaries"
    )
    village_code = models.CharField(_("village code"), max_length=12, editable=False)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("auxiliary police officer")
        verbose_name_plural = _("auxiliary police officers")
        ordering = ["village_code", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(village_code__length=12), name="auxiliary_in_village"),
        ]
        indexes = [models.Index(fields=["village_code"], name="auxiliary_village", condition=Q(is_active=True))]

    def __str__(self):
        return self.name


class Grid(models.Model):
    code = models.CharField(_("grid code"), max_length=GRID_CODE_LENGTH, unique=True)
    center = models.ForeignKey(
        Center, verbose_name=_("village or community center"), on_delete=models.PROTECT, related_name="grids"
    )
    center_code = models.CharField(_("center code"), max_length=12, editable=False)
    serial = models.PositiveSmallIntegerField(_("serial"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=GridKind.choices)
    households = models.PositiveIntegerField(_("households"), default=0)
    residents = models.PositiveIntegerField(_("residents"), default=0)
    boundary = models.TextField(_("boundary"), blank=True)
    duties = models.JSONField(_("duties carried (多网合一)"), default=list, blank=True)
    # Flagged when outside HOUSEHOLD_RULE (the rule's reason is `size_reason`), and the center's word.
    size_flag = models.CharField(_("size flag"), max_length=8, choices=SizeFlag.choices, blank=True, default="")
    size_note = models.CharField(_("the center's explanation"), max_length=300, blank=True)
    police_grid = models.ForeignKey(
        PoliceGrid,
        verbose_name=_("police grid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grids",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["center", "serial"], name="grid_unique_serial_per_center"),
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{15}$"), name="grid_code_digits"),
            # Only villages and communities have grids, and a grid's code extends its center's.
            models.CheckConstraint(condition=Q(center_code__length=12), name="grid_under_village"),
            models.CheckConstraint(
                condition=Q(Exact(Left("code", 12), F("center_code"))), name="grid_code_extends_center"
            ),
            models.CheckConstraint(condition=Q(serial__gte=1, serial__lte=999), name="grid_serial_range"),
            models.CheckConstraint(condition=Q(kind__in=GridKind.values), name="grid_known_kind"),
            models.CheckConstraint(condition=Q(size_flag__in=SizeFlag.values), name="grid_known_size_flag"),
            # Every household has someone living in it.
            models.CheckConstraint(condition=Q(residents__gte=F("households")), name="grid_residents_cover_households"),
        ]
        indexes = [models.Index(fields=["center_code", "serial"], name="grid_center_serial")]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def get_absolute_url(self):
        return reverse("grid-detail", args=[self.code])

    @property
    def size_reason(self) -> str:
        """Why the grid is flagged, in the reader's language (said by the rule, not stored)."""
        return size_check(self.kind, self.households)[1] if self.size_flag else ""


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")


class GridAssignment(models.Model):
    """A grid worker on a grid from `started_at` until `ended_at`; a reassignment ends one row and
    starts another, so the history stays."""

    grid = models.ForeignKey(Grid, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="assignments")
    center_code = models.CharField(_("center code"), max_length=12, editable=False)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("grid worker"), on_delete=models.PROTECT, related_name="grid_duties"
    )
    employment = models.CharField(_("employment"), max_length=10, choices=Employment.choices)
    started_at = models.DateTimeField(pgettext_lazy("assignment", "from"))
    ended_at = models.DateTimeField(pgettext_lazy("assignment", "until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")
        ordering = ["grid", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "worker"], condition=Q(ended_at__isnull=True), name="grid_assignment_one_open"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="grid_assignment_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(employment__in=Employment.values), name="grid_assignment_employment"),
        ]
        indexes = [
            models.Index(fields=["worker", "started_at"], name="grid_assignment_worker"),
            models.Index(fields=["center_code"], name="grid_assignment_open", condition=Q(ended_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.worker} · {self.grid}"


class Finding(models.TextChoices):
    NOTHING = "nothing", _("Nothing to report")
    REQUEST = "request", _("A request for help")
    DISPUTE = "dispute", _("A dispute")
    RISK = "risk", _("A risk")


class VisitTarget(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    PLACE = "place", pgettext_lazy("visited", "Place")
    BUSINESS = "business", _("Shop or business")
    PERSON = "person", _("Person under care")


def visit_photo_path(visit: "Visit", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"visits/{visit.center_code[:6]}/{uuid.uuid4().hex}.{extension}"


class Visit(models.Model):
    """A patrol visit (走访) by a grid worker to a household or place in one of their grids."""

    grid = models.ForeignKey(Grid, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="visits")
    center_code = models.CharField(_("center code"), max_length=12, editable=False)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("grid worker"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_at = models.DateTimeField(_("visited at"))
    target = models.CharField(_("visited"), max_length=10, choices=VisitTarget.choices, default=VisitTarget.HOUSEHOLD)
    place = models.CharField(pgettext_lazy("visit", "where"), max_length=200)
    person = models.CharField(_("whom"), max_length=100, blank=True)
    finding = models.CharField(_("finding"), max_length=10, choices=Finding.choices, default=Finding.NOTHING)
    notes = models.TextField(_("what was found"), blank=True)
    photo = models.FileField(_("photo"), upload_to=visit_photo_path, max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("patrol visit")
        verbose_name_plural = _("patrol visits")
        ordering = ["-visited_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(finding__in=Finding.values), name="visit_known_finding"),
            models.CheckConstraint(condition=Q(target__in=VisitTarget.values), name="visit_known_target"),
        ]
        indexes = [
            models.Index(fields=["center_code", "-visited_at"], name="visit_center_time"),
            models.Index(fields=["worker", "-visited_at"], name="visit_worker_time"),
            models.Index(fields=["grid", "-visited_at"], name="visit_grid_time"),
        ]

    def __str__(self):
        return f"{self.grid.name} · {self.place}"


class AssessmentPolicy(models.Model):
    """A county center's weights for the monthly assessment of its grid workers (网格员考核).

    The score is out of 100: each measure gives its weight times how far it was met (visits against
    the monthly target, findings against theirs, the on-time shares), and measures with nothing to
    count that month (no case to resolve, no warning to visit) drop out, their weight shared out.
    """

    center = models.OneToOneField(
        Center, verbose_name=_("county center"), on_delete=models.PROTECT, related_name="grid_assessment_policy"
    )
    center_code = models.CharField(_("center code"), max_length=12, editable=False, unique=True)
    visits_target = models.PositiveIntegerField(_("visits expected a month"), default=20)
    findings_target = models.PositiveIntegerField(_("findings expected a month"), default=2)
    weight_visits = models.PositiveSmallIntegerField(_("weight of visits"), default=40)
    weight_findings = models.PositiveSmallIntegerField(_("weight of findings"), default=20)
    weight_on_time = models.PositiveSmallIntegerField(_("weight of cases resolved in time"), default=25)
    weight_warnings = models.PositiveSmallIntegerField(_("weight of warnings visited in time"), default=15)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("grid assessment weights")
        verbose_name_plural = _("grid assessment weights")
        constraints = [
            models.CheckConstraint(condition=Q(center_code__length=6), name="assessment_policy_at_county"),
            models.CheckConstraint(
                condition=Q(weight_visits__gt=0)
                | Q(weight_findings__gt=0)
                | Q(weight_on_time__gt=0)
                | Q(weight_warnings__gt=0),
                name="assessment_policy_some_weight",
            ),
            models.CheckConstraint(
                condition=Q(visits_target__gte=1, findings_target__gte=1), name="assessment_policy_targets"
            ),
        ]

    def __str__(self):
        return str(self.center)
