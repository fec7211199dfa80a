from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "mepsis.delivery"
    verbose_name = _("Services and priority for services")
