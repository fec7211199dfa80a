"""The registry: children, families and Certificates of Eligibility with their versions.

A COE's content lives in its versions (``CoeVersion.document``), never edited once written; the COE row
carries its workflow status and the columns that queries need. ``CoeChild`` is the list of children of
the current version with their eligibility interval, kept so that "eligible on day d" is one indexed query.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mepsis.rules import END_REASON_LABELS


class CoeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    VOID = "void", _("void")


class VoidReason(models.TextChoices):
    FOUND_INELIGIBLE = "FOUND_INELIGIBLE", _("found ineligible (re-interview or review)")
    DUPLICATE = "DUPLICATE", _("duplicate of another COE")
    OTHER = "OTHER", _("other")




class Child(models.Model):
    """One person, with one ``child_id`` across all the COEs that list them (like California's MSD number).

    The identity columns follow the newest COE version that lists the child.
    """

    child_id = models.CharField(_("child id"), max_length=32, unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name_1 = models.CharField(_("last name 1"), max_length=100)
    last_name_2 = models.CharField(_("last name 2"), max_length=100, blank=True)
    suffix = models.CharField(_("suffix"), max_length=20, blank=True)
    sex = models.CharField(_("sex"), max_length=1)
    birth_date = models.DateField(_("birth date"))
    state_student_id = models.CharField(_("state student id"), max_length=32, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        # The second is the children lists' order (``mepsis.web.views.children.ChildFilter``).
        indexes = [models.Index(fields=["last_name_1", "birth_date"]),
                   models.Index(fields=["last_name_1", "last_name_2", "first_name", "child_id"], name="child_by_name")]

    def __str__(self):
        return f"{self.child_id} {self.first_name} {self.last_name_1}"


class Family(models.Model):
    """The family data of a COE (the national COE's first section), from its current version."""

    parent1_name = models.CharField(_("parent/guardian 1"), max_length=200, blank=True)
    parent2_name = models.CharField(_("parent/guardian 2"), max_length=200, blank=True)
    address = models.CharField(_("current address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    home_language = models.CharField(_("home language"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")

    def __str__(self):
        return " / ".join(name for name in (self.parent1_name, self.parent2_name) if name) or f"family {self.pk}"


class Coe(models.Model):
    coe_id = models.CharField(_("COE id"), max_length=40, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=CoeStatus.choices, db_index=True)
    version = models.PositiveIntegerField(_("current version"))
    content_hash = models.CharField(max_length=64)
    family = models.OneToOneField(Family, models.PROTECT, related_name="coe", verbose_name=_("family"))
    interview_date = models.DateField(_("interview date"), null=True)
    qad = models.DateField(_("qualifying arrival date"), null=True, db_index=True)
    to_district_id = models.CharField(_("district moved to"), max_length=20, blank=True, db_index=True)
    return_reasons = models.JSONField(_("return reasons"), default=list, blank=True)
    void_reason = models.CharField(_("void reason"), max_length=20, choices=VoidReason.choices, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("certificate of eligibility")
        verbose_name_plural = _("certificates of eligibility")

    def __str__(self):
        return self.coe_id


class CoeVersion(models.Model):
    """One version of a COE's content, kept for ever: a correction adds a version, with who, when and why."""

    coe = models.ForeignKey(Coe, models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    document = models.JSONField(_("document"))
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.CharField(_("by"), max_length=150)
    why = models.TextField(_("why"), blank=True)

    class Meta:
        verbose_name = _("COE version")
        constraints = [models.UniqueConstraint(fields=["coe", "number"], name="coe_version_unique")]

    def __str__(self):
        return f"{self.coe.coe_id} v{self.number}"


class CoeChild(models.Model):
    """A child listed on the current version of a COE, with the eligibility the rules give them there.

    Derived from the current version; rewritten with each new version (the history is in the versions).
    """

    coe = models.ForeignKey(Coe, models.PROTECT, related_name="children")
    child = models.ForeignKey(Child, models.PROTECT, related_name="coe_entries")
    index = models.PositiveSmallIntegerField(_("position on the COE"))
    residency_date = models.DateField(_("residency date"), null=True)
    eligibility_start = models.DateField(_("eligibility start"), null=True)
    last_eligible_day = models.DateField(_("last eligible day"), null=True)
    end_reason = models.CharField(_("end reason"), max_length=30, choices=[(str(reason), _(label)) for reason, label in END_REASON_LABELS.items()], blank=True)

    class Meta:
        verbose_name = _("child on a COE")
        verbose_name_plural = _("children on a COE")
        constraints = [models.UniqueConstraint(fields=["coe", "index"], name="coe_child_index_unique")]
        indexes = [models.Index(fields=["eligibility_start", "last_eligible_day"])]

    def __str__(self):
        return f"{self.coe.coe_id}[{self.index}] {self.child.child_id}"


class DistrictChild(models.Model):
    """A child of a district: one with an enrollment linked to them there or on a COE moving there (any
    status), with the names the children lists sort by, so that a district's list reads its first 25 rows in
    name order from an index instead of sorting the district's thousands of children on every page.

    Derived: ``mepsis.registry.roster.refresh_roster`` rewrites a child's rows whenever the writes that change
    them run (COEs, the enrollment ingest, the linkage of enrollments and children).
    """

    district = models.CharField(max_length=20)  # the district's id (a COE may name one not loaded yet)
    child = models.ForeignKey(Child, models.CASCADE, related_name="districts")
    last_name_1 = models.CharField(max_length=100)
    last_name_2 = models.CharField(max_length=100, blank=True)
    first_name = models.CharField(max_length=100)
    child_key = models.CharField(max_length=32)  # the child's child_id, the last key of the name order

    class Meta:
        # One index for the lists' order, unique (a child once a district) as the child's key ends it.
        constraints = [models.UniqueConstraint(
            fields=["district", "last_name_1", "last_name_2", "first_name", "child_key"], name="district_child_by_name")]
