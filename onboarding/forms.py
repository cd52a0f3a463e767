from django import forms
from django.utils.translation import gettext_lazy as _

from onboarding.importers import IMPORTERS


def kind_choices():
    return [(kind, cls.label) for kind, cls in IMPORTERS.items()]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), choices=kind_choices)
    file = forms.FileField(label=_("Spreadsheet (.xlsx, .xls or .csv)"))
    dry_run = forms.BooleanField(
        label=_("Dry run: show what would change, change nothing"), required=False, initial=True
    )
