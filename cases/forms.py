"""Forms of the case pages: intake, the public report, the receipt and its rating, and the choices
the workflow forms on a case page offer; the hand-off (三调对接) forms of the court, the police and
the petition office, and the court's file import. Forms only parse input; the services decide."""

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, get_supported_language_variant
from django.utils.translation import gettext_lazy as _

from cases import hooks, selectors, services
from cases.models import Case, Category, Channel, Handoff, Kind, Party, Rating, Severity
from govcenter import access
from govcenter import selectors as core_selectors
from govcenter.access import Action
from govcenter.divisions import Level, lineage, minimal_roots, subtree_q, subtrees_q
from govcenter.models import Center, Department, Membership, Role

# A select stops being usable beyond this; larger scopes type the division code instead.
MAX_CENTER_OPTIONS = 400


# --- Choices --------------------------------------------------------------------------------------


def category_choices(categories=None) -> list:
    """Active categories grouped by their top-level type: one <optgroup> per type, the type itself
    first (for "not more precise than that"), then its sub-types."""
    categories = list(selectors.categories_active() if categories is None else categories)
    tops = [c for c in categories if c.parent_id is None]
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    groups = []
    for top in tops:
        options = [(top.code, _("%(name)s (in general)") % {"name": top.label})]
        options += [(child.code, child.label) for child in children.get(top.pk, [])]
        groups.append((f"{top.get_group_display()} · {top.label}", options))
    return groups


# The case list's filter offers every category on every view; they change seldom (in the admin).
CATEGORY_CHOICES_SECONDS = 300
CATEGORY_CHOICES_KEY = "cases:category-choices"


def category_choices_cached() -> list:
    """`category_choices()` of the active language, kept for a few minutes in the cache (a change in
    the admin forgets it at once where the cache is shared, and within CATEGORY_CHOICES_SECONDS in
    the other processes of a per-process cache)."""
    language = get_supported_language_variant(get_language() or settings.LANGUAGE_CODE)
    return cache.get_or_set(f"{CATEGORY_CHOICES_KEY}:{language}", category_choices, CATEGORY_CHOICES_SECONDS)


def forget_category_choices(**kwargs) -> None:
    """After a category changed, once its change is committed (a request meanwhile would keep the old)."""
    keys = [f"{CATEGORY_CHOICES_KEY}:{code}" for code, _name in settings.LANGUAGES]
    transaction.on_commit(lambda: cache.delete_many(keys))


def intake_centers(user):
    """The centers where the user may record a case: their own and those below, from county level down."""
    centers = Center.objects.filter(is_active=True, level__gte=Level.COUNTY)
    if not getattr(user, "is_superuser", False):
        roots = access.roots(user, Action.CASE_CREATE)
        if not roots:
            return centers.none()
        centers = centers.filter(subtrees_q("code", roots))
    return centers.order_by("code")


def center_label(center: Center) -> str:
    indent = "\u3000" * max(0, center.level - Level.COUNTY)
    return f"{indent}{center.name}（{center.code}）"


def department_choices(case: Case, user) -> list[tuple[int, str]]:
    """Departments a case can be dispatched to: at its center and the centers above it."""
    codes = lineage(case.center_code)
    departments = (
        core_selectors.department_list_visible(user=user)
        .filter(center_code__in=codes, is_active=True)
        .order_by("-center_code", "name")
    )
    return [(d.pk, f"{d.name}（{d.center.name}）") for d in departments]


def mediator_choices(case: Case) -> list[tuple[str, str]]:
    """Users holding the mediator role at the case's center or above it."""
    codes = lineage(case.center_code)
    seats = (
        Membership.objects.filter(role=Role.MEDIATOR, is_active=True, center_code__in=codes)
        .select_related("user", "center")
        .order_by("-center_code", "user__username")
    )
    seen, choices = set(), []
    for seat in seats:
        if seat.user.username not in seen:
            seen.add(seat.user.username)
            name = seat.user.first_name or seat.user.username
            choices.append((seat.user.username, f"{name}（{seat.center.name}）"))
    return choices


