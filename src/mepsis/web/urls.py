"""Every page of MEPSIS: each area's module brings its own ``urlpatterns``; add an area with one import."""

from django.urls import include, path

from mepsis.web.views import auth, home
from mepsis.web.views import children
from mepsis.web.views import district
from mepsis.web.views import people
from mepsis.web.views import coes, referrals, review, worklist
from mepsis.web.views import dashboards
from mepsis.web.views import services

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    *auth.urlpatterns,
    *home.urlpatterns,
    *children.urlpatterns,
    *district.urlpatterns,
    *people.urlpatterns,
    *coes.urlpatterns,
    *review.urlpatterns,
    *worklist.urlpatterns,
    *referrals.urlpatterns,
    *dashboards.urlpatterns,
    *services.urlpatterns,
]
