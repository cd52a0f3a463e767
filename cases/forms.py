"""Forms of the case pages: intake, the public report, the receipt and its rating, and the choices
the workflow forms on a case page offer. Forms only parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import selectors, services
from cases.models import Case, Category, Channel, Kind, Party, Rating, Severity
from govcenter import access
from govcenter import selectors as core_selectors
from govcenter.access import Action
from govcenter.divisions import Level, ancestor_codes, subtree_q, subtrees_q
from govcenter.models import Center, Membership, Role

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
    codes = [case.center_code, *ancestor_codes(case.center_code)]
    departments = (
        core_selectors.department_list_visible(user=user)
        .filter(center_code__in=codes, is_active=True)
        .order_by("-center_code", "name")
    )
    return [(d.pk, f"{d.name}（{d.center.name}）") for d in departments]


def mediator_choices(case: Case) -> list[tuple[str, str]]:
    """Users holding the mediator role at the case's center or above it."""
    codes = [case.center_code, *ancestor_codes(case.center_code)]
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
    # The honeypot: hidden by CSS (not type=hidden), so only robots fill it in.
    website = forms.CharField(
        label=_("Website"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


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
