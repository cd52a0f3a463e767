"""Forms of the mediation pages: assigning mediators, a session, the agreement and its terms, the
signing and the fulfilment check. Forms only parse input; the services decide."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediation import services
from mediation.models import AgreementTerm, MediationOrg, MediationSession, Mediator
from mediation.numerals import yuan_in_capitals

# At least this many blank term rows are offered below the terms already written.
BLANK_TERM_ROWS = 3

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# What each session outcome does to the case, said next to the choice.
OUTCOME_HINTS = {
    MediationSession.Outcome.CONTINUE: _("The case stays in mediation."),
    MediationSession.Outcome.AGREED: _("Resolves the case; then draft the agreement."),
    MediationSession.Outcome.FAILED: _("Ends the mediation without an agreement."),
    MediationSession.Outcome.WITHDRAWN: _("Ends the mediation without an agreement."),
}


def mediator_label(mediator: Mediator) -> str:
    return f"{mediator.name}（{mediator.org.name}）"


class MediatorChoiceMixin:
    """A `mediators` field over the mediators in reach of the case, the assigned ones first; the
    chosen ids come back as roster objects."""

    def set_mediators(self, candidates: list[Mediator], assigned_ids: set[int]) -> None:
        ordered = sorted(candidates, key=lambda m: m.pk not in assigned_ids)  # stable: keeps the ranking
        self._mediators = {m.pk: m for m in ordered}
        self.assigned_ids = assigned_ids
        self.fields["mediators"].choices = [(m.pk, mediator_label(m)) for m in ordered]

    def clean_mediators(self) -> list[Mediator]:
        return [self._mediators[pk] for pk in self.cleaned_data["mediators"]]


# --- Assignment ------------------------------------------------------------------------------------


class AssignForm(forms.Form):
    mediators = forms.TypedMultipleChoiceField(
        label=_("Mediators"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one mediator.")},
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, ranking: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self._mediators = {row["mediator"].pk: row["mediator"] for row in ranking}
        self.fields["mediators"].choices = [(pk, mediator.name) for pk, mediator in self._mediators.items()]
        self.fields["mediators"].error_messages["invalid_choice"] = _(
            "Choose the mediators from the list: %(value)s is not one of them."
        )

    def clean_mediators(self) -> list[Mediator]:
        return [self._mediators[pk] for pk in self.cleaned_data["mediators"]]


class UnassignForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


# --- Sessions --------------------------------------------------------------------------------------


class SessionForm(MediatorChoiceMixin, forms.Form):
    held_at = forms.DateTimeField(
        label=_("Held at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Where it was held"), max_length=200)
    mediators = forms.TypedMultipleChoiceField(
        label=_("Mediators"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Say which mediators held the session.")},
    )
    attendees = forms.CharField(label=_("Who attended"), widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 6}))
    next_steps = forms.CharField(label=_("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=MediationSession.Outcome.choices,
        initial=MediationSession.Outcome.CONTINUE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, candidates: list[Mediator], assigned_ids: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.set_mediators(candidates, assigned_ids)
        self.fields["mediators"].initial = [pk for pk in self._mediators if pk in assigned_ids]
        self.fields["held_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.outcomes = [
            {"value": value, "label": label, "hint": OUTCOME_HINTS[value]}
            for value, label in MediationSession.Outcome.choices
        ]


# --- Agreements ------------------------------------------------------------------------------------


class AgreementForm(MediatorChoiceMixin, forms.Form):
    """The agreement's body; the organisation only while drafting (it gives the number), the reason
    only when a signed agreement is superseded."""

    org = forms.TypedChoiceField(label=_("Mediation organisation"), coerce=int)
    facts = forms.CharField(label=_("Main facts"), widget=forms.Textarea(attrs={"rows": 5}))
    disputed_matters = forms.CharField(label=_("Matters in dispute"), widget=forms.Textarea(attrs={"rows": 3}))
    responsibilities = forms.CharField(
        label=_("Each party's responsibility"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    copies = forms.IntegerField(
        label=_("Number of copies"),
        min_value=2,
        max_value=20,
        initial=3,
        help_text=_("One for each party and one for the organisation's file."),
    )
    mediators = forms.TypedMultipleChoiceField(
        label=_("Mediators"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("What the new version corrects"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args,
        orgs: list[MediationOrg] | None,
        candidates: list[Mediator],
        assigned_ids: set[int],
        supersede: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.set_mediators(candidates, assigned_ids)
        if orgs is None:
            del self.fields["org"]
        else:
            self._orgs = {org.pk: org for org in orgs}
            self.fields["org"].choices = [(org.pk, f"{org.name}（{org.center.name}）") for org in orgs]
            if orgs:
                self.fields["org"].initial = orgs[0].pk
        if not supersede:
            del self.fields["reason"]

    def clean_org(self) -> MediationOrg:
        return self._orgs[self.cleaned_data["org"]]


class TermForm(forms.Form):
    """One term row. Every field is optional so that a blank row is simply ignored; a row with
    anything in it needs what is agreed and the date by which it is done."""

    text = forms.CharField(label=_("What is agreed"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    manner = forms.CharField(label=_("Manner of performance"), max_length=200, required=False)
    place = forms.CharField(label=_("Place of performance"), max_length=200, required=False)
    due_date = forms.DateField(label=_("Perform by"), required=False, widget=DATE_INPUT)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not any(data.get(name) not in (None, "") for name in self.fields)

    def clean(self):
        data = super().clean()
        if self.is_blank:
            return data
        if not (data.get("text") or "").strip():
            self.add_error("text", _("Say what is agreed, or clear the whole row."))
        if data.get("due_date") is None and "due_date" not in self.errors:
            self.add_error("due_date", _("Give the date by which this is done."))
        return data

    @property
    def capitals(self) -> str:
        """The amount as written in capital numerals, for the figures shown in the row."""
        value = self["amount"].value()
        if value in (None, ""):
            return ""
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return ""
        return yuan_in_capitals(amount) if amount.is_finite() and amount >= 0 else ""

    def term_input(self) -> services.TermInput | None:
        if self.is_blank:
            return None
        data = self.cleaned_data
        return services.TermInput(
            text=data["text"],
            due_date=data["due_date"],
            manner=data["manner"],
            place=data["place"],
            amount=data["amount"],
        )


BaseTermFormSet = forms.formset_factory(TermForm, extra=BLANK_TERM_ROWS, max_num=100, absolute_max=100)


class TermFormSet(BaseTermFormSet):
    def term_inputs(self) -> list[services.TermInput]:
        return [term for term in (form.term_input() for form in self.forms) if term is not None]


def term_formset(data=None, *, terms=(), more_rows: bool = False) -> TermFormSet:
    """The term rows: the terms written so far, then blank rows (three more when asked for)."""
    initial = [
        {
            "text": t.text,
            "manner": t.manner,
            "place": t.place,
            "due_date": t.due_date,
            "amount": t.amount,
        }
        for t in terms
    ]
    if data is not None and more_rows:
        data = data.copy()
        raw = str(data.get("terms-TOTAL_FORMS") or "0")
        total = int(raw) if raw.isdigit() and len(raw) < 4 else 0
        data["terms-TOTAL_FORMS"] = str(min(total + BLANK_TERM_ROWS, 100))
    return TermFormSet(data, initial=initial, prefix="terms")


def agreement_input(form: AgreementForm, terms: TermFormSet) -> services.AgreementInput:
    data = form.cleaned_data
    return services.AgreementInput(
        facts=data["facts"],
        disputed_matters=data["disputed_matters"],
        terms=terms.term_inputs(),
        responsibilities=data["responsibilities"],
        copies=data["copies"],
        mediators=data["mediators"],
    )


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE_INPUT)
    scan = forms.FileField(
        label=_("Scan of the signed agreement"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = timezone.localdate()


class TermCheckForm(forms.Form):
    fulfilment = forms.ChoiceField(
        label=_("Fulfilment"),
        choices=[c for c in AgreementTerm.Fulfilment.choices if c[0] != AgreementTerm.Fulfilment.PENDING],
    )
    checked_on = forms.DateField(label=_("Checked on"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked_on"].initial = timezone.localdate()
