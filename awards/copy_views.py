"""The browser door onto ``copy_campaign``: an admin copies a campaign forward to next year's dates."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.models import Campaign
from collectors.roles import Role, role_required
from core.errors import DomainError

from .copying import copy_campaign

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class CopyCampaignForm(forms.Form):
    source = forms.ModelChoiceField(
        label=gettext_lazy("Campaign to copy"), queryset=Campaign.objects.order_by("-start_date"), to_field_name="code"
    )
    code = forms.SlugField(label=gettext_lazy("New campaign's code"), max_length=40)
    start = forms.DateField(label=gettext_lazy("Start date"), input_formats=DATE_FORMATS)
    end = forms.DateField(label=gettext_lazy("End date"), input_formats=DATE_FORMATS)
    with_quotas = forms.BooleanField(label=gettext_lazy("Copy the weekly quotas"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field, forms.BooleanField) else "form-control"
            field.widget.attrs.setdefault("class", css)


@role_required(Role.ADMIN)
def copy_campaign_page(request):
    """GET: the form; POST: copy, then the new draft campaign's admin page (its rules, weeks and quotas)."""
    form = CopyCampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            copied = copy_campaign(
                source_code=data["source"].code,
                code=data["code"],
                start=data["start"],
                end=data["end"],
                with_quotas=data["with_quotas"],
            )
        except DomainError as exc:
            for key, texts in exc.errors.items():
                form.add_error(key if key in form.fields else None, [str(text) for text in texts])
        else:
            messages.success(
                request,
                _("%(code)s is a draft copy: %(weeks)s weeks, %(rules)s award rules, %(quotas)s quotas.")
                % {"code": copied.campaign.code, "weeks": copied.weeks, "rules": copied.rules, "quotas": copied.quotas},
            )
            return redirect(reverse("admin:campaign_campaign_change", args=[copied.campaign.pk]))
    return render(request, "awards/copy_campaign.html", {"form": form})
