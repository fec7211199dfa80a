from django.contrib import admin

from mepsis.admin import ReadOnlyAdmin

from .models import ApiToken, AuditEvent, RoleGrant


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "why"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor"]
    date_hierarchy = "at"


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "district", "region", "granted_at", "granted_by", "ended_at", "ended_by"]
    list_filter = ["role"]
    search_fields = ["user__username"]
    list_select_related = ["user", "district", "region", "granted_by", "ended_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["user__username", "prefix"]
    exclude = ["key_hash"]
