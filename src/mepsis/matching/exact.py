"""Exact matching of enrollments to certified children (a child on an approved COE).

1. An unmatched enrollment whose state student id belongs to a certified child is that child's.
2. A certified child with no state student id whose exact identity (matching.identity) equals an
   unmatched enrollment's is that enrollment's child, and takes its state student id, unless that would
   be unsafe: the id already belongs to another child, two certified children share the identity, the
   child's enrollments carry different ids, or the enrolling district is outside the regions of the
   child's COEs (in a state of a million students, common names with one birth date recur: a student
   far from where the family moved is more likely someone else). Those pairs go to the review list
   (MatchCandidate); a pair a person rejected is never proposed again.
3. Step 1 again, for the other enrollments that carry the ids step 2 gave.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import polars as pl
from django.db import connection
from django.db.models import Exists, OuterRef

from mepsis.access import audit
from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.orgs.models import District
from mepsis.registry.models import Child, Coe, CoeChild, CoeStatus

from .identity import identity_key
from .models import MatchCandidate

KEYS = "mepsis_match_child_keys"
LINKS = "mepsis_match_links"


@dataclass
class LinkReport:
    linked: int = 0
    for_review: int = 0


def link_exact(run: IngestRun, *, actor: str) -> LinkReport:
    report = LinkReport(linked=_link_by_state_student_id(run))
    given, candidates = _link_by_identity(run, actor)
    report.linked += given
    report.for_review += candidates
    if given:
        report.linked += _link_by_state_student_id(run)
    return report


def _certified(child_column: str) -> str:
    return (f"EXISTS (SELECT 1 FROM {CoeChild._meta.db_table} cc JOIN {Coe._meta.db_table} coe ON coe.id = cc.coe_id "
            f"WHERE cc.child_id = {child_column} AND coe.status = '{CoeStatus.APPROVED}')")


def _link_by_state_student_id(run: IngestRun) -> int:
    table = Enrollment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE {table} SET child_id = c.id, matched_run_id = %s, match_method = 'state_student_id'
            FROM {Child._meta.db_table} c
            WHERE {table}.child_id IS NULL AND {table}.state_student_id <> ''
              AND c.state_student_id = {table}.state_student_id AND {_certified('c.id')}""", [run.pk])
        return cursor.rowcount


