from django.db import models
from django.utils.translation import gettext_lazy as _

from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.registry.models import Child


class MatchCandidate(models.Model):
    """A pair that a person must decide: an enrollment and a child it may belong to.

    Made when a link would not be safe to make alone (a state student id held by another child, two
    children with one identity, or, later, a probabilistic score between the thresholds). A pair decided
    once is never proposed again.
    """

    class Reason(models.TextChoices):
        STATE_ID_HELD_BY_ANOTHER_CHILD = "STATE_ID_HELD_BY_ANOTHER_CHILD", _("the state student id belongs to another child")
        SEVERAL_CHILDREN = "SEVERAL_CHILDREN", _("several certified children have this identity")
        SEVERAL_STATE_IDS = "SEVERAL_STATE_IDS", _("the child's enrollments carry different state student ids")
        FAR_FROM_THE_MOVE = "FAR_FROM_THE_MOVE", _("the enrolling district is outside the region the family moved to")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    enrollment = models.ForeignKey(Enrollment, models.PROTECT, related_name="candidates")
    child = models.ForeignKey(Child, models.PROTECT, related_name="candidates")
    reason = models.CharField(_("reason"), max_length=40, choices=Reason.choices)
    run = models.ForeignKey(IngestRun, models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True)

    class Meta:
        verbose_name = _("match candidate")
        constraints = [models.UniqueConstraint(fields=["enrollment", "child"], name="candidate_pair_unique")]
