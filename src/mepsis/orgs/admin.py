from django.contrib import admin

from mepsis.admin import ReadOnlyAdmin

from .models import District, Region, School


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["name"]


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ["district_id", "name", "region", "nces_id", "edfi_id"]
    list_filter = ["region"]
    search_fields = ["district_id", "name"]


@admin.register(School)
class SchoolAdmin(ReadOnlyAdmin):
    list_display = ["school_id", "name", "district", "grades", "nces_id"]
    search_fields = ["school_id", "name", "district__name"]
