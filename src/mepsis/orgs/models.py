from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A group of districts administered together (a Wisconsin CESA, a California migrant region)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("region")
        ordering = ["name"]

    def __str__(self):
        return self.name


class District(models.Model):
    """A local education agency (LEA)."""

    district_id = models.CharField(_("district id"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    nces_id = models.CharField(_("NCES district id"), max_length=20, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="districts",
                               verbose_name=_("region"))
    edfi_id = models.BigIntegerField(_("Ed-Fi education organization id"), null=True, blank=True)

    class Meta:
        verbose_name = _("district")
        ordering = ["district_id"]

    def __str__(self):
        return f"{self.district_id} {self.name}"


class School(models.Model):
    district = models.ForeignKey(District, models.PROTECT, related_name="schools", verbose_name=_("district"))
    school_id = models.CharField(_("school id"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    nces_id = models.CharField(_("NCES school id"), max_length=20, blank=True)
    grades = models.CharField(_("grades"), max_length=40, blank=True)
    edfi_id = models.BigIntegerField(_("Ed-Fi education organization id"), null=True, blank=True)

    class Meta:
        verbose_name = _("school")
        ordering = ["district__district_id", "school_id"]
        constraints = [models.UniqueConstraint(fields=["district", "school_id"], name="school_unique_in_district")]

    def __str__(self):
        return f"{self.school_id} {self.name}"
