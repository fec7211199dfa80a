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


class CountedRow(models.Model):
    """A child counted in a category of a performance period through a COE to a district (the rows behind
    the dashboards' counts over time, ``mepsis.reports.dashboards.refresh_counts``): one row per child and
    district, so a region's or district's count is a count of distinct children over them."""

    period = models.CharField(max_length=7)
    category = models.CharField(max_length=9)
    child = models.ForeignKey(Child, models.CASCADE, related_name="+", db_index=False)
    district = models.CharField(max_length=32)  # the COE's to_district_id; "" when it names none
    region = models.CharField(max_length=100)  # that district's region name; "" when it has none

    class Meta:
        indexes = [models.Index(fields=["child", "period"]), models.Index(fields=["district", "period"]),
                   models.Index(fields=["region", "period"])]


class CountSnapshot(models.Model):
    """How many children count in a category of a period in a district or region, kept up to date by the
    writes that change a count's inputs, so that a dashboard reads it instead of counting a state's COEs."""

    period = models.CharField(max_length=7)
    category = models.CharField(max_length=9)
    level = models.CharField(max_length=8)  # district or region
    group = models.CharField(max_length=100)
    children = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "group", "period", "category"],
                                               name="count_snapshot_unique")]


class CountedPeriod(models.Model):
    """A period whose counts are kept (``CountedRow``, ``CountSnapshot``), and when they were last refreshed."""

    period = models.CharField(max_length=7, unique=True)
    computed_at = models.DateTimeField()
