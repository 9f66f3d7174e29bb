"""The audit page's filters: a kind of object, one person by CCCD, one user, and where the page starts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import is_digits

from .trail import KINDS


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of object"), required=False)
    cccd = forms.CharField(label=_("Person (CCCD number)"), required=False, max_length=12)
    user = forms.CharField(label=_("Changed by (user name)"), required=False, max_length=150)
    before = forms.DateTimeField(required=False, widget=forms.HiddenInput, input_formats=["%Y-%m-%dT%H:%M:%S.%f%z"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("everything")), *((key, label) for key, (label, _kind) in KINDS.items())]
        self.fields["kind"].widget.attrs["class"] = "form-select"
        for name in ("cccd", "user"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["cccd"].widget.attrs |= {"inputmode": "numeric", "autocomplete": "off"}

    def clean_cccd(self) -> str:
        cccd = self.cleaned_data["cccd"].strip()
        if cccd and not (len(cccd) == 12 and is_digits(cccd)):
            raise forms.ValidationError(_("A CCCD number has 12 digits."))
        return cccd

    def clean_user(self) -> str:
        return self.cleaned_data["user"].strip()
