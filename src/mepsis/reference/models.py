from django.db import models
from django.utils.translation import gettext_lazy as _


class Descriptor(models.Model):
    """An Ed-Fi descriptor value (Data Standard 5.2), as the SMEPA export writes it: ``namespace#codeValue``."""

    descriptor = models.CharField(_("descriptor"), max_length=80)
    namespace = models.CharField(_("namespace"), max_length=200)
    code_value = models.CharField(_("code value"), max_length=200)
    short_description = models.CharField(_("short description"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("Ed-Fi descriptor value")
        constraints = [models.UniqueConstraint(fields=["descriptor", "code_value"], name="descriptor_code_unique")]

    def __str__(self):
        return self.uri

    @property
    def uri(self) -> str:
        return f"{self.namespace}#{self.code_value}"
