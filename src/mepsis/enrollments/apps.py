from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentsConfig(AppConfig):
    name = "mepsis.enrollments"
    verbose_name = _("Enrollments")
