"""MEP services delivered, continuation of services, and priority for services (PFS).

- ``Project``: a MEP project, run during the regular school year or a summer term/intersession
  (``session_type``), by a district or a region.
- ``Service``: one MEP service delivered to a child in a project on [``begin_date``, ``end_date``].
  ``service`` is the EDFacts code (READINSTR ... REFSERV); instructional services carry ``hours``.
  ``basis`` says why it was allowed: the child was ``eligible`` on every day of it, or it is served under a
  ``continuation`` (``continuation`` names the one that covers its first day without eligibility). ``coe`` is
  the COE that made the child eligible on its begin date (none for a service that begins under a
  continuation). A service is unique by child, project, service and begin date, so importing the
  same file again changes nothing.
- ``ContinuationOfServices``: a reviewer's decision that a child whose eligibility ended may still be
  served (ESEA 1304(e)) for one of the three Ed-Fi reasons, on [``begin_date``, ``end_date``]. Ended early
  (``ended_at``), never deleted.
- ``PfsRuleSet``: the state's at-risk criteria (``criteria``: see ``mepsis.rules.pfs``), one version per
  edit; exactly one is ``active``, the older ones are kept.
- ``PfsIndicator``: one imported datum the criteria read (state student id, indicator, date, value), with
  the ``PfsImport`` that brought it.
- ``PfsDetermination``: PFS of a child on a date, with the inputs it was computed from and the rule set
  version; a new row each time the result's inputs change, the old ones kept.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mepsis.orgs.models import District, Region
from mepsis.registry.models import Child, Coe
from mepsis.rules import services as rules


class SessionType(models.TextChoices):
    REGULAR = "regular", _("regular school year")
    SUMMER = "summer", _("summer or intersession")


class Project(models.Model):
    project_id = models.CharField(_("project id"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    session_type = models.CharField(_("session type"), max_length=8, choices=SessionType.choices)
    district = models.ForeignKey(District, models.PROTECT, null=True, blank=True, related_name="projects",
                                 verbose_name=_("district"))
    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="projects",
                               verbose_name=_("region"))

    class Meta:
        verbose_name = _("MEP project")

    def __str__(self):
        return f"{self.project_id} {self.name}"


class ContinuationReason(models.TextChoices):
    SCHOOL_TERM = rules.SCHOOL_TERM, _("Ceased to be migratory during school term")
    PREVIOUS_TERM = rules.PREVIOUS_TERM, _("Ceased to be migratory during previous term")
    SECONDARY_CREDIT = rules.SECONDARY_CREDIT, _("Previously migratory secondary student")


class ContinuationOfServices(models.Model):
    child = models.ForeignKey(Child, models.PROTECT, related_name="continuations", verbose_name=_("child"))
    reason = models.CharField(_("reason"), max_length=20, choices=ContinuationReason.choices)
    begin_date = models.DateField(_("begin date"))
    end_date = models.DateField(_("end date"))
    why = models.TextField(_("why"))
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=150, blank=True)
    ended_why = models.TextField(_("why ended"), blank=True)

    class Meta:
        verbose_name = _("continuation of services")
        verbose_name_plural = _("continuations of services")
        indexes = [models.Index(fields=["child", "begin_date"])]

    def __str__(self):
        return f"{self.child.child_id} {self.reason} {self.begin_date}..{self.end_date}"


class ServiceBasis(models.TextChoices):
    ELIGIBLE = "eligible", _("eligible")
    CONTINUATION = "continuation", _("continuation of services")


class Service(models.Model):
    """An import writes millions of these at once, so the table keeps only the indexes the counts use
    (``service_unique`` leads with the child), and no database-level check of references the import has
    already resolved itself from the same tables in the same transaction (children, COEs, projects and
    continuations are never deleted: PROTECT); checking two million of them again at commit took minutes."""

    child = models.ForeignKey(Child, models.PROTECT, related_name="services", verbose_name=_("child"),
                              db_index=False, db_constraint=False)
    coe = models.ForeignKey(Coe, models.PROTECT, null=True, blank=True, related_name="services",
                            verbose_name=_("COE"), db_index=False, db_constraint=False)
    service = models.CharField(_("service"), max_length=12, choices=[(code, code) for code in rules.SERVICES])
    project = models.ForeignKey(Project, models.PROTECT, related_name="services", verbose_name=_("project"),
                                db_index=False, db_constraint=False)
    begin_date = models.DateField(_("begin date"))
    end_date = models.DateField(_("end date"))
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2, null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=12, choices=ServiceBasis.choices)
    continuation = models.ForeignKey(ContinuationOfServices, models.PROTECT, null=True, blank=True,
                                     related_name="services", verbose_name=_("continuation"), db_index=False,
                                     db_constraint=False)
    recorded_at = models.DateTimeField(_("recorded"))
    recorded_by = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        verbose_name = _("MEP service")
        constraints = [models.UniqueConstraint(fields=["child", "project", "service", "begin_date"],
                                               name="service_unique")]
        # Led by the end date: the counts and dashboards ask for the services still going on in a recent period
        # (end_date >= its first day), a small part of years of services; begin_date <= its last day is most.
        indexes = [models.Index(fields=["end_date", "begin_date"])]

    def __str__(self):
        return f"{self.child.child_id} {self.service} {self.begin_date}..{self.end_date}"


class PfsRuleSet(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    criteria = models.JSONField(_("criteria"))
    created_by = models.CharField(_("by"), max_length=150)
    created_at = models.DateTimeField(_("created"))
    why = models.TextField(_("why"), blank=True)
    active = models.BooleanField(_("active"), default=False)

    class Meta:
        verbose_name = _("PFS rule set")

    def __str__(self):
        return f"PFS rule set v{self.version}"


class PfsImport(models.Model):
    started_at = models.DateTimeField(_("started"))
    file_name = models.CharField(_("file"), max_length=300, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    summary = models.JSONField(_("summary"), default=dict)

    class Meta:
        verbose_name = _("PFS indicator import")


class PfsIndicator(models.Model):
    state_student_id = models.CharField(_("state student id"), max_length=32)
    indicator = models.CharField(_("indicator"), max_length=40)
    date = models.DateField(_("date"))
    value = models.CharField(_("value"), max_length=100)
    imported_by = models.ForeignKey(PfsImport, models.PROTECT, related_name="indicators",
                                    verbose_name=_("import"), db_index=False)

    class Meta:
        verbose_name = _("PFS indicator")
        constraints = [models.UniqueConstraint(fields=["state_student_id", "indicator", "date"],
                                               name="pfs_indicator_unique")]


class PfsDetermination(models.Model):
    child = models.ForeignKey(Child, models.PROTECT, related_name="pfs_determinations", verbose_name=_("child"),
                              db_index=False)
    determination_date = models.DateField(_("determination date"))
    pfs = models.BooleanField(_("priority for services"))
    inputs = models.JSONField(_("inputs"))
    rule_set = models.ForeignKey(PfsRuleSet, models.PROTECT, related_name="determinations",
                                 verbose_name=_("rule set"), db_index=False)
    determined_at = models.DateTimeField(_("determined"))
    determined_by = models.CharField(_("by"), max_length=150)

    class Meta:
        verbose_name = _("PFS determination")
        indexes = [models.Index(fields=["child", "determination_date"])]
