"""The REST API (interfaces.md, "Web application and REST API"): ``/api/v1/`` and its OpenAPI schema and
documentation."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from .alerts import AlertViewSet
from .children import ChildViewSet
from .coes import CoeViewSet
from .docs import api_docs
from .enrollments import EnrollmentBatchView
from .referrals import ReferralViewSet
from .reports import ChildCountView
from .services import ContinuationView, ServiceViewSet
from .smepa import SmepaViewSet

app_name = "api"

router = DefaultRouter()
router.register("children", ChildViewSet, basename="child")
router.register("coes", CoeViewSet, basename="coe")
router.register("smepa", SmepaViewSet, basename="smepa")
router.register("alerts", AlertViewSet, basename="alert")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("services", ServiceViewSet, basename="service")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/enrollments/", EnrollmentBatchView.as_view(), name="enrollments"),
    path("v1/continuations/", ContinuationView.as_view(), name="continuations"),
    path("v1/reports/child-count/", ChildCountView.as_view(), name="child-count"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_docs, name="docs"),
]