def _link_by_identity(run: IngestRun, actor: str) -> tuple[int, int]:
    """Step 2; returns (enrollments linked, pairs sent for review)."""
    children = pl.DataFrame(
        list(Child.objects.filter(Exists(CoeChild.objects.filter(child=OuterRef("pk"), coe__status=CoeStatus.APPROVED)),
                                  state_student_id__isnull=True)
             .values_list("id", "first_name", "last_name_1", "last_name_2", "birth_date", "sex")),
        schema={"child_id": pl.Int64, "first": pl.String, "last": pl.String, "last_2": pl.String,
                "birth": pl.Date, "sex": pl.String}, orient="row")
    if children.is_empty():
        return 0, 0
    keys = children.select("child_id", identity_key(pl.col("first"), pl.col("last"), pl.col("last_2"),
                                                    pl.col("birth"), pl.col("sex")).alias("key"))
    district, region = District._meta.db_table, "region_id"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {KEYS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {KEYS} (child_id bigint, key text)")
        cursor.executemany(f"INSERT INTO {KEYS} VALUES (%s, %s)", keys.iter_rows())
        # Near: the enrolling district is one of the child's approved COEs' districts, or in its region.
        cursor.execute(f"""
            SELECT e.id, e.state_student_id, k.child_id, EXISTS (
                SELECT 1 FROM {CoeChild._meta.db_table} cc
                JOIN {Coe._meta.db_table} coe ON coe.id = cc.coe_id AND coe.status = '{CoeStatus.APPROVED}'
                JOIN {district} moved_to ON moved_to.district_id = coe.to_district_id
                JOIN {district} enrolled ON enrolled.id = e.district_id
                WHERE cc.child_id = k.child_id AND (moved_to.id = enrolled.id OR moved_to.{region} = enrolled.{region}))
            FROM {Enrollment._meta.db_table} e JOIN {KEYS} k ON k.key = e.identity_key
            WHERE e.child_id IS NULL""")
        pairs = cursor.fetchall()
        cursor.execute(f"DROP TABLE {KEYS}")
    return _decide(pairs, run, actor)


def _decide(pairs: list[tuple[int, str, int, bool]], run: IngestRun, actor: str) -> tuple[int, int]:
    children_of = defaultdict(set)
    enrollments_of = defaultdict(list)
    far = set()
    for enrollment_id, ssid, child_id, near in pairs:
        children_of[enrollment_id].add(child_id)
        enrollments_of[child_id].append((enrollment_id, ssid))
        if not near:
            far.add(child_id)
    decided = set(MatchCandidate.objects.filter(enrollment__in=children_of).values_list("enrollment_id", "child_id"))
    ids_of = {child_id: {ssid for _, ssid in rows if ssid} for child_id, rows in enrollments_of.items()}
    claimed = defaultdict(set)
    for child_id, ids in ids_of.items():
        for ssid in ids:
            claimed[ssid].add(child_id)
    holders = dict(Child.objects.filter(state_student_id__in=list(claimed)).values_list("state_student_id", "id"))

    review: list[MatchCandidate] = []
    links: list[tuple[int, int]] = []
    given: dict[int, str] = {}
    for child_id, rows in enrollments_of.items():
        ids = ids_of[child_id]
        if len(ids) > 1:
            reason = MatchCandidate.Reason.SEVERAL_STATE_IDS
        elif ids and (next(iter(ids)) in holders or len(claimed[next(iter(ids))]) > 1):
            reason = MatchCandidate.Reason.STATE_ID_HELD_BY_ANOTHER_CHILD
        elif any(len(children_of[enrollment_id]) > 1 for enrollment_id, _ in rows):
            reason = MatchCandidate.Reason.SEVERAL_CHILDREN
        elif child_id in far:
            reason = MatchCandidate.Reason.FAR_FROM_THE_MOVE
        else:
            links += [(enrollment_id, child_id) for enrollment_id, _ in rows]
            if ids:
                given[child_id] = next(iter(ids))
            continue
        review += [MatchCandidate(enrollment_id=enrollment_id, child_id=child_id, reason=reason, run=run)
                   for enrollment_id, _ in rows if (enrollment_id, child_id) not in decided]
    MatchCandidate.objects.bulk_create(review, ignore_conflicts=True)
    _link(links, run)
    _give_state_student_ids(given, actor)
    return len(links), len(review)


def _link(links: list[tuple[int, int]], run: IngestRun) -> None:
    table = Enrollment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {LINKS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {LINKS} (enrollment_id bigint, child_id bigint)")
        cursor.executemany(f"INSERT INTO {LINKS} VALUES (%s, %s)", links)
        cursor.execute(f"""
            UPDATE {table} SET child_id = l.child_id, matched_run_id = %s, match_method = 'exact_identity'
            FROM {LINKS} l WHERE {table}.id = l.enrollment_id""", [run.pk])
        cursor.execute(f"DROP TABLE {LINKS}")


def _give_state_student_ids(given: dict[int, str], actor: str) -> None:
    """A child linked by identity takes the state student id its district gave it."""
    if not given:
        return
    children = list(Child.objects.filter(pk__in=given))
    for child in children:
        child.state_student_id = given[child.pk]
    Child.objects.bulk_update(children, ["state_student_id"])
    audit.record_many([
        audit.event(actor, "child.state_student_id_linked", "child", child.child_id,
                    why="exact identity match with an enrollment", before={"state_student_id": None},
                    after={"state_student_id": child.state_student_id})
        for child in children
    ])

