"""The officer's forms: they check what a browser can get wrong (a missing field, a date
typed badly) and hand the rest to ``enrollments.services``, where the rules live.

Field names are those of the services' error keys (``cccd``, ``commune_code``, ``months``,
...), so a ``DomainError`` lands next to the field it is about.
"""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign.models import Product
from core.errors import DomainError
from core.text import is_digits

from .classification import Classification
from .identity import validate_cccd
from .models import Channel, Enrollment, Sex, SupportGroup, TargetGroup

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
BIRTH_DATE_INPUT_FORMATS = [*DATE_INPUT_FORMATS, "%d%m%Y"]
PERSON_FIELDS = ("cccd", "full_name", "date_of_birth", "sex", "phone", "target_group")


def _blank(label) -> list[tuple[str, str]]:
    return [("", label)]


class DateInput(forms.DateInput):
    """A date typed and shown as dd/mm/yyyy whatever the phone's language (its own picker would follow
    the phone's locale: 12/10/2025 on an English phone); ISO dates are accepted too."""

    def __init__(self, attrs=None):
        attrs = {"placeholder": _("dd/mm/yyyy"), "autocomplete": "off", "inputmode": "numeric", **(attrs or {})}
        super().__init__(attrs=attrs, format="%d/%m/%Y")


class DongField(forms.IntegerField):
    """Whole đồng as people type them: "1.500.000", "1 500 000", "1500000 ₫"."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _("Enter the amount in whole đồng, for example 1.500.000.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = re.sub(r"[\s.₫]|đ$|VND$", "", str(value).strip(), flags=re.IGNORECASE)
        if not is_digits(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)

    def widget_attrs(self, widget):
        return {"inputmode": "numeric", "autocomplete": "off"}


class StyledForm(forms.Form):
    """Bootstrap's large controls: fingers on a phone at a market stall, not a mouse."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                widget.attrs["class"] = "btn-check"
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-lg")
            else:
                widget.attrs.setdefault("class", "form-control form-control-lg")


class ChannelForm(StyledForm):
    channel = forms.ChoiceField(
        label=_("Where are you working today?"), choices=Channel.choices, widget=forms.RadioSelect
    )


class PersonFieldsMixin(StyledForm):
    """What identifies a person; shared by the household member rows and the BHXH form."""

    cccd = forms.CharField(
        label=_("CCCD number"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}),
    )
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        input_formats=BIRTH_DATE_INPUT_FORMATS,
        # Typed, not picked: a calendar that opens on today is a long way from 1985.
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off"}),
        help_text=_("For example 02/03/1985 or 02031985."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=15,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
    )
    target_group = forms.ChoiceField(label=_("Target group"), choices=TargetGroup.choices, initial=TargetGroup.OTHER)

    def clean_cccd(self):
        # The number alone is checked here so its mistakes show with the form's; the service checks it
        # again against the date of birth and the sex.
        try:
            return validate_cccd(self.cleaned_data["cccd"])
        except DomainError as exc:
            raise ValidationError([str(message) for message in exc.errors.get("cccd", exc.messages)]) from exc


