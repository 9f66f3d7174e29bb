from django.contrib import admin

from .models import CollectionAgency, Collector, WeeklyQuota


class CollectorInline(admin.TabularInline):
    model = Collector
    extra = 0
    fields = ["code", "name", "phone", "user", "active"]
    raw_id_fields = ["user"]


@admin.register(CollectionAgency)
class CollectionAgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "office", "active", "is_demo"]
    list_filter = ["kind", "office", "active", "is_demo"]
    search_fields = ["code", "name"]
    filter_horizontal = ["communes"]
    list_select_related = ["office"]
    inlines = [CollectorInline]


@admin.register(Collector)
class CollectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "agency", "phone", "user", "active"]
    list_filter = ["active", "agency__kind", "agency__office"]
    search_fields = ["code", "name", "phone", "agency__code", "agency__name"]
    list_select_related = ["agency", "user"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["agency"]


@admin.register(WeeklyQuota)
class WeeklyQuotaAdmin(admin.ModelAdmin):
    list_display = ["agency", "week", "product", "count"]
    list_filter = ["week__campaign", "week__number", "product"]
    search_fields = ["agency__code", "agency__name"]
    list_select_related = ["agency", "week", "week__campaign"]
    autocomplete_fields = ["agency"]
