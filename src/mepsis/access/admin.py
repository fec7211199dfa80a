from django.contrib import admin

from mepsis.admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "why"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor"]
    date_hierarchy = "at"
