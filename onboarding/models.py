"""Going live: the record of every import (who, what, which file, what it changed) and the identity
details the rosters bring for staff accounts."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def import_path(run: "ImportRun", filename: str) -> str:
    # Stored like the export files: a folder per month and a random folder per file.
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class ImportRun(models.Model):
    """One upload of a spreadsheet (a division list or a roster), previewed or applied, with the file
    kept as it came so what was imported can always be shown and re-read.

    Uploaded through a page or the API it is a background job (`govcenter.jobs`): queued, running
    with its progress, then ended as a dry run, imported, refused or failed. A management command
    imports at once and records only the end."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("import", "Queued")
        RUNNING = "running", pgettext_lazy("import", "Importing")
        PREVIEWED = "previewed", _("Dry run")
        APPLIED = "applied", _("Imported")
        REFUSED = "refused", pgettext_lazy("import", "Refused")
        FAILED = "failed", pgettext_lazy("import", "Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("kind"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The subtree the import worked in: the common ancestor of its rows' centers.
    center_code = models.CharField(_("center code"), max_length=12, blank=True, db_index=True)
    # The subtree asked for (a division list's --province), kept so a dry run is carried out alike.
    root = models.CharField(_("subtree imported"), max_length=12, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # What was asked for: a dry run only shows what the file would change.
    dry_run = models.BooleanField(_("dry run"), default=False)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The language of the person who asked: the row errors and messages are written in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    file = models.FileField(_("file"), upload_to=import_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # Every row error (row, column, value, message), so the error report can be made again later.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # What the import did or, for a dry run, would do: every change but the unchanged rows.
    changes = models.JSONField(_("changes"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    seconds = models.FloatField(_("seconds"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "previewed", "applied", "refused", "failed"]),
                name="import_run_known_status",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_run_progress_percent"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} {self.filename}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class StaffIdentity(models.Model):
    """A staff account's identity number and phone as a roster gave them: a person is one account,
    so the same identity number under a second username is refused."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="identity"
    )
    id_number = models.CharField(_("identity number"), max_length=18, null=True, blank=True, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("staff identity")
        verbose_name_plural = _("staff identities")

    def __str__(self):
        return str(self.user)
