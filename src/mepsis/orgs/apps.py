from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "mepsis.orgs"
    verbose_name = _("Districts, schools and regions")
