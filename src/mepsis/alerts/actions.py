"""Migrant Student Enrollment Alerts: raised by the nightly ingest, acknowledged by the districts.

``raise_alerts`` runs inside the ingest's transaction, after the matching stage has linked enrollments to
children (``Enrollment.child``, with ``matched_run`` the run that made the link). The first run of a state
may link 100,000 enrollments, so it is set-based: a handful of SQL statements whatever the number of
enrollments, never a query per enrollment (see ``raise_alerts``).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from mepsis import bulk
from mepsis.access import audit
from mepsis.access.scope import scope_for
from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.orgs.models import District, School
from mepsis.registry.actions import ActionRefused
from mepsis.registry.models import Coe, CoeChild, CoeStatus
from mepsis.rules.periods import school_year

from .models import Alert, AlertChild, Referral

# Refusals of the alert actions are the registry's: one exception type for "nothing was changed".
__all__ = ["ActionRefused", "acknowledge_alert", "assign_referral", "close_referral", "raise_alerts",
           "record_referral_interview", "refer_family", "unacknowledge_alert"]


def raise_alerts(run: IngestRun, *, actor: str) -> int:
    """Raise the alerts of an ingest run from the links its matching stage made; the number of alerts.

    - An enrollment linked in this run, or of a child whose approved COE changed since the previous run
      began, whose child is eligible on some day of it (entry date to exit date, or to the school year's
      last day when it has no exit), and whose child is on no district alert yet for that district and
      school year, makes the child new for that district: one Migrant Student Enrollment Alert per
      district listing its new children, and one alert for the recruiters listing them all. (A child
      linked while ineligible and certified again afterwards is alerted by the next run.)
    - An enrollment linked in this run whose child has approved COEs but is eligible on no day of it, and
      whose eligibility ended before the entry date, puts the child on the recruiters' re-interview alert
      ("possible new qualifying move").

    A child appears once on an alert, with the earliest (by entry date) of the enrollments that put it
    there.

    Seven statements whatever the number of enrollments: the previous run; the school years to judge; one SELECT that judges
    every enrollment of the run at once (``_JUDGED``) and returns those that raise something; the alerts;
    their children in one COPY (PostgreSQL) or executemany (SQLite); the districts' codes; the audit
    events. The judging is joins and grouping (hash joins on PostgreSQL) rather than correlated subqueries
    over the COE entries or the alerts, so that its plan stays linear even when the statistics do not yet
    know the rows the ingest has just written: a correlated plan chosen on such statistics took minutes for
    100,000 enrollments.
    """
    previous = IngestRun.objects.filter(pk__lt=run.pk).order_by("-pk").first()
    since = previous.started_at if previous else run.started_at
    recertified = CoeChild.objects.filter(coe__status=CoeStatus.APPROVED, coe__updated_at__gte=since) \
        .values("child_id")
    years = sorted(Enrollment.objects.filter(Q(matched_run=run) | Q(child__in=recertified), child__isnull=False)
                   .values_list("school_year", flat=True).distinct())
    if not years:
        return 0
    new_in: dict[int, dict[int, int]] = {}  # district pk -> {child pk: enrollment pk}
    new: dict[int, int] = {}  # child pk -> enrollment pk, for the recruiters
    reinterview: dict[int, int] = {}
    for enrollment, child, district, eligible in _judge(run, years, since):  # earliest entry date first
        if eligible:
            new_in.setdefault(district, {}).setdefault(child, enrollment)
            new.setdefault(child, enrollment)
        else:
            reinterview.setdefault(child, enrollment)

    lists = [(Alert(kind=Alert.Kind.DISTRICT_ENROLLMENT, district_id=district, run=run), new_in[district])
             for district in sorted(new_in)]
    if new:
        lists.append((Alert(kind=Alert.Kind.RECRUITER_ENROLLMENT, district=None, run=run), new))
    if reinterview:
        lists.append((Alert(kind=Alert.Kind.RECRUITER_REINTERVIEW, district=None, run=run), reinterview))
    if not lists:
        return 0
    Alert.objects.bulk_create([alert for alert, _ in lists])
    bulk.insert_rows(AlertChild, ("alert_id", "child_id", "enrollment_id"),
                     [(alert.pk, child, enrollment) for alert, listed in lists for child, enrollment in listed.items()])

    codes = dict(District.objects.filter(pk__in=list(new_in)).values_list("pk", "district_id")) if new_in else {}
    audit.record_many([
        audit.event(actor, "alert.raised", "alert", alert.pk, after={
            "kind": alert.kind, "district_id": codes.get(alert.district_id), "run": run.pk,
            "children": len(listed)})
        for alert, listed in lists
    ])
    return len(lists)


# The enrollments to judge, one row each: those linked in this run, and the linked enrollments of children
# whose approved COE changed since the previous run began (a child linked while ineligible, then
# certified again, closes the circle of domain.md's data flow with an alert). Judged: whether some approved
# COE covers a day of the enrollment (``eligible``), whether one's eligibility ended before the entry date
# (``ended_before``), whether the child is already on a district alert for that district and school year
# (``alerted_before``), and whether this run made the link (``linked_now``). Kept: new for the district,
# or, for this run's links only, sent to re-interview. Placeholders: the CASE of school-year ends, the run,
# the time since when a changed COE counts, the run, the status.
_JUDGED = """
    SELECT j.id, j.child_id, j.district_id, j.eligible
    FROM (
        SELECT e.id, e.child_id, e.district_id, e.entry_date,
               MAX(CASE WHEN cc.eligibility_start <= COALESCE(e.exit_date, {year_end})
                         AND cc.last_eligible_day >= e.entry_date THEN 1 ELSE 0 END) AS eligible,
               MAX(CASE WHEN cc.last_eligible_day < e.entry_date THEN 1 ELSE 0 END) AS ended_before,
               CASE WHEN EXISTS (
                   SELECT 1 FROM {alert_child} ac
                   JOIN {alert} a ON a.id = ac.alert_id AND a.kind = '{district_kind}'
                   JOIN {enrollment} p ON p.id = ac.enrollment_id
                   WHERE ac.child_id = e.child_id AND a.district_id = e.district_id AND p.school_year = e.school_year
               ) THEN 1 ELSE 0 END AS alerted_before,
               CASE WHEN e.matched_run_id = %s THEN 1 ELSE 0 END AS linked_now
        FROM {enrollment} e
        JOIN {coe_child} cc ON cc.child_id = e.child_id
        JOIN {coe} c ON c.id = cc.coe_id
        WHERE (e.matched_run_id = %s OR e.child_id IN (
                  SELECT changed.child_id FROM {coe_child} changed JOIN {coe} moved ON moved.id = changed.coe_id
                  WHERE moved.status = 'approved' AND moved.updated_at >= %s))
          AND c.status = %s AND cc.eligibility_start IS NOT NULL AND cc.last_eligible_day IS NOT NULL
        GROUP BY e.id, e.child_id, e.district_id, e.school_year, e.entry_date, e.matched_run_id
    ) j
    WHERE (j.eligible = 1 AND j.alerted_before = 0) OR (j.eligible = 0 AND j.ended_before = 1 AND j.linked_now = 1)
    ORDER BY j.entry_date, j.id"""


def _judge(run: IngestRun, years: list[str], since) -> list[tuple[int, int, int, int]]:
    """(enrollment, child, district, eligible) of the enrollments that raise something, earliest entry
    first: eligible 1, new for the district; eligible 0, eligibility ended before (re-interview)."""
    q = connection.ops.quote_name
    year_end = "CASE e.school_year " + " ".join("WHEN %s THEN %s" for _ in years) + " END"
    year_params = [value for name in years for value in (name, school_year(name).last_day)]
    # Continuation of services (ESEA 1304(e), domain.md) joins here when a later issue records it: a child
    # whose eligibility ended but who is still served under a ContinuationOfServicesReason on some day of
    # the enrollment counts as ``eligible`` for the district alert (the MAX also over the child's
    # continuation periods, e.g. joined as a UNION with the approved COE entries), and is not sent to
    # re-interview.
    sql = _JUDGED.format(year_end=year_end, enrollment=q(Enrollment._meta.db_table),
                         coe_child=q(CoeChild._meta.db_table), coe=q(Coe._meta.db_table),
                         alert=q(Alert._meta.db_table), alert_child=q(AlertChild._meta.db_table),
                         district_kind=Alert.Kind.DISTRICT_ENROLLMENT.value)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*year_params, run.pk, run.pk, since, CoeStatus.APPROVED.value])
        return cursor.fetchall()


def acknowledge_alert(alert_id: int | str, *, actor: str) -> Alert:
    """A district (or the recruiters) says it has seen an alert and reviewed its migrant list."""
    with transaction.atomic():
        alert = _locked(alert_id)
        if alert.acknowledged_at is not None:
            raise ActionRefused(gettext("Alert %(id)s was already acknowledged by %(by)s on %(when)s.") % {
                "id": alert.pk, "by": alert.acknowledged_by, "when": _when(alert)})
        return _set_acknowledged(alert, timezone.now(), actor, actor=actor, action="alert.acknowledged")


def unacknowledge_alert(alert_id: int | str, *, actor: str) -> Alert:
    """Re-open an acknowledged alert (acknowledged by mistake, or to review it again)."""
    with transaction.atomic():
        alert = _locked(alert_id)
        if alert.acknowledged_at is None:
            raise ActionRefused(gettext("Alert %(id)s is open: there is no acknowledgement to withdraw.") % {
                "id": alert.pk})
        return _set_acknowledged(alert, None, "", actor=actor, action="alert.unacknowledged")


def _locked(alert_id: int | str) -> Alert:
    try:
        pk = int(alert_id)
    except (TypeError, ValueError):
        pk = None
    alert = Alert.objects.select_for_update().filter(pk=pk).first() if pk and 0 < pk < 2**63 else None
    if alert is None:
        raise ActionRefused(gettext("There is no alert %(id)s.") % {"id": alert_id})
    return alert


def _set_acknowledged(alert: Alert, when, by: str, *, actor: str, action: str) -> Alert:
    before = _state(alert)
    alert.acknowledged_at, alert.acknowledged_by = when, by
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    audit.record(actor, action, "alert", alert.pk, before=before, after=_state(alert))
    return alert


def _state(alert: Alert) -> dict:
    return {"acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
            "acknowledged_by": alert.acknowledged_by or None}


def _when(alert: Alert) -> str:
    return timezone.localtime(alert.acknowledged_at).strftime("%Y-%m-%d %H:%M")


# --- Referrals of suspected migrant families -------------------------------------------------------------

def refer_family(*, by, district: District, school: School | None, family_name: str, contact: str,
                 child_names: list[str] | None = None, notes: str = "") -> Referral:
    """District staff refer a family they suspect is migratory; the state's recruiters will interview it."""
    if school is not None and school.district_id != district.pk:
        raise ActionRefused(gettext("School %(school)s is not a school of district %(district)s.") % {
            "school": school.school_id, "district": district.district_id})
    if not family_name.strip() or not contact.strip():
        raise ActionRefused(gettext("A referral names the family and how to reach it."))
    with transaction.atomic():
        referral = Referral.objects.create(
            district=district, school=school, family_name=family_name.strip(), contact=contact.strip(),
            child_names=[name.strip() for name in child_names or [] if name.strip()], notes=notes.strip(),
            created_by=by)
        audit.record(audit.actor_of(by), "referral.created", "referral", referral.pk, after=_referral_state(referral))
    return referral


