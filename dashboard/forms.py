"""The admin's upload form, the report picker, and the dashboard's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import BhxhOffice, Campaign, Product
from collectors.models import CollectionAgency

ACCEPTED = ".xlsx,.xlsm,.xls,.ods,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _campaign_choices(*, blank: bool, campaigns=None):
    campaigns = Campaign.objects.order_by("-start_date") if campaigns is None else campaigns
    choices = [(c.code, f"{c.name} ({c.code})") for c in campaigns]
    return [("", _("The running campaign")), *choices] if blank else choices


class UploadForm(forms.Form):
    """A spreadsheet, and the campaign or agency the import needs (its ``parameters``)."""

    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("Excel (.xlsx, .xls) or OpenDocument (.ods)."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED, "class": "form-control form-control-lg"}),
    )

    def __init__(self, *args, parameters: tuple[str, ...], campaign: Campaign | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parameters = parameters
        if "agency" in parameters:
            self.fields["agency"] = forms.ChoiceField(
                label=_("Agency that collected them"),
                choices=[("", "—")]
                + [
                    (a.code, f"{a.code} · {a.name}")
                    for a in CollectionAgency.objects.filter(active=True).order_by("code")
                ],
            )
        if "campaign" in parameters:
            optional = "agency" in parameters
            self.fields["campaign"] = forms.ChoiceField(
                label=_("Campaign"), choices=_campaign_choices(blank=optional), required=not optional
            )
            if campaign is not None and not optional:
                self.fields["campaign"].initial = campaign.code
        for name, field in self.fields.items():
            if name != "file":
                field.widget.attrs.setdefault("class", "form-select form-select-lg")
        self.order_fields(["campaign", "agency", "file"])

    def codes(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.parameters}


class ReportForm(forms.Form):
    campaign = forms.ChoiceField(label=_("Campaign"))

    def __init__(self, *args, campaign: Campaign | None = None, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = _campaign_choices(blank=False, campaigns=campaigns)
        self.fields["campaign"].widget.attrs["class"] = "form-select"
        if campaign is not None:
            self.fields["campaign"].initial = campaign.code


MEASURES = [("bhyt", _("BHYT (of the population)")), ("bhxh", _("BHXH (of the labour force)"))]


class DashboardFilters(forms.Form):
    """The provincial dashboard's GET parameters; anything invalid falls back to the default."""

    office = forms.ChoiceField(label=_("BHXH office"), required=False)
    kind = forms.ChoiceField(
        label=_("Agency kind"), required=False, choices=[("", _("All kinds")), *CollectionAgency.Kind.choices]
    )
    product = forms.ChoiceField(
        label=_("Product"), required=False, choices=[("", _("Both products (weighted)")), *Product.choices]
    )
    measure = forms.ChoiceField(label=_("Coverage"), required=False, choices=MEASURES)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    csort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, offices: list[BhxhOffice], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [("", _("All BHXH offices")), *((o.code, o.name) for o in offices)]
        for name in ("office", "kind", "product", "measure"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def values(self) -> dict[str, str]:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name) or "" for name in self.fields} | {"measure": cleaned.get("measure") or "bhyt"}
