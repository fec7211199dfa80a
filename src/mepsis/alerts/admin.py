from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mepsis.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Alert, AlertChild


class AlertChildInline(ReadOnlyInline):
    model = AlertChild
    fields = ["child", "enrollment"]
    verbose_name_plural = _("children")


class AcknowledgedFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", _("open")), ("acknowledged", _("acknowledged"))]

    def queryset(self, request, queryset):
        if self.value() in ("open", "acknowledged"):
            return queryset.filter(acknowledged_at__isnull=self.value() == "open")
        return queryset


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "district", "run", "created_at", "acknowledged_at", "acknowledged_by"]
    list_filter = ["kind", AcknowledgedFilter]
    search_fields = ["district__district_id", "district__name"]
    date_hierarchy = "created_at"
    list_select_related = ["district", "run"]
    inlines = [AlertChildInline]
