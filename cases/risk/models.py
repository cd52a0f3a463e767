"""The data of early warning: the indicators (editable in the admin) and each case's current score."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import in_reader_language


class RuleKind(models.TextChoices):
    ATTRIBUTE = "attribute", _("A case attribute")
    HISTORY = "history", _("A history count")
    AGE = "age", _("How long the case has been open")
    LINK = "link", _("A link to another channel")
    KEYWORD = "keyword", _("A keyword in the facts or the records")
    PERSON = "person", _("A flag on a party")


class PersonFlag(models.TextChoices):
    """What the intake may note on a party for early warning (kept from everyone who may not see the
    parties in full)."""

    MENTAL_ILLNESS = "mental_illness", _("Severe mental disorder, under care")
    RELEASED = "released", _("Recently released from prison")
    DRUG = "drug", _("Drug user")
    EXTREMISM = "extremism", _("Extreme views or behaviour")
    DISABILITY = "disability", _("Disability")
    LEFT_BEHIND = "left_behind", _("Left-behind elderly or child")
    UNEMPLOYED = "unemployed", _("Unemployed, in hardship")


class RiskLevel(models.TextChoices):
    NONE = "", _("No risk")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


class RiskIndicator(models.Model):
    """One sign that a dispute may turn violent, with its weight (points added to the score) and its
    rule: a kind and the parameters that kind takes (see cases.risk.rules)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind of rule"), max_length=10, choices=RuleKind.choices)
    params = models.JSONField(_("rule parameters"), default=dict)
    weight = models.PositiveSmallIntegerField(_("weight"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("risk indicator")
        verbose_name_plural = _("risk indicators")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=100), name="risk_indicator_weight_range"),
            models.CheckConstraint(condition=Q(kind__in=RuleKind.values), name="risk_indicator_known_kind"),
        ]

    def __str__(self):
        return f"{self.name}（{self.weight}）"

    def clean(self):
        from django.core.exceptions import ValidationError

        from cases.risk.rules import RuleError, check_rule

        try:
            self.params = check_rule(self.kind, self.params)
        except RuleError as error:
            raise ValidationError({"params": str(error)}) from error

    @property
    def label(self) -> str:
        """The name in the active language (indicators are data, so they carry both, as categories)."""
        return in_reader_language(self.name, self.name_en)


class CaseRisk(models.Model):
    """A case's risk as last scored: the points, the level and the indicators that fired, each with
    the fact that made it fire (kept untranslated, shown in the reader's language: see
    cases.risk.presenters)."""

    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="risk")
    center_code = models.CharField(_("center code"), max_length=12)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    level = models.CharField(_("level"), max_length=6, choices=RiskLevel.choices, blank=True, default="")
    fired = models.JSONField(_("indicators that fired"), default=list, blank=True)
    computed_at = models.DateTimeField(_("scored at"))

    class Meta:
        verbose_name = _("case risk")
        verbose_name_plural = _("case risks")
        constraints = [models.CheckConstraint(condition=Q(level__in=RiskLevel.values), name="case_risk_known_level")]
        indexes = [
            models.Index(fields=["center_code", "-score"], name="case_risk_center", condition=~Q(level="")),
        ]

    def __str__(self):
        return f"{self.case_id}: {self.score}"

    @property
    def fired_for_reader(self) -> list[dict]:
        """The indicators that fired, each with why in the active language (as pages show them)."""
        from cases.risk.presenters import reasons_shown

        return reasons_shown(self.fired)


class WarningStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RiskWarning(models.Model):
    """A warning raised when a case reached a level at or above the threshold: tasks for the grid
    worker of the place, the police station and the judicial office to visit in time, and the
    measures taken until the risk is defused."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="warnings")
    center_code = models.CharField(_("center code"), max_length=12)
    level = models.CharField(_("level"), max_length=6, choices=RiskLevel.choices)
    score = models.PositiveSmallIntegerField(_("score when raised"))
    reasons = models.JSONField(_("indicators that fired"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=6, choices=WarningStatus.choices, default=WarningStatus.OPEN)
    raised_at = models.DateTimeField(_("raised at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    close_note = models.TextField(_("how the risk was defused"), blank=True)

    class Meta:
        verbose_name = _("risk warning")
        verbose_name_plural = _("risk warnings")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=["yellow", "orange", "red"]), name="risk_warning_level"),
            models.CheckConstraint(condition=Q(status__in=WarningStatus.values), name="risk_warning_status"),
            # One open warning per case: a higher level updates it rather than raising another.
            models.UniqueConstraint(fields=["case"], condition=Q(status="open"), name="risk_warning_one_open_per_case"),
        ]
        indexes = [models.Index(fields=["center_code", "-raised_at"], name="risk_warning_center")]

    def __str__(self):
        return f"{self.case_id} {self.level}"

    @property
    def reasons_for_reader(self) -> list[dict]:
        """The indicators that fired, each with why in the active language (as pages show them)."""
        from cases.risk.presenters import reasons_shown

        return reasons_shown(self.reasons)


class WarningTask(models.Model):
    """Visit the people of a warned case within the level's hours: one task each for the grid worker
    of the place, the police station and the judicial office."""

    class Party(models.TextChoices):
        GRID = "grid", _("Grid worker")
        POLICE = "police", _("Police station")
        JUSTICE = "justice", _("Judicial office")

    warning = models.ForeignKey(RiskWarning, verbose_name=_("warning"), on_delete=models.CASCADE, related_name="tasks")
    center_code = models.CharField(_("center code"), max_length=12)
    party = models.CharField(_("who visits"), max_length=8, choices=Party.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        "govcenter.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_at = models.DateTimeField(_("visit by"))
    done_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("what the visit found"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("warning task")
        verbose_name_plural = _("warning tasks")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["warning", "party"], name="warning_task_one_per_party"),
            models.CheckConstraint(condition=Q(party__in=["grid", "police", "justice"]), name="warning_task_party"),
        ]
        indexes = [models.Index(fields=["due_at"], name="warning_task_open", condition=Q(done_at__isnull=True))]

    def __str__(self):
        return f"{self.warning_id} {self.party}"


class RiskMeasure(models.Model):
    """What was done about a warned case (调解、心理疏导、专人稳控、帮扶救助…)."""

    class Kind(models.TextChoices):
        MEDIATION = "mediation", _("Mediation")
        COUNSELLING = "counselling", _("Psychological counselling")
        WATCH = "watch", _("A person in charge keeps watch")
        ASSISTANCE = "assistance", _("Assistance and relief")
        OTHER = "other", _("Other")

    warning = models.ForeignKey(
        RiskWarning, verbose_name=_("warning"), on_delete=models.CASCADE, related_name="measures"
    )
    kind = models.CharField(_("measure"), max_length=12, choices=Kind.choices)
    note = models.TextField(_("what was done"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        verbose_name = _("risk measure")
        verbose_name_plural = _("risk measures")
        ordering = ["taken_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["mediation", "counselling", "watch", "assistance", "other"]),
                name="risk_measure_kind",
            )
        ]

    def __str__(self):
        return f"{self.warning_id} {self.kind}"
