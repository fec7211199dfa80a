from django.db import models
from django.utils.translation import gettext_lazy as _

from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.registry.models import Child


class MatchCandidate(models.Model):
    """An item of the match worklist, a pair that a person must decide: an enrollment and a child it may
    belong to (a link candidate), or two certified children who may be one person (a merge candidate,
    ``child`` and ``other_child``).

    Made when a link would not be safe to make alone (a state student id held by another child, two
    children with one identity, a twin, a probabilistic score between the thresholds). The probabilistic
    stage keeps the pair's score and the match weight of each comparison (Splink's, by comparison name),
    which say why it scored so. A pair decided once is never proposed again.
    """

    class Kind(models.TextChoices):
        LINK = "link", _("link an enrollment to a child")
        MERGE = "merge", _("merge two children")

    class Reason(models.TextChoices):
        STATE_ID_HELD_BY_ANOTHER_CHILD = "STATE_ID_HELD_BY_ANOTHER_CHILD", _("the state student id belongs to another child")
        SEVERAL_CHILDREN = "SEVERAL_CHILDREN", _("several certified children have this identity")
        SEVERAL_STATE_IDS = "SEVERAL_STATE_IDS", _("the child's enrollments carry different state student ids")
        FAR_FROM_THE_MOVE = "FAR_FROM_THE_MOVE", _("the enrolling district is outside the region the family moved to")
        SCORE_BETWEEN_THRESHOLDS = "SCORE_BETWEEN_THRESHOLDS", _(
            "the score is between the review and auto-link thresholds")
        TWIN = "TWIN", _("the child has a certified twin and the first names differ")
        EXACT_PASS_REVIEW = "EXACT_PASS_REVIEW", _("the enrollment is already on the worklist")
        POSSIBLE_DUPLICATE = "POSSIBLE_DUPLICATE", _("two certified children look like one person")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.LINK)
    enrollment = models.ForeignKey(Enrollment, models.PROTECT, null=True, related_name="candidates")
    child = models.ForeignKey(Child, models.PROTECT, related_name="candidates")
    other_child = models.ForeignKey(Child, models.PROTECT, null=True, related_name="merge_candidates")
    reason = models.CharField(_("reason"), max_length=40, choices=Reason.choices)
    run = models.ForeignKey(IngestRun, models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True)
    created_at = models.DateTimeField(_("proposed"), null=True)
    score = models.FloatField(_("match weight"), null=True)
    weights = models.JSONField(_("match weight of each comparison"), null=True)
    model_version = models.PositiveIntegerField(_("model version"), null=True)

    class Meta:
        verbose_name = _("match candidate")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "child"], name="candidate_pair_unique"),
            models.UniqueConstraint(fields=["child", "other_child"], name="candidate_merge_unique",
                                    condition=models.Q(kind="merge")),
        ]
        indexes = [models.Index(fields=["status", "kind"])]
