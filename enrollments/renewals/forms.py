"""The renewal list's filters and the contact form under each person."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import Product
from core import clock

from ..forms import DATE_INPUT_FORMATS, StyledForm
from .models import ContactOutcome
from .selectors import WINDOWS, RenewalFilters, RenewalStatus


class RenewalFilterForm(StyledForm):
    within = forms.TypedChoiceField(
        label=_("Due within"),
        choices=[(days, _("%(days)s days") % {"days": days}) for days in WINDOWS],
        coerce=int,
        required=False,
    )
    product = forms.ChoiceField(
        label=_("Product"), choices=[("", _("both products")), *Product.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("all")), *((key, RenewalStatus.LABELS[key]) for key in RenewalStatus.ORDER)],
        required=False,
    )
    agency = forms.CharField(label=_("Agency code"), max_length=30, required=False)
    commune = forms.CharField(label=_("Commune code"), max_length=10, required=False)

    def __init__(self, *args, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:  # an officer's list is their agency's: no other agency to choose
            del self.fields["agency"]

    def filters(self) -> RenewalFilters:
        """The valid filters; an invalid choice is ignored, as the page's other lists do."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return RenewalFilters(
            within=data.get("within") or WINDOWS[0],
            product=data.get("product", ""),
            status=data.get("status", ""),
            agency=(data.get("agency") or "").strip(),
            commune=(data.get("commune") or "").strip(),
        )


class ContactForm(forms.Form):
    cccd = forms.CharField(max_length=12, widget=forms.HiddenInput)
    product = forms.ChoiceField(choices=Product.choices, widget=forms.HiddenInput)
    contacted_on = forms.DateField(
        label=_("Contacted on"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "form-control form-control-sm", "size": 10}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=ContactOutcome.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    @classmethod
    def for_row(cls, row) -> "ContactForm":
        """The form under one row of the list (no ids: many of them share the page)."""
        return cls(
            auto_id=False,
            initial={"cccd": row.full_cccd, "product": row.product, "contacted_on": clock.today()},
        )
