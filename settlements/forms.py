"""The pages' forms: which list (form, agency, period), a transfer, a void; the rules are in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from collectors.models import CollectionAgency
from core import clock
from enrollments.forms import DATE_INPUT_FORMATS, DateInput, DongField, StyledForm

from .models import Form


class PeriodChoiceForm(StyledForm):
    """Which agency (admins choose; an officer has theirs) and which days: a campaign week or dates."""

    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=CollectionAgency.objects.none(), to_field_name="code", required=False
    )
    week = forms.TypedChoiceField(label=_("Campaign week"), coerce=int, required=False)
    period_from = forms.DateField(label=_("From"), input_formats=DATE_INPUT_FORMATS, widget=DateInput, required=False)
    period_to = forms.DateField(label=_("To"), input_formats=DATE_INPUT_FORMATS, widget=DateInput, required=False)

    def __init__(self, *args, agency: CollectionAgency | None = None, weeks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_agency = agency
        if agency is None:
            self.fields["agency"].queryset = CollectionAgency.objects.select_related("office").order_by("code")
            self.fields["agency"].required = True
        else:
            del self.fields["agency"]
        self.weeks = {w.number: w for w in weeks}
        self.fields["week"].choices = [("", _("Dates below"))] + [
            (w.number, _("Week %(number)s (%(start)s–%(end)s)") % {
                "number": w.number, "start": f"{w.start_date:%d/%m}", "end": f"{w.end_date:%d/%m/%Y}",
            })
            for w in weeks
        ]  # fmt: skip

    def clean(self):
        data = super().clean()
        week = self.weeks.get(data.get("week"))
        if week is not None:
            data["period_from"], data["period_to"] = week.start_date, week.end_date
        else:
            today = clock.today()
            data["period_from"] = data.get("period_from") or data.get("period_to") or today
            data["period_to"] = data.get("period_to") or data["period_from"]
        if self.fixed_agency is not None:
            data["agency"] = self.fixed_agency
        return data


class ListChoiceForm(PeriodChoiceForm):
    """Which list: the form, the agency and the period."""

    form = forms.ChoiceField(label=_("Form"), choices=Form.choices, initial=Form.D05)
    field_order = ["form", "agency", "week", "period_from", "period_to"]


class TransferForm(StyledForm):
    """A transfer to BHXH as the officer reads it off the bank's slip."""

    transferred_on = forms.DateField(label=_("Date handed over"), input_formats=DATE_INPUT_FORMATS, widget=DateInput)
    amount = DongField(label=_("Amount (đồng)"))
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=60)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class FeeChoiceForm(StyledForm):
    """Which statement: the agency (admins choose) and the month."""

    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=CollectionAgency.objects.none(), to_field_name="code", required=False
    )
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m", "%m/%Y"], widget=MonthInput, required=False)

    def __init__(self, *args, agency: CollectionAgency | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_agency = agency
        if agency is None:
            self.fields["agency"].queryset = CollectionAgency.objects.order_by("code")
            self.fields["agency"].required = True
        else:
            del self.fields["agency"]

    def clean(self):
        data = super().clean()
        data["month"] = (data.get("month") or clock.today()).replace(day=1)
        if self.fixed_agency is not None:
            data["agency"] = self.fixed_agency
        return data
