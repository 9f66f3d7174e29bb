from datetime import timedelta

from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from core import clock
from core.audit_admin import HistoryAdmin

from .models import (
    BhxhOffice,
    Campaign,
    CampaignWeek,
    Commune,
    CoverageBaseline,
    PolicyParameters,
    Province,
)
from .services import save_campaign


class CampaignWeekInline(admin.TabularInline):
    model = CampaignWeek
    extra = 0
    can_delete = False
    readonly_fields = ["number", "start_date", "end_date"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "start_date", "end_date", "status", "bhyt_target_pct", "bhxh_target_pct", "is_demo"]
    list_filter = ["status", "is_demo"]
    search_fields = ["code", "name"]
    inlines = [CampaignWeekInline]

    def save_model(self, request, obj, form, change):
        # Weeks are derived from the dates: one service keeps them in step.
        save_campaign(campaign=obj)


@admin.register(CampaignWeek)
class CampaignWeekAdmin(admin.ModelAdmin):
    list_display = ["campaign", "number", "start_date", "end_date"]
    list_filter = ["campaign"]
    readonly_fields = ["campaign", "number", "start_date", "end_date"]

    def has_add_permission(self, request):
        return False


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(BhxhOffice)
class BhxhOfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province", "is_demo"]
    list_filter = ["province", "is_demo"]
    search_fields = ["code", "name"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province", "office"]
    list_filter = ["kind", "province", "office"]
    search_fields = ["code", "name", "codename"]
    list_select_related = ["province", "office"]


@admin.register(CoverageBaseline)
class CoverageBaselineAdmin(admin.ModelAdmin):
    list_display = ["commune", "campaign", "population", "labour_force", "bhyt_insured", "bhxh_insured", "as_of"]
    list_filter = ["campaign"]
    search_fields = ["commune__name", "commune__code"]
    list_select_related = ["commune", "campaign"]
    autocomplete_fields = ["commune"]


@admin.register(PolicyParameters)
class PolicyParametersAdmin(HistoryAdmin):
    """Rates change by decree: admins add a row with the date it takes effect, never edit the past."""

    def get_queryset(self, request):
        # Each row runs until the day before the next one starts: one subquery, not a query per row.
        following = PolicyParameters.objects.filter(effective_from__gt=OuterRef("effective_from")).order_by(
            "effective_from"
        )
        return super().get_queryset(request).annotate(next_from=Subquery(following.values("effective_from")[:1]))

    @admin.display(description=_("in force until"))
    def in_force_until(self, obj):
        return (obj.next_from - timedelta(days=1)).strftime("%d/%m/%Y") if obj.next_from else _("until further notice")

    @admin.display(description=_("in force today"), boolean=True)
    def in_force_today(self, obj):
        today = clock.today()
        return obj.effective_from <= today and (obj.next_from is None or today < obj.next_from)

    list_display = [
        "effective_from",
        "in_force_until",
        "in_force_today",
        "base_salary",
        "bhyt_rate_pct",
        "bhxh_rate_pct",
        "bhxh_income_floor",
        "legal_basis",
    ]
    fieldsets = [
        (None, {"fields": ["effective_from", "legal_basis", "base_salary"]}),
        (
            "BHYT hộ gia đình",
            {
                "fields": [
                    "bhyt_rate_pct",
                    "bhyt_member2_pct",
                    "bhyt_member3_pct",
                    "bhyt_member4_pct",
                    "bhyt_member5_pct",
                    "bhyt_months",
                    "bhyt_waiting_days",
                ]
            },
        ),
        (
            "BHXH tự nguyện",
            {
                "fields": [
                    "bhxh_rate_pct",
                    "bhxh_income_floor",
                    "bhxh_reference_level",
                    "bhxh_income_cap_multiple",
                    "bhxh_support_poor_pct",
                    "bhxh_support_near_poor_pct",
                    "bhxh_support_ethnic_minority_pct",
                    "bhxh_support_other_pct",
                    "bhxh_months",
                    "bhxh_support_max_months",
                ]
            },
        ),
    ]