class SessionFieldsMixin(StyledForm):
    """What the officer fills once per visit: where, how long, when and which receipt."""

    def __init__(self, *args, communes, months, default_commune=None, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune_code"].choices = _blank(_("Choose the commune")) + [(c.code, c.name) for c in communes]
        self.fields["commune_code"].initial = default_commune.code if default_commune else None
        self.fields["months"].choices = [(m, _("%(months)s months") % {"months": m}) for m in months]
        self.fields["months"].initial = max(months) if months else None
        self.fields["collected_on"].initial = today

    commune_code = forms.ChoiceField(label=_("Commune"))
    months = forms.TypedChoiceField(label=_("Period"), coerce=int, widget=forms.RadioSelect)
    collected_on = forms.DateField(label=_("Collection date"), input_formats=DATE_INPUT_FORMATS, widget=DateInput)
    receipt_no = forms.CharField(
        label=_("Receipt number"),
        max_length=40,
        required=False,
        help_text=_("Empty: the next number of your agency's receipt series. Type it for a paper receipt."),
    )


class HouseholdForm(SessionFieldsMixin):
    household_code = forms.CharField(
        label=_("Household code"),
        max_length=30,
        required=False,
        help_text=_("The same code for every member of the household: members after the first pay less."),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    household_head_cccd = forms.CharField(
        label=_("CCCD of the head of household"),
        max_length=20,
        required=False,
        help_text=_("Only to add a member to a household that another agency serves."),
    )

    field_order = [
        "household_code",
        "household_head_cccd",
        "commune_code",
        "address",
        "months",
        "collected_on",
        "receipt_no",
    ]


def _lookup_as_typed(field: forms.Field, *, product: str, include: str) -> None:
    """Ask the server about the person as soon as the CCCD is typed; the answer goes in the next ``.lookup``."""
    field.widget.attrs.update(
        {
            "hx-get": reverse("enrollments:lookup", args=[product]),
            "hx-trigger": "keyup changed delay:400ms, change",
            "hx-target": "next .lookup",
            "hx-include": include,
            "hx-sync": "this:replace",
        }
    )


class MemberForm(PersonFieldsMixin):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _lookup_as_typed(
            self.fields["cccd"],
            product=Product.BHYT_HGD,
            include="[name='months'],[name='collected_on'],[name='household_code']",
        )


class BaseMemberFormSet(forms.BaseFormSet):
    def filled_forms(self) -> list[forms.Form]:
        """The rows the officer filled in, in the order entered; empty added rows are left out."""
        return [form for form in self.forms if form.has_changed() or not form.empty_permitted]

    def clean(self):
        if any(self.errors):
            return
        seen: dict[str, int] = {}
        for row, form in enumerate(self.filled_forms(), start=1):
            cccd = form.cleaned_data.get("cccd")
            if cccd in seen:
                form.add_error(
                    "cccd", _("This CCCD number is already entered for member %(row)s.") % {"row": seen[cccd]}
                )
            else:
                seen[cccd] = row


MAX_MEMBERS = 20
# absolute_max: the posted TOTAL_FORMS is the client's word; without it Django builds up to max_num + 1000
# forms (a post saying 1.000.000 took 12 s and answered 4 MB). Beyond it the formset says "at most 20".
MemberFormSet = forms.formset_factory(
    MemberForm,
    formset=BaseMemberFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_MEMBERS,
    validate_max=True,
    absolute_max=MAX_MEMBERS,
)


class BhxhForm(PersonFieldsMixin, SessionFieldsMixin):
    income = DongField(label=_("Declared monthly income (đồng)"))
    support_group = forms.ChoiceField(
        label=_("Support group"), choices=SupportGroup.choices, initial=SupportGroup.OTHER, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _lookup_as_typed(
            self.fields["cccd"],
            product=Product.BHXH_TN,
            include="[name='months'],[name='collected_on'],[name='income'],[name='support_group']",
        )

    field_order = [
        "cccd",
        "full_name",
        "date_of_birth",
        "sex",
        "phone",
        "target_group",
        "commune_code",
        "months",
        "income",
        "support_group",
        "collected_on",
        "receipt_no",
    ]


class CancelForm(StyledForm):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class EnrollmentFilterForm(StyledForm):
    """The list's filters; a value that does not fit is ignored rather than refused."""

    q = forms.CharField(label=_("Search"), required=False)
    week = forms.TypedChoiceField(label=_("Week"), coerce=int, required=False)
    product = forms.ChoiceField(label=_("Product"), choices=_blank(_("All products")) + Product.choices, required=False)
    classification = forms.ChoiceField(
        label=_("Classification"), choices=_blank(_("All")) + Classification.choices, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=_blank(_("All")) + Enrollment.Status.choices, required=False)
    collector = forms.CharField(label=_("Officer code"), max_length=30, required=False)

    def __init__(self, *args, weeks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["week"].choices = _blank(_("All weeks")) + [
            (w.number, _("Week %(number)s") % {"number": w.number}) for w in weeks
        ]

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {key: data[key] for key in ("week", "product", "classification", "status", "collector") if data.get(key)}

    def search(self) -> str:
        self.is_valid()
        return (getattr(self, "cleaned_data", {}).get("q") or "").strip()
