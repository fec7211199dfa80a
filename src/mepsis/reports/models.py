from django.db import models
from django.utils.translation import gettext_lazy as _

from mepsis.orgs.models import District
from mepsis.registry.models import Child


class SmepaRecord(models.Model):
    """The Ed-Fi Student Migrant Education Program Association MEPSIS publishes for an eligible child
    enrolled in a district in a school year. ``updated_at`` changes only when what it says changes, so a
    SIS pulls only what changed (``export smepa --since``); a record that no longer holds is kept,
    ``withdrawn``, so that change can be pulled too."""

    child = models.ForeignKey(Child, models.PROTECT, related_name="smepa_records")
    district = models.ForeignKey(District, models.PROTECT, related_name="smepa_records")
    school_year = models.CharField(_("school year"), max_length=7)
    student_unique_id = models.CharField(_("state student id"), max_length=32)
    begin_date = models.DateField(_("begin date"))
    end_date = models.DateField(_("end date"), null=True)
    last_qualifying_move = models.DateField(_("last qualifying move"))
    state_residency_date = models.DateField(_("state residency date"), null=True)
    eligibility_expiration_date = models.DateField(_("eligibility expiration date"), null=True)
    priority_for_services = models.BooleanField(_("priority for services"), default=False)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    updated_at = models.DateTimeField(_("updated"), db_index=True)

    class Meta:
        verbose_name = _("SMEPA record")
        constraints = [models.UniqueConstraint(fields=["child", "district", "school_year"], name="smepa_unique")]
