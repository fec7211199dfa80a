from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = admin.site.site_title = _("MEPSIS (read-only view of the data)")
admin.site.index_title = _("Migrant Education Program records")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("mepsis.api.urls")),
    # The pages last: "admin/" (and "api/") come first.
    path("", include("mepsis.web.urls")),
]
