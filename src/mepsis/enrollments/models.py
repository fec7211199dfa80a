"""Enrollments as districts' student information systems send them each night (interfaces.md, "Enrollment
feed"), with the history of every change and the run that brought it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mepsis.orgs.models import District, School
from mepsis.registry.models import Child

# The columns of a feed row that are stored as they come (the key and the data), in the feed's order.
KEY_FIELDS = ("district_id", "local_student_id", "school_id", "school_year", "entry_date")
DATA_FIELDS = ("state_student_id", "first_name", "middle_name", "last_name", "last_name_2", "sex", "birth_date",
               "grade", "exit_date", "exit_reason", "guardian1_name", "guardian2_name", "birth_country",
               "birth_state", "birth_city", "english_learner", "iep", "free_reduced_lunch")


class IngestRun(models.Model):
    """One ingest of one feed: what came, what changed, and what it raised."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    file_name = models.CharField(_("file"), max_length=300, blank=True)
    actor = models.CharField(_("by"), max_length=150)
    summary = models.JSONField(_("summary"), default=dict)

    class Meta:
        verbose_name = _("ingest run")

    def __str__(self):
        return f"run {self.pk} {self.file_name}"


class Enrollment(models.Model):
    """One row of a feed, by its key. A feed of a million rows writes a million of these at once, so the
    table keeps only the indexes queries use, and no database-level check of references the ingest has
    already resolved itself from the same tables in the same transaction (schools, districts and runs are
    never deleted); checking a million of them again at commit took seconds."""

    district = models.ForeignKey(District, models.PROTECT, related_name="enrollments", db_index=False,
                                 db_constraint=False)
    school = models.ForeignKey(School, models.PROTECT, related_name="enrollments", db_index=False, db_constraint=False)
    local_student_id = models.CharField(_("local student id"), max_length=40)
    school_year = models.CharField(_("school year"), max_length=7)
    entry_date = models.DateField(_("entry date"))
    state_student_id = models.CharField(_("state student id"), max_length=32, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=150)
    last_name_2 = models.CharField(_("last name 2"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=1)
    birth_date = models.DateField(_("birth date"))
    grade = models.CharField(_("grade"), max_length=2)
    exit_date = models.DateField(_("exit date"), null=True)
    exit_reason = models.CharField(_("exit reason"), max_length=30, blank=True)
    guardian1_name = models.CharField(_("guardian 1"), max_length=200, blank=True)
    guardian2_name = models.CharField(_("guardian 2"), max_length=200, blank=True)
    birth_country = models.CharField(_("birth country"), max_length=60, blank=True)
    birth_state = models.CharField(_("birth state"), max_length=60, blank=True)
    birth_city = models.CharField(_("birth city"), max_length=100, blank=True)
    english_learner = models.CharField(_("English learner"), max_length=1, blank=True)
    iep = models.CharField(_("IEP"), max_length=1, blank=True)
    free_reduced_lunch = models.CharField(_("free or reduced-price lunch"), max_length=1, blank=True)
    # The exact-identity key of matching (normalised names, birth date, sex), kept so a run need not
    # recompute it for rows it did not touch.
    identity_key = models.CharField(max_length=300)
    # A hash of the row's data, so the next feed finds what changed by comparing one number; the columns
    # themselves decide where the hashes differ.
    row_hash = models.BigIntegerField()
    first_run = models.ForeignKey(IngestRun, models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    changed_run = models.ForeignKey(IngestRun, models.PROTECT, related_name="+", db_constraint=False)
    child = models.ForeignKey(Child, models.PROTECT, null=True, related_name="enrollments", db_index=False)
    matched_run = models.ForeignKey(IngestRun, models.PROTECT, null=True, related_name="+", db_constraint=False)
    match_method = models.CharField(_("matched by"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("enrollment")
        constraints = [models.UniqueConstraint(
            fields=["district", "local_student_id", "school", "school_year", "entry_date"], name="enrollment_key")]
        indexes = [models.Index(fields=["child", "district", "school_year"])]

    def __str__(self):
        return f"{self.district_id}/{self.local_student_id} {self.school_year} {self.entry_date}"


class EnrollmentChange(models.Model):
    """What an enrollment said before a feed changed it."""

    enrollment = models.ForeignKey(Enrollment, models.PROTECT, related_name="changes")
    run = models.ForeignKey(IngestRun, models.PROTECT, related_name="+")
    before = models.JSONField(_("before"))

    class Meta:
        verbose_name = _("enrollment change")
