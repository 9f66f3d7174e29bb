from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign
from core.audit_admin import HistoryAdmin

from .forms import AwardRuleForm, prizes_as_text
from .models import AwardRule, Ranking
from .selectors import prize_budget
from .services import save_award_rule


@admin.register(AwardRule)
class AwardRuleAdmin(HistoryAdmin):
    """Admins edit the rules here; the list shows every prize against each campaign's award budget."""

    form = AwardRuleForm
    list_display = ["name", "code", "campaign", "period", "subject", "metric", "threshold", "prizes_shown", "active"]
    list_filter = ["campaign", "period", "subject", "metric", "active"]
    search_fields = ["code", "name"]
    list_select_related = ["campaign"]
    fieldsets = [
        (None, {"fields": ["campaign", "code", "name", "period", "subject", "metric", "active"]}),
        (
            _("Score"),
            {
                "fields": ["bhxh_tn_weight", "bhyt_hgd_weight", "threshold"],
                "description": _(
                    "Points: each new or rejoining participant is worth the product's weight. Attainment: "
                    "the weighted mean of actual / quota × 100 over the products the agency has a quota for."
                ),
            },
        ),
        (_("Prizes and ties"), {"fields": ["prizes", "tie_break_1", "tie_break_2", "tie_break_3", "tie_break_4"]}),
        (None, {"fields": ["description"]}),
    ]

    @admin.display(description=_("prizes"))
    def prizes_shown(self, rule: AwardRule) -> str:
        return prizes_as_text(rule.prizes)

    def save_model(self, request, obj, form, change):
        save_award_rule(rule=obj)

    def changelist_view(self, request, extra_context=None):
        campaigns = Campaign.objects.filter(award_rules__isnull=False).distinct().order_by("-start_date")
        extra_context = {**(extra_context or {}), "budgets": [(c, prize_budget(campaign=c)) for c in campaigns]}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(Ranking)
class RankingAdmin(HistoryAdmin):
    """Read-only: rankings are computed, published and re-opened on the rankings pages, never edited."""

    list_display = ["__str__", "campaign", "week", "version", "status", "computed_at", "published_at", "site_link"]
    list_filter = ["campaign", "status", "rule__period", "rule__subject"]
    list_select_related = ["rule", "campaign", "week"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("page"))
    def site_link(self, ranking: Ranking) -> str:
        return format_html('<a href="{}">{}</a>', reverse("awards:detail", args=[ranking.pk]), _("open"))
