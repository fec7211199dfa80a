from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """The audit log is never changed or deleted, by anyone."""


class Role(models.TextChoices):
    """The roles of roles.md."""

    STATE_ADMIN = "state_admin", _("state administrator")
    REVIEWER = "reviewer", _("reviewer")
    RECRUITER = "recruiter", _("recruiter")
    REGIONAL_ADMIN = "regional_admin", _("regional administrator")
    DISTRICT_STAFF = "district_staff", _("district MEP staff")
    DISTRICT_SUMMARY = "district_summary", _("district summary viewer")
    DISTRICT_SECURITY = "district_security", _("district security administrator")
    SIS_CLIENT = "sis_client", _("SIS vendor (API client)")
    AUDITOR = "auditor", _("auditor")


# The roles a grant of which names a district, and the one that names a region.
DISTRICT_ROLES = frozenset({Role.DISTRICT_STAFF, Role.DISTRICT_SUMMARY, Role.DISTRICT_SECURITY, Role.SIS_CLIENT})
REGION_ROLES = frozenset({Role.REGIONAL_ADMIN})
# The district roles a district security administrator may grant and end in their own district.
DISTRICT_SECURITY_GRANTS = frozenset({Role.DISTRICT_STAFF, Role.DISTRICT_SUMMARY, Role.SIS_CLIENT})


class RoleGrantQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class RoleGrant(models.Model):
    """A role a user holds, in a district or region where the role needs one. A grant that is removed is
    ended (when, by whom), never deleted, so who could see what on any day stays known."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="role_grants",
                             verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    district = models.ForeignKey("orgs.District", models.PROTECT, null=True, blank=True, related_name="role_grants",
                                 verbose_name=_("district"))
    region = models.ForeignKey("orgs.Region", models.PROTECT, null=True, blank=True, related_name="role_grants",
                               verbose_name=_("region"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("granted by"))
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("ended by"))

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("role grant")
        indexes = [models.Index(fields=["user", "ended_at"]), models.Index(fields=["district", "ended_at"])]

    def __str__(self):
        where = self.district or self.region or ""
        return f"{self.user} {self.role} {where}".strip()


class CoeAuthor(models.Model):
    """The recruiter who wrote a COE: a recruiter sees the COEs (and their families and children) they wrote."""

    coe = models.ForeignKey("registry.Coe", models.PROTECT, related_name="authors", verbose_name=_("COE"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="coes_written",
                             verbose_name=_("recruiter"))

    class Meta:
        verbose_name = _("COE author")
        constraints = [models.UniqueConstraint(fields=["user", "coe"], name="coe_author_unique")]


class ApiToken(models.Model):
    """A key an API client sends as ``Authorization: Token KEY``. Only its SHA-256 is kept: the key is shown
    once, when it is made. A revoked token is kept, with when, so its use before then stays explained."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="api_tokens",
                             verbose_name=_("user"))
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("key starts with"), max_length=8)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self):
        return f"{self.user} {self.prefix}…"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit events are never updated")

    def delete(self):
        raise AppendOnly("audit events are never deleted")


class AuditEvent(models.Model):
    """Who did what to which record, when, why, and what it was before and after.

    Written only by ``mepsis.access.audit.record``/``record_many`` inside the action that makes the change,
    in the same transaction, so a change and its audit record land together or not at all. Each event
    carries the hash of the one before it in its lane (``prev_hash``) and its own (``hash``, over ``prev_hash``
    and the event), so a changed, moved or removed event breaks a chain (``mepsis audit verify``).
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.CharField(_("who"), max_length=150)
    action = models.CharField(_("what"), max_length=64)
    object_type = models.CharField(_("record type"), max_length=32)
    object_id = models.CharField(_("record"), max_length=64)
    why = models.TextField(_("why"), blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    lane = models.PositiveSmallIntegerField(_("chain"), default=0)  # mepsis.access.audit: the log's few chains
    prev_hash = models.CharField(_("hash of the event before"), max_length=64, default="")
    hash = models.CharField(_("hash"), max_length=64, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["actor", "at"]),
                   models.Index(fields=["lane", "id"], name="audit_lane_last")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        # A save would write an event outside the chain: the chain's writer is mepsis.access.audit.record_many.
        raise AppendOnly("audit events are written by mepsis.access.audit.record, never saved or updated")

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit events are never deleted")
