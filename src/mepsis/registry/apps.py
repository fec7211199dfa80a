from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "mepsis.registry"
    verbose_name = _("Children, families and COEs")
