"""The red/black list (红黑榜): a county's (or city's) scheme of weighted indicators and cut-offs, and
the monthly lists it publishes as frozen snapshots; export jobs and the files they make."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from govcenter.models import Center


class Area(models.TextChoices):
    """The four areas a township is ranked on."""

    SCREENING = "screening", _("Dispute screening")
    SECURITY = "security", _("Public security")
    PETITION = "petition", _("Petition handling")
    HOMICIDE = "homicide", _("Homicide-risk governance")


class RankingScheme(models.Model):
    """How a county ranks its townships (or a city its counties): the indicators and their weights
    (summing to 100) and the cut-offs: a score at or above `red_cutoff` is on the red list (praised), one
    below `black_cutoff` on the black list."""

    center = models.OneToOneField(
        Center, verbose_name=_("center"), on_delete=models.PROTECT, related_name="ranking_scheme"
    )
    center_code = models.CharField(_("center code"), max_length=12, unique=True, editable=False)
    red_cutoff = models.DecimalField(_("red list from score"), max_digits=5, decimal_places=1, default=85)
    black_cutoff = models.DecimalField(_("black list below score"), max_digits=5, decimal_places=1, default=60)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ranking scheme")
        verbose_name_plural = _("ranking schemes")
        constraints = [
            models.CheckConstraint(condition=Q(center_code__length__in=[4, 6]), name="ranking_scheme_city_or_county"),
            models.CheckConstraint(
                condition=Q(black_cutoff__gte=0, red_cutoff__lte=100, black_cutoff__lte=models.F("red_cutoff")),
                name="ranking_scheme_cutoffs_ordered",
            ),
        ]

    def __str__(self):
        return str(self.center)


class RankingWeight(models.Model):
    """One indicator of a scheme with its weight (points out of the 100)."""

    scheme = models.ForeignKey(
        RankingScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="weights"
    )
    indicator = models.CharField(_("indicator"), max_length=40)
    weight = models.PositiveSmallIntegerField(_("weight"))

    class Meta:
        verbose_name = _("ranking weight")
        verbose_name_plural = _("ranking weights")
        ordering = ["scheme", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="ranking_weight_unique_indicator"),
            models.CheckConstraint(condition=Q(weight__lte=100), name="ranking_weight_at_most_100"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.weight}"


class RankingPublication(models.Model):
    """A published month's list: the scheme as it was and every unit's figures, score and rank, frozen.
    Never recomputed; the next month's list compares against it."""

    center = models.ForeignKey(Center, verbose_name=_("center"), on_delete=models.PROTECT, related_name="+")
    center_code = models.CharField(_("center code"), max_length=12, editable=False)
    month = models.DateField(_("month"))
    scheme = models.JSONField(_("scheme as published"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("published ranking")
        verbose_name_plural = _("published rankings")
        ordering = ["center_code", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["center", "month"], name="ranking_publication_once_a_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="ranking_publication_first_of_month"),
        ]

    def __str__(self):
        return f"{self.center_code} {self.month:%Y-%m}"


class RankingEntry(models.Model):
    class Mark(models.TextChoices):
        RED = "red", _("Red list")
        BLACK = "black", _("Black list")
        NONE = "", _("Neither")

    publication = models.ForeignKey(
        RankingPublication, verbose_name=_("published ranking"), on_delete=models.PROTECT, related_name="entries"
    )
    unit_code = models.CharField(_("unit code"), max_length=12)
    unit_name = models.CharField(_("unit name"), max_length=100)
    # Both empty for a unit with nothing to count that month: listed, neither ranked nor marked.
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    area_scores = models.JSONField(_("scores by area"))
    figures = models.JSONField(_("figures"))
    mark = models.CharField(_("list"), max_length=5, choices=Mark.choices, blank=True)
    previous_rank = models.PositiveSmallIntegerField(_("last month's rank"), null=True, blank=True)

    class Meta:
        verbose_name = _("ranking entry")
        verbose_name_plural = _("ranking entries")
        ordering = ["publication", F("rank").asc(nulls_last=True), "unit_code"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "unit_code"], name="ranking_entry_unique_unit"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.unit_name}"


def export_folder(job: "ExportJob") -> str:
    """One folder per job: a retried build empties it first, so an attempt killed half-way leaves no
    file behind (`reports.exports`)."""
    return f"exports/{job.created_at:%Y/%m}/{job.pk}"


def export_path(job: "ExportJob", filename: str) -> str:
    return f"{export_folder(job)}/{filename}"


class ExportJob(models.Model):
    """A file made in the background for its owner (a dossier, a report, a ZIP of dossiers), with its
    progress; kept until `expires_at`, then deleted by the sweep."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="exports"
    )
    kind = models.CharField(_("kind"), max_length=32)
    params = models.JSONField(_("parameters"), default=dict)
    center_code = models.CharField(_("center code"), max_length=12, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=export_path, max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_percent"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="export_known_status"
            ),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"], name="export_owner_created")]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class NowSnapshot(models.Model):
    """What is true now under a center at county level or above — grid coverage, the overdue
    cases of the command post and the mediators' load — counted by the background worker every few minutes
    (`reports.snapshots`). Counted live for a province these read every grid, village and overdue
    case on each view of the dashboard; they change slowly."""

    center_code = models.CharField(_("center code"), max_length=12, unique=True)
    computed_at = models.DateTimeField(_("computed at"))
    data = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")

    def __str__(self):
        return f"{self.center_code} @ {self.computed_at:%Y-%m-%d %H:%M}"


class CaseMonthCount(models.Model):
    """The dashboard's case groupings (reports.counting) of one county, city or the province for
    one whole month, rolled up by the background worker (`reports.rollups`): a province's year is
    then a few thousand rows instead of a third of a million cases."""

    center_code = models.CharField(_("center code"), max_length=12)
    month = models.DateField(_("month"))
    grouping = models.CharField(_("grouping"), max_length=10)
    channel = models.CharField(max_length=12, null=True)
    kind = models.CharField(max_length=10, null=True)
    category_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=16, null=True)
    is_overdue = models.BooleanField(null=True)
    resolved_level = models.PositiveSmallIntegerField(null=True)
    n = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("monthly case count")
        verbose_name_plural = _("monthly case counts")
        indexes = [models.Index(fields=["center_code", "month"], name="case_month_count_center")]

    def __str__(self):
        return f"{self.center_code} {self.month:%Y-%m} {self.grouping}: {self.n}"


class RollupStamp(models.Model):
    """When a rollup was last refreshed (its name: which part of it)."""

    name = models.CharField(max_length=40, unique=True)
    computed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} @ {self.computed_at:%Y-%m-%d %H:%M}"
