"""A hotspot: cases of one county, received within hours of each other, that share key terms and came
through several channels or from several people."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class HotspotStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MERGED = "merged", _("Merged into one case")
    DISMISSED = "dismissed", _("Dismissed")


class Hotspot(models.Model):
    county_code = models.CharField(_("county code"), max_length=6)
    # The main terms, strongest first; `key` is their stable form, used to find the hotspot again.
    terms = models.JSONField(_("key terms"), default=list)
    key = models.CharField(_("key"), max_length=200)
    window_start = models.DateTimeField(_("first case received"))
    window_end = models.DateTimeField(_("last case received"))
    channels = models.JSONField(_("channels"), default=list)
    reporter_count = models.PositiveIntegerField(_("people reporting"), default=0)
    case_count = models.PositiveIntegerField(_("cases"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=HotspotStatus.choices, default=HotspotStatus.OPEN)
    detected_at = models.DateTimeField(_("detected at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("cases"), through="HotspotCase", related_name="hotspots"
    )
    merged_into = models.ForeignKey(
        "cases.Case",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("hotspot")
        verbose_name_plural = _("hotspots")
        ordering = ["-window_end", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=HotspotStatus.values), name="hotspot_known_status"),
            models.CheckConstraint(condition=Q(window_start__lte=models.F("window_end")), name="hotspot_window"),
        ]
        indexes = [
            models.Index(fields=["county_code", "-window_end"], name="hotspot_county_window"),
            models.Index(fields=["status", "-window_end"], name="hotspot_status_window"),
        ]

    def __str__(self):
        return f"{self.county_code} {'、'.join(self.terms)}"

    def get_absolute_url(self):
        return reverse("hotspot-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == HotspotStatus.OPEN


class HotspotCase(models.Model):
    hotspot = models.ForeignKey(Hotspot, verbose_name=_("hotspot"), on_delete=models.CASCADE, related_name="links")
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("case of a hotspot")
        verbose_name_plural = _("cases of hotspots")
        constraints = [models.UniqueConstraint(fields=["hotspot", "case"], name="hotspot_case_unique")]

    def __str__(self):
        return f"{self.hotspot_id}: {self.case_id}"