def centers_below_choices(case: Case) -> list[tuple[str, str]]:
    """Where a case can be sent down to: the active centers below its handling center."""
    centers = (
        Center.objects.filter(subtree_q("code", case.center_code), is_active=True)
        .exclude(code=case.center_code)
        .order_by("code")[:MAX_CENTER_OPTIONS]
    )
    return [(c.code, center_label(c)) for c in centers]


# --- Intake ---------------------------------------------------------------------------------------


class CaseIntakeForm(forms.Form):
    center = forms.CharField(label=_("Center"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.DISPUTE)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.WALK_IN)
    category = forms.ChoiceField(label=_("Category"), required=False)
    title = forms.CharField(label=_("Summary"), max_length=200)
    facts = forms.CharField(label=_("Facts"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Amount in dispute (yuan)"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    people_count = forms.IntegerField(label=_("People involved"), min_value=1, max_value=100000, initial=1)
    is_group_incident = forms.BooleanField(label=_("Group incident"), required=False)
    is_petition_related = forms.BooleanField(label=_("Petition-related"), required=False)
    is_emergency = forms.BooleanField(label=_("Emergency"), required=False)
    is_difficult = forms.BooleanField(label=_("Especially difficult"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)

    FLAGS = ("is_group_incident", "is_petition_related", "is_emergency", "is_difficult")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.centers = intake_centers(user)
        center_field = self.fields["center"]
        few = list(self.centers[: MAX_CENTER_OPTIONS + 1])
        if len(few) <= MAX_CENTER_OPTIONS:
            center_field.widget = forms.Select(choices=[(c.code, center_label(c)) for c in few])
        else:
            center_field.help_text = _("Type the division code of the center.")
            center_field.widget.attrs.update({"inputmode": "numeric", "maxlength": 12})
        own = [code for code in access.roots(user, Action.CASE_CREATE) if len(code) >= 6]
        if own:
            center_field.initial = own[0]
        categories = list(selectors.categories_active())
        self._categories = {c.code: c for c in categories}
        self.fields["category"].choices = [("", _("Not yet known")), *category_choices(categories)]

    def clean_center(self) -> Center:
        code = self.cleaned_data["center"].strip()
        center = self.centers.filter(code=code).first()
        if center is None:
            raise forms.ValidationError(_("You may not record cases at the center %(code)s.") % {"code": code})
        return center

    def clean_category(self) -> Category | None:
        code = self.cleaned_data.get("category")
        return self._categories.get(code) if code else None

    def case_input(self, parties: list[services.PartyInput]) -> services.CaseInput:
        data = self.cleaned_data
        return services.CaseInput(
            kind=data["kind"],
            channel=data["channel"],
            title=data["title"],
            facts=data["facts"],
            category=data["category"],
            place=data["place"],
            amount=data["amount"],
            people_count=data["people_count"],
            is_group_incident=data["is_group_incident"],
            is_petition_related=data["is_petition_related"],
            is_emergency=data["is_emergency"],
            is_difficult=data["is_difficult"],
            severity=data["severity"],
            parties=parties,
        )


class PartyForm(forms.Form):
    """One party block; a block left empty does not count (except the applicant's, which must be filled)."""

    party_kind = forms.ChoiceField(
        label=_("Person or organisation"), choices=Party.PartyKind.choices, initial=Party.PartyKind.PERSON
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    id_number = forms.CharField(
        label=_("Identity number"), max_length=30, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def __init__(self, *args, role: str, required: bool = False, **kwargs):
        super().__init__(*args, prefix=role, **kwargs)
        self.role = role
        self.required = required
        self.title = Party.Role(role).label
        self.fields["name"].required = required

    @property
    def filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in ("name", "id_number", "phone", "address"))

    def clean(self):
        data = super().clean()
        if self.filled and not data.get("name", "").strip():
            self.add_error("name", _("Give the name of this party, or leave the whole block empty."))
        return data

    def party_input(self) -> services.PartyInput | None:
        if not self.filled:
            return None
        data = self.cleaned_data
        return services.PartyInput(
            role=self.role,
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
            address=data["address"],
            party_kind=data["party_kind"],
        )


def party_forms(data=None) -> list[PartyForm]:
    return [
        PartyForm(data, role=Party.Role.APPLICANT, required=True),
        PartyForm(data, role=Party.Role.RESPONDENT),
        PartyForm(data, role=Party.Role.THIRD_PARTY),
    ]


# --- Public ---------------------------------------------------------------------------------------


class PublicReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[(Kind.REQUEST, Kind.REQUEST.label), (Kind.DISPUTE, Kind.DISPUTE.label), (Kind.RISK, Kind.RISK.label)],
        initial=Kind.REQUEST,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("In one sentence"), max_length=200)
    facts = forms.CharField(label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    place = forms.CharField(label=_("Where"), max_length=200, required=False)
    name = forms.CharField(label=_("Your name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        label=_("Your phone number"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    preferred = forms.ChoiceField(label=_("Preferred mediation organisation or mediator (optional)"), required=False)
    # The honeypot: hidden by CSS (not type=hidden), so only robots fill it in.
    website = forms.CharField(
        label=_("Website"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, center=None, **kwargs):
        super().__init__(*args, **kwargs)
        roster = hooks.public_roster(center) if center is not None else []
        if roster:
            self.fields["preferred"].choices = [("", _("No preference")), *roster]
        else:
            del self.fields["preferred"]


class ReceiptLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().replace(" ", "").upper()


class PublicRatingForm(forms.Form):
    value = forms.ChoiceField(label=_("How satisfied are you?"), choices=Rating.Value.choices, widget=forms.RadioSelect)
    phone_last4 = forms.RegexField(
        label=_("Last four digits of the phone number you gave"),
        regex=r"^[0-9]{4}$",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4}),
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def visible_case_ids(user, ids) -> set[int]:
    """Which of these case ids the user may see (duplicates found in the county may lie elsewhere)."""
    return set(selectors.case_list_visible(user=user).filter(pk__in=list(ids)).values_list("pk", flat=True))


# --- Hand-offs (三调对接) ---------------------------------------------------------------------------

COURT_REFERENCE_EXAMPLE = "(2026)甘0102民诉前调123号"
HANDOFF_LEVELS = (Level.COUNTY, Level.TOWNSHIP)

# Where each petition category goes, said next to the choice so the officer routes it knowingly.
PETITION_ROUTES = {
    Handoff.PetitionCategory.APPEAL: _("Dispatched at once to the responsible department you choose below."),
    Handoff.PetitionCategory.DISPUTE: _("Stays at the center, which mediates it."),
    Handoff.PetitionCategory.LAW: _("Goes to the court channel: the people's tribunal at or above the center."),
}

# The department kind that stands for each sending authority (to fill in its name).
SENDER_DEPARTMENT_KIND = {
    Handoff.Source.COURT: Department.Kind.COURT,
    Handoff.Source.POLICE: Department.Kind.POLICE,
    Handoff.Source.PETITION: Department.Kind.PETITION,
}


def send_roots(user, source: str) -> list[str]:
    """The seats from which the user sends hand-offs of this source (a court's county, a police
    station's township)."""
    codes = (seat.center_code for seat in access.seats(user) if access.SEND_SOURCES.get(seat.role) == source)
    return minimal_roots(codes)


def handoff_centers(user, source: str):
    """The township and county centers the user may hand cases of this source over to."""
    centers = Center.objects.filter(is_active=True, level__in=HANDOFF_LEVELS)
    if not getattr(user, "is_superuser", False):
        roots = send_roots(user, source)
        if not roots:
            return centers.none()
        centers = centers.filter(subtrees_q("code", roots))
    return centers.order_by("code")


def sender_name_for(user, source: str) -> str:
    """The name of the user's own authority (the tribunal, the police station, the petition office),
    when its department is registered at the user's seat."""
    roots = send_roots(user, source)
    if not roots:
        return ""
    department = (
        Department.objects.filter(kind=SENDER_DEPARTMENT_KIND[source], center_code__in=roots, is_active=True)
        .order_by("center_code", "name")
        .first()
    )
    return department.name if department else ""


def petition_department_choices(user, center_code: str = "") -> list:
    """Departments at or above the chosen center (or, before one is chosen, at or above the
    officer's seats), nearest first, grouped by their center."""
    codes = set(lineage(center_code)) if center_code else set()
    if not codes:
        roots = send_roots(user, Handoff.Source.PETITION)
        codes = {code for root in roots for code in lineage(root)}
    departments = (
        core_selectors.department_list_visible(user=user)
        .filter(center_code__in=sorted(codes), is_active=True)
        .order_by("-center_code", "name")
    )
    groups: dict[str, list] = {}
    for department in departments:
        groups.setdefault(department.center.name, []).append((str(department.pk), department.name))
    return list(groups.items())


class HandoffForm(forms.Form):
    """What every hand-off carries; a subclass per source adds its own fields. `payload()` is the
    JSON the API takes, so the page and the API go through the same serializer and service."""

    source = ""
    reference_label = _("Reference number")

    external_ref = forms.CharField(max_length=64)
    center = forms.CharField(label=_("Receiving center"))
    sender_name = forms.CharField(label=_("Sending authority"), max_length=100, required=False)
    title = forms.CharField(label=_("Summary"), max_length=200)
    facts = forms.CharField(label=_("Facts"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["external_ref"].label = self.reference_label
        self.fields["external_ref"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.centers = handoff_centers(user, self.source)
        center_field = self.fields["center"]
        few = list(self.centers[: MAX_CENTER_OPTIONS + 1])
        if len(few) <= MAX_CENTER_OPTIONS:
            choices = [(c.code, center_label(c)) for c in few]
            if len(choices) == 1:
                center_field.initial = choices[0][0]
            else:
                choices.insert(0, ("", _("— choose the center —")))
            center_field.widget = forms.Select(choices=choices)
        else:
            center_field.help_text = _("Type the division code of the center.")
            center_field.widget.attrs.update({"inputmode": "numeric", "maxlength": 12})
        if "category" in self.fields:
            categories = list(selectors.categories_active())
            self._categories = {c.code: c for c in categories}
            self.fields["category"].choices = [("", _("Not yet known")), *category_choices(categories)]
        self.fields["sender_name"].initial = sender_name_for(user, self.source)

    def clean_center(self) -> str:
        code = self.cleaned_data["center"].strip()
        if not self.centers.filter(code=code).exists():
            raise forms.ValidationError(_("You may not hand cases over to the center %(code)s.") % {"code": code})
        return code

    def clean_category(self) -> Category | None:
        code = self.cleaned_data.get("category")
        return self._categories.get(code) if code else None

    @property
    def chosen_center(self) -> str:
        """The center code as typed or chosen, before validation (for the choices that depend on it)."""
        if self.is_bound:
            return (self.data.get("center") or "").strip()
        return self.fields["center"].initial or ""

    @property
    def chosen_category(self) -> Category | None:
        if not self.is_bound or "category" not in self.fields:
            return None
        return self._categories.get(self.data.get("category") or "")

    def payload(self, parties: list[dict]) -> dict:
        data = self.cleaned_data
        category = data.get("category")
        return {
            "source": self.source,
            "external_ref": data["external_ref"].strip(),
            "center": data["center"],
            "sender_name": data["sender_name"],
            "title": data["title"],
            "facts": data["facts"],
            "category": category.code if category else None,
            "parties": parties,
            **self.source_payload(data),
        }

    def source_payload(self, data) -> dict:
        return {}


class CourtHandoffForm(HandoffForm):
    source = Handoff.Source.COURT
    reference_label = _("Pre-litigation case number")

    category = forms.ChoiceField(label=_("Category"), required=False)
    claim = forms.CharField(label=_("Claim"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    amount = forms.DecimalField(
        label=_("Amount in dispute (yuan)"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    due_days = forms.IntegerField(
        label=_("Mediation time limit (days)"), min_value=1, max_value=90, initial=services.handoffs.COURT_DAYS
    )
    keep_at_court = forms.BooleanField(label=_("Keep it at the court, do not divert it"), required=False)

    field_order = ["external_ref", "center", "sender_name", "category", "title", "facts", "claim", "amount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["external_ref"].help_text = _("Format: %(example)s") % {"example": COURT_REFERENCE_EXAMPLE}
        self.fields["external_ref"].widget.attrs["placeholder"] = COURT_REFERENCE_EXAMPLE

    def source_payload(self, data) -> dict:
        amount = data.get("amount")
        return {
            "claim": data["claim"],
            "amount": str(amount) if amount is not None else None,
            "due_days": data["due_days"],
            "keep_at_court": data["keep_at_court"],
        }


class PoliceHandoffForm(HandoffForm):
    source = Handoff.Source.POLICE
    reference_label = _("Alert number")

    alert_at = forms.DateTimeField(
        label=_("Alert time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)

    field_order = ["external_ref", "alert_at", "center", "sender_name", "place", "title", "facts"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alert_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["title"].label = _("Summary of the alert")
        self.fields["facts"].label = _("What the officers found")

    def source_payload(self, data) -> dict:
        return {"alert_at": data["alert_at"].isoformat(), "place": data["place"]}


class PetitionHandoffForm(HandoffForm):
    source = Handoff.Source.PETITION
    reference_label = _("Petition number")

    petition_category = forms.ChoiceField(
        label=_("Petition category"), choices=Handoff.PetitionCategory.choices, widget=forms.RadioSelect
    )
    departments = forms.CharField(label=_("Responsible department"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    field_order = ["external_ref", "center", "sender_name", "petition_category", "departments", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].help_text = _("Needed for an appeal or request (申诉求决).")
        self.fields["departments"].widget = forms.Select(
            choices=[("", _("— choose the department —")), *petition_department_choices(self.user, self.chosen_center)]
        )
        self.routes = [
            {"value": value, "label": label, "route": PETITION_ROUTES[value]}
            for value, label in Handoff.PetitionCategory.choices
        ]

    def clean_departments(self) -> list[int]:
        value = (self.cleaned_data.get("departments") or "").strip()
        if not value:
            return []
        if not value.isdigit():
            raise forms.ValidationError(_("Choose a department from the list."))
        return [int(value)]

    def source_payload(self, data) -> dict:
        return {"petition_category": data["petition_category"], "departments": data["departments"]}


HANDOFF_FORMS = {
    Handoff.Source.COURT: CourtHandoffForm,
    Handoff.Source.POLICE: PoliceHandoffForm,
    Handoff.Source.PETITION: PetitionHandoffForm,
}


def party_payload(party: PartyForm) -> dict | None:
    """A filled party block as the API takes it."""
    if not party.filled:
        return None
    data = party.cleaned_data
    return {
        "role": party.role,
        "party_kind": data["party_kind"],
        "name": data["name"],
        "id_number": data["id_number"],
        "phone": data["phone"],
        "address": data["address"],
    }


class HandoffImportForm(forms.Form):
    file = forms.FileField(
        label=_("The file (.xlsx or .csv, the template's columns)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    sender_name = forms.CharField(label=_("Sending authority"), max_length=100, required=False)
