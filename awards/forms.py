"""Forms of the awards app: the rule editor (in the admin site) and the admins' actions on rankings."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from campaign.templatetags.vn_format import vn_number
from core.text import is_digits

from .models import AwardRule, TieBreak

_PRIZE_ITEM = re.compile(r"^(?P<amount>[\d .]+?)\s*(?:[₫đ]|vnd)?\s*(?:[x×*]\s*(?P<times>\d+))?$", re.IGNORECASE)


def prizes_as_text(prizes: list[int]) -> str:
    """[1500000, 1500000, 1000000] → "1.500.000 × 2, 1.000.000": how the editor shows a list."""
    groups: list[list[int]] = []
    for amount in prizes or []:
        if groups and groups[-1][0] == amount:
            groups[-1][1] += 1
        else:
            groups.append([amount, 1])
    return ", ".join(vn_number(amount) + (f" × {times}" if times > 1 else "") for amount, times in groups)


class PrizeListField(forms.CharField):
    """The prizes from the 1st rank down, typed as admins write them: "3.000.000, 2.000.000" or "500.000 × 4"."""

    default_error_messages = {
        "invalid": _(
            "Write the prizes from the 1st rank down, separated by commas, in whole đồng; "
            "'× 3' repeats one, for example: 1.500.000 × 3, 1.000.000 × 3, 500.000 × 4."
        )
    }

    def prepare_value(self, value):
        if isinstance(value, list):
            return prizes_as_text(value)
        return value

    def to_python(self, value):
        text = super().to_python(value).strip()
        if not text:
            return []
        prizes = []
        for item in text.split(","):
            match = _PRIZE_ITEM.match(item.strip())
            digits = re.sub(r"[ .]", "", match.group("amount")) if match else ""
            if not is_digits(digits):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            times = int(match.group("times") or 1)
            if not 1 <= times <= 1000:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            prizes.extend([int(digits)] * times)
        return prizes


TIE_BREAK_SLOTS = 4
NO_TIE_BREAK = [("", "—")]


def _tie_break_field(number: int) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=format_lazy("{} {}", _("tie-break"), number),
        choices=NO_TIE_BREAK + list(TieBreak.choices),
        required=False,
    )


class AwardRuleForm(forms.ModelForm):
    tie_break_1 = _tie_break_field(1)
    tie_break_2 = _tie_break_field(2)
    tie_break_3 = _tie_break_field(3)
    tie_break_4 = _tie_break_field(4)
    prizes = PrizeListField(
        label=_("prizes (đồng, from the 1st rank down)"),
        required=False,
        help_text=_("For example: 3.000.000, 2.000.000, 1.000.000 or 1.500.000 × 3, 1.000.000 × 3, 500.000 × 4."),
        widget=forms.TextInput(attrs={"size": 60}),
    )

    class Meta:
        model = AwardRule
        fields = [
            "campaign",
            "code",
            "name",
            "period",
            "subject",
            "metric",
            "bhxh_tn_weight",
            "bhyt_hgd_weight",
            "threshold",
            "prizes",
            "active",
            "description",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.tie_breaks or [])
        for slot in range(TIE_BREAK_SLOTS):
            self.fields[f"tie_break_{slot + 1}"].initial = current[slot] if slot < len(current) else ""

    def clean(self):
        cleaned = super().clean()
        order = [cleaned.get(f"tie_break_{slot + 1}") for slot in range(TIE_BREAK_SLOTS)]
        order = [value for value in order if value]
        if len(set(order)) != len(order):
            raise ValidationError({"tie_break_1": _("Choose each tie-break at most once.")})
        if TieBreak.CODE not in order:
            order.append(TieBreak.CODE.value)  # the code always settles what is still tied
        self.instance.tie_breaks = order
        return cleaned


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the ranking re-opened?"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=1000,
        help_text=_("Kept with the new version for everyone to see, with your name and the time."),
    )


class PublishForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ComputeForm(forms.Form):
    week = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    final = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("week")) == bool(cleaned.get("final")):
            raise ValidationError(_("Give a week number or ask for the final ranking, not both."))
        return cleaned