def assign_referral(referral_id: int | str, *, recruiter, by) -> Referral:
    """Give an open (or already assigned) referral to a recruiter, who interviews the family."""
    if not scope_for(recruiter).may("referral.work"):
        raise ActionRefused(gettext("%(user)s is not a recruiter: a referral is assigned to a recruiter.") % {
            "user": recruiter.get_username()})
    return _move_referral(referral_id, by, "referral.assigned", {Referral.Status.OPEN, Referral.Status.ASSIGNED},
                          status=Referral.Status.ASSIGNED, assigned_to=recruiter)


def record_referral_interview(referral_id: int | str, *, by, coe_id: str | None = None) -> Referral:
    """The recruiter interviewed the family; ``coe_id`` names the COE written, if the family qualified."""
    return _move_referral(referral_id, by, "referral.interviewed", {Referral.Status.ASSIGNED},
                          status=Referral.Status.INTERVIEWED, outcome_coe=_outcome(coe_id))


def close_referral(referral_id: int | str, *, by, why: str, coe_id: str | None = None) -> Referral:
    """Close a referral: the family was certified (``coe_id``), did not qualify, or could not be found."""
    if not why.strip():
        raise ActionRefused(gettext("Closing a referral must say why."))
    changes = {"status": Referral.Status.CLOSED, "closing_note": why.strip()}
    if coe_id:
        changes["outcome_coe"] = _outcome(coe_id)
    return _move_referral(referral_id, by, "referral.closed",
                          {Referral.Status.OPEN, Referral.Status.ASSIGNED, Referral.Status.INTERVIEWED}, **changes)


