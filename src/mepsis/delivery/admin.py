from django.contrib import admin

from mepsis.admin import ReadOnlyAdmin

from .models import ContinuationOfServices, PfsDetermination, PfsRuleSet, Project, Service


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["project_id", "name", "session_type", "district", "region"]
    list_filter = ["session_type"]
    search_fields = ["project_id", "name"]


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ["child", "service", "project", "begin_date", "end_date", "hours", "basis"]
    list_filter = ["service", "basis", "project__session_type"]
    search_fields = ["child__child_id", "child__state_student_id", "project__project_id"]
    list_select_related = ["child", "project"]
    raw_id_fields = ["child", "coe", "project", "continuation"]


@admin.register(ContinuationOfServices)
class ContinuationAdmin(ReadOnlyAdmin):
    list_display = ["child", "reason", "begin_date", "end_date", "recorded_by", "ended_at"]
    list_filter = ["reason"]
    search_fields = ["child__child_id"]
    list_select_related = ["child"]


@admin.register(PfsRuleSet)
class PfsRuleSetAdmin(ReadOnlyAdmin):
    list_display = ["version", "active", "created_by", "created_at"]


@admin.register(PfsDetermination)
class PfsDeterminationAdmin(ReadOnlyAdmin):
    list_display = ["child", "determination_date", "pfs", "rule_set", "determined_at"]
    list_filter = ["pfs"]
    search_fields = ["child__child_id"]
    list_select_related = ["child", "rule_set"]
    raw_id_fields = ["child", "rule_set"]
