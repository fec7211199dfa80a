from django.contrib import admin

from mepsis.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Child, Coe, CoeChild, CoeVersion


class CoeChildInline(ReadOnlyInline):
    model = CoeChild
    fields = ["index", "child", "residency_date", "eligibility_start", "last_eligible_day", "end_reason"]


class CoeVersionInline(ReadOnlyInline):
    model = CoeVersion
    fields = ["number", "created_at", "created_by", "why", "document"]


@admin.register(Coe)
class CoeAdmin(ReadOnlyAdmin):
    list_display = ["coe_id", "status", "qad", "interview_date", "to_district_id", "version", "updated_at"]
    list_filter = ["status", "void_reason"]
    search_fields = ["coe_id", "to_district_id"]
    date_hierarchy = "qad"
    exclude = ["content_hash"]
    inlines = [CoeChildInline, CoeVersionInline]


class ChildCoeInline(ReadOnlyInline):
    model = CoeChild
    fk_name = "child"
    fields = ["coe", "index", "eligibility_start", "last_eligible_day", "end_reason"]


@admin.register(Child)
class ChildAdmin(ReadOnlyAdmin):
    list_display = ["child_id", "first_name", "last_name_1", "last_name_2", "birth_date", "sex", "state_student_id"]
    search_fields = ["child_id", "first_name", "last_name_1", "last_name_2", "state_student_id"]
    inlines = [ChildCoeInline]