def _move_referral(referral_id: int | str, by, action: str, allowed: set[str], **changes) -> Referral:
    with transaction.atomic():
        try:
            referral = Referral.objects.select_for_update().get(pk=int(referral_id))
        except (ValueError, TypeError, OverflowError, Referral.DoesNotExist):
            raise ActionRefused(gettext("There is no referral %(id)s.") % {"id": referral_id}) from None
        if referral.status not in allowed:
            raise ActionRefused(gettext("Referral %(id)s is %(status)s; it cannot be changed that way.") % {
                "id": referral.pk, "status": referral.get_status_display()})
        before = _referral_state(referral)
        for name, value in changes.items():
            setattr(referral, name, value)
        referral.save()
        audit.record(audit.actor_of(by), action, "referral", referral.pk, before=before,
                     after=_referral_state(referral))
    return referral


def _outcome(coe_id: str | None) -> Coe | None:
    if not coe_id:
        return None
    coe = Coe.objects.filter(coe_id=coe_id).first()
    if coe is None:
        raise ActionRefused(gettext("There is no COE %(coe_id)s.") % {"coe_id": coe_id})
    return coe


def _referral_state(referral: Referral) -> dict:
    return {"status": referral.status, "district_id": referral.district.district_id,
            "assigned_to": referral.assigned_to.get_username() if referral.assigned_to else None,
            "outcome_coe": referral.outcome_coe.coe_id if referral.outcome_coe else None,
            "closing_note": referral.closing_note or None}
