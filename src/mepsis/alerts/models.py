from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.orgs.models import District, School
from mepsis.registry.models import Child, Coe


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


class Referral(models.Model):
    """A family that district staff suspect is migratory, referred to the state's recruiters for an interview.

    It moves open -> assigned (to a recruiter) -> interviewed -> closed, only through the actions of
    ``mepsis.alerts.actions``; the COE the interview produced, if any, is its outcome.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ASSIGNED = "assigned", _("assigned")
        INTERVIEWED = "interviewed", _("interviewed")
        CLOSED = "closed", _("closed")

    district = models.ForeignKey(District, models.PROTECT, related_name="referrals", verbose_name=_("district"))
    school = models.ForeignKey(School, models.PROTECT, null=True, blank=True, related_name="referrals",
                               verbose_name=_("school"))
    family_name = models.CharField(_("family"), max_length=200)
    child_names = models.JSONField(_("children"), default=list, blank=True)
    contact = models.CharField(_("how to reach the family"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                   verbose_name=_("referred by"))
    created_at = models.DateTimeField(_("referred"), auto_now_add=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="assigned_referrals", verbose_name=_("recruiter"))
    outcome_coe = models.ForeignKey(Coe, models.PROTECT, null=True, blank=True, related_name="referrals",
                                    verbose_name=_("COE"))
    closing_note = models.TextField(_("why closed"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("referral")
        indexes = [models.Index(fields=["district", "status"]), models.Index(fields=["assigned_to", "status"])]

    def __str__(self):
        return f"{self.pk} {self.family_name}"
