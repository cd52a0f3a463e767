"""Forms of the grid pages: a patrol visit (and the case its finding becomes), a grid, assigning a
worker, the reasons for ending things, the county's assessment weights and the list filters.
Forms only parse input; the services decide."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govcenter.divisions import DivisionCodeError, check_code
from govcenter.errors import DomainError
from govcenter.periods import check_year
from grids import services
from grids.models import Duty, Employment, Finding, GridKind, VisitTarget

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# "Place" is also the cases app's word for where a case arose (发生地点); as a kind of place visited
# it needs a context of its own (until grids/models.py gives its label one).
TARGET_LABELS = {VisitTarget.PLACE: pgettext_lazy("kind of place visited", "Place")}
TARGET_CHOICES = [(value, TARGET_LABELS.get(value, label)) for value, label in VisitTarget.choices]


def target_label(visit) -> str:
    return TARGET_LABELS.get(visit.target) or visit.get_target_display()


# The party role of the person who raised a case, as the cases app spells it (grids may not import
# cases: the finding report carries parties as plain data).
APPLICANT = "applicant"


def _now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


def _parties(name: str, phone: str, address: str) -> list[dict]:
    """The person visited as the applicant, when the worker gave a phone number to reach them (that
    number is also how an open case of the same person is found)."""
    if not phone:
        return []
    return [{"role": APPLICANT, "name": name, "phone": phone, "address": address}]


# --- Visits ---------------------------------------------------------------------------------------


class VisitForm(forms.Form):
    visited_at = forms.DateTimeField(label=_("When"), widget=DATETIME_INPUT)
    target = forms.ChoiceField(
        label=_("What was visited"),
        choices=TARGET_CHOICES,
        initial=VisitTarget.HOUSEHOLD,
        widget=forms.RadioSelect,
    )
    place = forms.CharField(
        label=_("Place visited"),
        max_length=200,
        error_messages={"required": _("Say where the visit was (household, address or place).")},
        widget=forms.TextInput(attrs={"placeholder": _("Household, address or place"), "autocomplete": "off"}),
    )
    person = forms.CharField(label=_("Whom"), max_length=100, required=False)
    finding = forms.ChoiceField(
        label=_("Finding"), choices=Finding.choices, initial=Finding.NOTHING, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=_("What was found"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    report = forms.BooleanField(label=_("Also report it as a case (grid report)"), required=False)
    report_title = forms.CharField(
        label=_("Summary of the case"),
        max_length=200,
        required=False,
        help_text=_("Leave it empty to use the first line of what was found. The center classifies the case."),
    )
    phone = forms.CharField(
        label=_("Phone of the person visited"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
        help_text=_("Optional: to reach them, and to find a case they already have open."),
    )
    force_new = forms.BooleanField(label=_("Record it as a new case anyway"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_at"].initial = _now_to_the_minute

    def clean(self):
        data = super().clean()
        if data.get("report") and data.get("phone") and not (data.get("person") or "").strip():
            self.add_error("person", _("Say whom you visited, to go with the phone number."))
        return data

    def visit_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "visited_at": data["visited_at"],
            "target": data["target"],
            "place": data["place"],
            "person": data["person"],
            "finding": data["finding"],
            "notes": data["notes"],
            "photo": data["photo"] or None,
        }

    def finding_report(self) -> services.FindingReport | None:
        data = self.cleaned_data
        if not data["report"]:
            return None
        return services.FindingReport(
            title=data["report_title"],
            parties=_parties(data["person"].strip(), data["phone"].strip(), data["place"].strip()),
            force_new=data["force_new"],
        )


class ReportForm(forms.Form):
    """An earlier visit's finding, reported as a case."""

    title = forms.CharField(
        label=_("Summary of the case"),
        max_length=200,
        required=False,
        help_text=_("Leave it empty to use the first line of what was found. The center classifies the case."),
    )
    person = forms.CharField(label=_("Whom"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone of the person visited"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
        help_text=_("Optional: to reach them, and to find a case they already have open."),
    )
    force_new = forms.BooleanField(label=_("Record it as a new case anyway"), required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("phone") and not (data.get("person") or "").strip():
            self.add_error("person", _("Say whom you visited, to go with the phone number."))
        return data

    def finding_report(self, visit) -> services.FindingReport:
        data = self.cleaned_data
        return services.FindingReport(
            title=data["title"],
            parties=_parties(data["person"].strip(), data["phone"].strip(), visit.place),
            force_new=data["force_new"],
        )


# --- Grids ----------------------------------------------------------------------------------------


class PoliceGridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.officer_name}）" if obj.officer_name else obj.name


class GridForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=GridKind.choices, initial=GridKind.URBAN)
    households = forms.IntegerField(label=_("Households"), min_value=0, max_value=1_000_000, initial=0)
    residents = forms.IntegerField(label=_("Residents"), min_value=0, max_value=10_000_000, initial=0)
    boundary = forms.CharField(
        label=_("Boundary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The streets, buildings or village groups the grid covers."),
    )
    duties = forms.MultipleChoiceField(
        label=_("Duties carried (多网合一)"),
        choices=Duty.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    size_note = forms.CharField(
        label=_("The center's explanation"),
        max_length=300,
        required=False,
        help_text=_("Why an urban grid covers fewer than 300 or more than 500 households, if it does."),
    )
    police_grid = PoliceGridChoiceField(
        label=_("Police grid"), queryset=None, required=False, empty_label=_("— none —")
    )

    def __init__(self, *args, police_grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["police_grid"].queryset = police_grids

    @classmethod
    def initial_of(cls, grid) -> dict:
        return {
            "name": grid.name,
            "kind": grid.kind,
            "households": grid.households,
            "residents": grid.residents,
            "boundary": grid.boundary,
            "duties": list(grid.duties),
            "size_note": grid.size_note,
            "police_grid": grid.police_grid_id,
        }


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name() or obj.first_name
        return f"{name}（{obj.get_username()}）" if name else obj.get_username()


class AssignForm(forms.Form):
    worker = WorkerChoiceField(
        label=_("Grid worker"),
        queryset=None,
        empty_label=_("— choose —"),
        error_messages={"required": _("Choose the grid worker.")},
    )
    employment = forms.ChoiceField(
        label=_("Employment"), choices=Employment.choices, initial=Employment.FULL_TIME, widget=forms.RadioSelect
    )
    replace = forms.BooleanField(
        label=_("Replace the current workers"),
        required=False,
        help_text=_("Their assignments end today; the history keeps them."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class WeightsForm(forms.Form):
    visits_target = forms.IntegerField(label=_("Visits expected a month"), min_value=0, max_value=1000)
    findings_target = forms.IntegerField(label=_("Findings expected a month"), min_value=0, max_value=1000)
    weight_visits = forms.IntegerField(label=_("Weight of visits"), min_value=0, max_value=1000)
    weight_findings = forms.IntegerField(label=_("Weight of findings"), min_value=0, max_value=1000)
    weight_on_time = forms.IntegerField(label=_("Weight of cases resolved in time"), min_value=0, max_value=1000)
    weight_warnings = forms.IntegerField(label=_("Weight of warnings visited in time"), min_value=0, max_value=1000)

    @classmethod
    def initial_of(cls, policy) -> dict:
        return {name: getattr(policy, name) for name in cls.base_fields}


# --- Filters --------------------------------------------------------------------------------------


class GridFilterForm(forms.Form):
    unit = forms.ChoiceField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", _("any")), *GridKind.choices])
    flagged = forms.BooleanField(required=False)
    unstaffed = forms.BooleanField(required=False)

    def __init__(self, *args, units: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("any")), *units]


class MonthForm(forms.Form):
    month = forms.CharField(required=False, max_length=7)

    def chosen_month(self) -> date:
        """The month asked for (YYYY-MM), or this month."""
        value = (self.cleaned_data.get("month") if self.is_valid() else "") or ""
        try:
            year, month = (int(part) for part in value.split("-"))
            if 2000 <= year <= 2100:
                return date(year, month, 1)
        except ValueError:
            pass
        return timezone.localdate().replace(day=1)


class VisitFilterForm(forms.Form):
    grid = forms.CharField(label=_("Grid"), max_length=100, required=False)
    finding = forms.ChoiceField(label=_("Finding"), required=False, choices=[("", _("any")), *Finding.choices])
    found = forms.BooleanField(label=_("Something found only"), required=False)
    after = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    before = forms.DateField(label=_("Until"), required=False, widget=DATE_INPUT)
    under = forms.CharField(label=_("Center code"), max_length=12, required=False)

    def clean_under(self) -> str:
        code = self.cleaned_data["under"].strip()
        if code:
            try:
                check_code(code)
            except DivisionCodeError as error:
                raise forms.ValidationError(str(error)) from error
        return code

    def _in_range(self, name: str):
        day = self.cleaned_data[name]
        if day is not None:
            try:
                check_year(day, name)
            except DomainError as error:
                raise forms.ValidationError(str(error.message)) from error
        return day

    def clean_after(self):
        return self._in_range("after")

    def clean_before(self):
        return self._in_range("before")

    def clean(self):
        data = super().clean()
        if data.get("after") and data.get("before") and data["after"] > data["before"]:
            self.add_error("before", _("The end of the period comes before its start."))
        return data


# --- Police grids ---------------------------------------------------------------------------------

TEL_INPUT = forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"})


class StationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.center.name}）"


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class PoliceGridForm(forms.Form):
    """A police grid and the grids it covers; the page draws the grid checkboxes itself, grouped by
    village (the field only parses the codes chosen)."""

    name = forms.CharField(
        label=_("Name"), max_length=100, error_messages={"required": _("Give the police grid a name.")}
    )
    station = StationChoiceField(label=_("Police station"), queryset=None, required=False, empty_label=_("— none —"))
    officer_name = forms.CharField(label=_("Community police officer"), max_length=50, required=False)
    officer_phone = forms.CharField(label=_("Officer's phone"), max_length=20, required=False, widget=TEL_INPUT)
    grids = forms.ModelMultipleChoiceField(
        label=_("Grids covered"),
        queryset=None,
        required=False,
        to_field_name="code",
        error_messages={"invalid_choice": _("Grid %(value)s is not an active grid of this township.")},
    )

    def __init__(self, *args, stations, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["grids"].queryset = grids

    @classmethod
    def initial_of(cls, police_grid, grid_codes: list[str]) -> dict:
        return {
            "name": police_grid.name,
            "station": police_grid.station_id,
            "officer_name": police_grid.officer_name,
            "officer_phone": police_grid.officer_phone,
            "grids": grid_codes,
        }

    def chosen_codes(self) -> set[str]:
        """The grid codes ticked now: as posted (kept on an error), else as they are."""
        return {str(code) for code in self["grids"].value() or []}


class AuxiliaryForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"), max_length=50, error_messages={"required": _("Give the officer's name.")}
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, widget=TEL_INPUT)
    village = VillageChoiceField(
        label=_("Village or community"),
        queryset=None,
        to_field_name="code",
        empty_label=_("— choose —"),
        error_messages={
            "required": _("Choose the village the officer is stationed in."),
            "invalid_choice": _("Choose a village or community of the police grid's township."),
        },
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class AuxiliaryMoveForm(forms.Form):
    village = VillageChoiceField(
        label=_("Move to"),
        queryset=None,
        to_field_name="code",
        error_messages={
            "required": _("Choose the village the officer moves to."),
            "invalid_choice": _("Choose a village or community of the police grid's township."),
        },
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
