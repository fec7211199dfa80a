from django.contrib import admin

from mepsis.admin import ReadOnlyAdmin

from .models import Descriptor


@admin.register(Descriptor)
class DescriptorAdmin(ReadOnlyAdmin):
    list_display = ["descriptor", "code_value", "short_description"]
    list_filter = ["descriptor"]
    search_fields = ["code_value"]
