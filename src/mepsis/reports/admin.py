from django.contrib import admin

from mepsis.admin import ReadOnlyAdmin

from .models import SmepaRecord


@admin.register(SmepaRecord)
class SmepaRecordAdmin(ReadOnlyAdmin):
    """The SMEPA records as published; they change only through a refresh (mepsis.reports.smepa)."""

    list_display = ["student_unique_id", "child", "district", "school_year", "begin_date", "end_date",
                    "last_qualifying_move", "eligibility_expiration_date", "priority_for_services", "withdrawn",
                    "updated_at"]
    list_filter = ["school_year", "withdrawn", "priority_for_services", "district"]
    list_select_related = ["child", "district"]
    search_fields = ["student_unique_id", "child__child_id", "district__district_id", "district__name"]
    date_hierarchy = "updated_at"
    ordering = ["-updated_at", "id"]
