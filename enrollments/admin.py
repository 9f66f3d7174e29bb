from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.template_utils import HistoricalRecordContextHelper

from core.audit_admin import HistoryAdmin
from core.errors import DomainError

from .identity import mask_birth_date, mask_cccd
from .models import (
    Enrollment,
    GiftIssue,
    GiftStock,
    Household,
    Participant,
    ParticipantChange,
    PriorCoverage,
    RenewalContact,
)
from .privacy import PERSONAL_MASKS
from .services import check_gift_stock


@admin.register(Household)
class HouseholdAdmin(HistoryAdmin):
    list_display = ["code", "head_name", "commune"]
    search_fields = ["code", "head_name"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune"]


class MaskedHistoryHelper(HistoricalRecordContextHelper):
    """The history page of a person shows that a CCCD, birth date or phone changed, masked like every list."""

    def prepare_delta_change_value(self, change, value):
        if change.field in PERSONAL_MASKS and value:
            return PERSONAL_MASKS[change.field](value)
        return super().prepare_delta_change_value(change, value)


@admin.register(Participant)
class ParticipantAdmin(HistoryAdmin):
    """The list masks the CCCD and the birth date (search by the full CCCD still finds the person)."""

    list_display = ["full_name", "cccd_masked", "birth_masked", "sex", "commune", "target_group"]
    list_filter = ["sex", "target_group"]
    search_fields = ["cccd", "full_name", "bhxh_code", "phone"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune"]
    raw_id_fields = ["household"]

    @admin.display(description=_("CCCD number"), ordering="cccd")
    def cccd_masked(self, participant: Participant) -> str:
        return mask_cccd(participant.cccd)

    @admin.display(description=_("date of birth"), ordering="date_of_birth")
    def birth_masked(self, participant: Participant) -> str:
        return mask_birth_date(participant.date_of_birth)

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskedHistoryHelper(self.model, historical_record)


@admin.register(PriorCoverage)
class PriorCoverageAdmin(admin.ModelAdmin):
    list_display = ["cccd", "product", "last_coverage_end", "full_name", "commune", "imported_at"]
    list_filter = ["product"]
    search_fields = ["cccd", "full_name"]
    list_select_related = ["commune"]
    raw_id_fields = ["commune"]


@admin.register(Enrollment)
class EnrollmentAdmin(HistoryAdmin):
    """Read-only here: enrollments are recorded and cancelled through the services (form, API, import)."""

    list_display = [
        "participant",
        "product",
        "collected_on",
        "week",
        "agency",
        "classification",
        "amount_payable",
        "status",
        "source",
    ]
    list_filter = ["campaign", "product", "classification", "status", "source", "channel", "week__number"]
    search_fields = ["participant__cccd", "participant__full_name", "receipt_no", "agency__code"]
    list_select_related = ["participant", "week", "agency"]
    date_hierarchy = "collected_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GiftStockForm(forms.ModelForm):
    """The service's refusal (fewer received than already handed over) as an error beside the field."""

    class Meta:
        model = GiftStock
        fields = ["campaign", "agency", "received"]

    def clean(self):
        cleaned = super().clean()
        campaign = cleaned.get("campaign") or (self.instance.campaign if self.instance.campaign_id else None)
        agency = cleaned.get("agency") or (self.instance.agency if self.instance.agency_id else None)
        received = cleaned.get("received")
        if campaign is None or agency is None or received is None:
            return cleaned
        try:
            check_gift_stock(campaign=campaign, agency=agency, received=received)
        except DomainError as exc:
            for field, messages in exc.errors.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(GiftStock)
class GiftStockAdmin(admin.ModelAdmin):
    form = GiftStockForm
    list_display = ["agency", "campaign", "received", "on_hand"]
    list_filter = ["campaign"]
    search_fields = ["agency__code", "agency__name"]
    list_select_related = ["agency", "campaign"]
    readonly_fields = ["on_hand"]

    def get_readonly_fields(self, request, obj=None):
        # A stock row stays the stock of its campaign and agency: only the number received changes.
        return ["campaign", "agency", "on_hand"] if obj is not None else ["on_hand"]

    def save_model(self, request, obj, form, change):
        from .services import set_gift_stock

        set_gift_stock(campaign=obj.campaign, agency=obj.agency, received=obj.received)


@admin.register(GiftIssue)
class GiftIssueAdmin(admin.ModelAdmin):
    list_display = ["participant", "agency", "issued_at", "flagged"]
    list_filter = ["campaign", "flagged"]
    search_fields = ["participant__cccd", "participant__full_name"]
    list_select_related = ["participant", "agency"]
    raw_id_fields = ["participant", "enrollment"]


@admin.register(ParticipantChange)
class ParticipantChangeAdmin(admin.ModelAdmin):
    """What recording changed in stored people: read-only, written by the recording service."""

    list_display = ["changed_at", "participant", "household", "field", "agency", "changed_by"]
    list_filter = ["field", "agency"]
    search_fields = ["participant__cccd", "household__code"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RenewalContact)
class RenewalContactAdmin(admin.ModelAdmin):
    """The renewal lists' contact log: read-only, written by officers from the lists."""

    list_display = ["contacted_on", "cccd", "product", "outcome", "agency", "contacted_by", "recorded_at"]
    list_filter = ["outcome", "product", "agency"]
    search_fields = ["cccd"]
    date_hierarchy = "contacted_on"
    list_select_related = ["agency", "contacted_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
