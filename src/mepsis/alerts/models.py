from django.db import models
from django.utils.translation import gettext_lazy as _

from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.orgs.models import District
from mepsis.registry.models import Child


class Alert(models.Model):
    """A Migrant Student Enrollment Alert for a district, or an alert for the state's recruiters.

    One alert per district (and one for the recruiters) per ingest run, listing its children.
    """

    class Kind(models.TextChoices):
        DISTRICT_ENROLLMENT = "district_enrollment", _("Migrant Student Enrollment Alert")
        RECRUITER_ENROLLMENT = "recruiter_enrollment", _("certified migrant children enrolled")
        RECRUITER_REINTERVIEW = "recruiter_reinterview", _("possible new qualifying move: re-interview")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    district = models.ForeignKey(District, models.PROTECT, null=True, related_name="alerts")
    run = models.ForeignKey(IngestRun, models.PROTECT, related_name="alerts")
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("alert")
        indexes = [models.Index(fields=["district", "acknowledged_at"])]


class AlertChild(models.Model):
    alert = models.ForeignKey(Alert, models.PROTECT, related_name="children")
    child = models.ForeignKey(Child, models.PROTECT, related_name="+")
    enrollment = models.ForeignKey(Enrollment, models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("child of an alert")
