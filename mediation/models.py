"""Mediation: the roster of organisations and mediators, their assignment to cases, sessions,
agreements (人民调解协议书) with their terms, and the fulfilment of each term."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Category, Party
from govcenter.models import Center


class MediationOrg(models.Model):
    class Kind(models.TextChoices):
        COURT_STATIONED = "court_stationed", _("Court-stationed mediation")
        COMMITTEE = "committee", _("People's mediation committee")
        INDUSTRY = "industry", _("Industry or professional mediation")
        PERSONAL_ROOM = "personal_room", _("Personal mediation room")
        EXPERT_TEAM = "expert_team", _("Expert team")
        SOCIAL = "social", _("Social force")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    center = models.ForeignKey(Center, verbose_name=_("stationed at"), on_delete=models.PROTECT, related_name="+")
    center_code = models.CharField(_("center code"), max_length=12, db_index=True)
    # The short name used in agreement numbers, e.g. 城关人调〔2026〕123号.
    short_name = models.CharField(_("short name for document numbers"), max_length=20, unique=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_public = models.BooleanField(_("in the public roster"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mediation organisation")
        verbose_name_plural = _("mediation organisations")
        ordering = ["center_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="mediation_org_unique_name_per_center"),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["court_stationed", "committee", "industry", "personal_room", "expert_team", "social"]
                ),
                name="mediation_org_known_kind",
            ),
        ]

    def __str__(self):
        return self.name


class Mediator(models.Model):
    """A mediator on the roster. Those who log in have a user (with the mediator role); the roster
    also lists volunteers without an account."""

    org = models.ForeignKey(
        MediationOrg, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="mediators"
    )
    center_code = models.CharField(_("center code"), max_length=12, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mediator",
    )
    name = models.CharField(_("name"), max_length=60)
    specialties = models.ManyToManyField(Category, verbose_name=_("specialties"), blank=True, related_name="+")
    certificate = models.CharField(_("certificate number"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_chief_consultant = models.BooleanField(_("chief legal consultant"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["center_code", "name"]

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """A mediator on a case. While it stands, a mediator with an account has the case (an object
    grant); ending it takes the grant away."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="mediator_assignments"
    )
    mediator = models.ForeignKey(
        Mediator, verbose_name=_("mediator"), on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"))
    reasons = models.JSONField(_("why suggested"), default=list, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["case", "assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "mediator"], condition=Q(ended_at__isnull=True), name="assignment_one_live_per_mediator"
            )
        ]
        indexes = [models.Index(fields=["mediator", "ended_at"], name="assignment_mediator_live")]

    def __str__(self):
        return f"{self.case_id} · {self.mediator_id}"


class MediationSession(models.Model):
    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("To be continued")
        AGREED = "agreed", _("Agreement reached")
        FAILED = "failed", _("No agreement")
        WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200)
    mediators = models.ManyToManyField(Mediator, verbose_name=_("mediators"), related_name="sessions")
    attendees = models.TextField(_("who attended"))
    notes = models.TextField(_("what was said"))
    next_steps = models.TextField(_("next steps"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["case", "held_at"]

    def __str__(self):
        return f"{self.case_id} {self.held_at:%Y-%m-%d}"


class Agreement(models.Model):
    """A people's mediation agreement (人民调解协议书, 人民调解法 Art. 29). Signed on paper; once the
    signed scan is uploaded it is locked, and a correction is a new version that supersedes it."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        SUPERSEDED = "superseded", _("Superseded")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="agreements")
    org = models.ForeignKey(
        MediationOrg, verbose_name=_("mediation organisation"), on_delete=models.PROTECT, related_name="+"
    )
    center_code = models.CharField(_("center code"), max_length=12, db_index=True)
    number = models.CharField(_("agreement number"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    status = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.DRAFT)
    mediators = models.ManyToManyField(Mediator, verbose_name=_("mediators"), related_name="agreements")
    facts = models.TextField(_("main facts"))
    disputed_matters = models.TextField(_("matters in dispute"))
    responsibilities = models.TextField(_("each party's responsibility"), blank=True)
    copies = models.PositiveSmallIntegerField(_("number of copies"), default=3)
    signed_at = models.DateField(_("signed on"), null=True, blank=True)
    signed_scan = models.FileField(_("signed scan"), upload_to="agreements/", max_length=200, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "serial", "version"], name="agreement_serial_unique"),
            models.CheckConstraint(condition=Q(copies__gte=2), name="agreement_at_least_two_copies"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False), name="agreement_signed_has_a_date"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_locked(self) -> bool:
        return self.status != self.State.DRAFT


class AgreementParty(models.Model):
    """A party as the agreement names it: the case's party with the details the format requires."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="parties"
    )
    party = models.ForeignKey(Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=12, choices=Party.Role.choices)
    party_kind = models.CharField(_("party kind"), max_length=12, choices=Party.PartyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=4, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    id_number = models.CharField(_("identity number"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    agent = models.CharField(_("agent"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("party to the agreement")
        verbose_name_plural = _("parties to the agreement")
        ordering = ["agreement", "role", "id"]

    def __str__(self):
        return self.name


class AgreementTerm(models.Model):
    """One numbered term: what is done, how, where and by when; and whether it was."""

    class Fulfilment(models.TextChoices):
        PENDING = "pending", _("Not yet due or not checked")
        FULFILLED = "fulfilled", _("Fulfilled")
        PARTLY = "partly", _("Partly fulfilled")
        NOT = "not", _("Not fulfilled")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="terms"
    )
    position = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("what is agreed"))
    manner = models.CharField(_("how"), max_length=200, blank=True)
    place = models.CharField(_("where"), max_length=200, blank=True)
    due_date = models.DateField(_("by when"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    fulfilment = models.CharField(
        _("fulfilment"), max_length=10, choices=Fulfilment.choices, default=Fulfilment.PENDING
    )
    checked_at = models.DateField(_("checked on"), null=True, blank=True)
    fulfilment_note = models.CharField(_("fulfilment note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("agreement term")
        verbose_name_plural = _("agreement terms")
        ordering = ["agreement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "position"], name="agreement_term_position_unique"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="agreement_term_amount"),
        ]

    def __str__(self):
        return f"{self.agreement_id} 第{self.position}条"
