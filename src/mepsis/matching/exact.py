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

WORKLIST_SOURCE = "match worklist"  # the source of the runs that record worklist decisions (actions.py)
KEYS = "mepsis_match_child_keys"
PAIRS = "mepsis_match_pairs"


@dataclass
class LinkReport:
    linked: int = 0
    for_review: int = 0


def link_exact(run: IngestRun, *, actor: str, everything: bool = False) -> LinkReport:
    """Link the run's unmatched enrollments; every unmatched one when certified children changed since the
    previous run (or with ``everything``): an enrollment that did not change cannot match a child that did
    not, so a night whose COEs did not change looks at its own new and changed rows only."""
    restrict = "" if everything else _unchanged_children_restriction(run)
    report = LinkReport(linked=_link_by_state_student_id(run, restrict=restrict))
    linked, candidates, given = _link_by_identity(run, actor, restrict)
    report.linked += linked
    report.for_review += candidates
    if given:
        report.linked += _link_by_state_student_id(run, only=sorted(given))
    return report


def previous_run_start(run: IngestRun):
    """When the previous run that linked began (None for the first). A worklist decision is recorded as a
    run too, but links nothing of its own."""
    return (IngestRun.objects.filter(pk__lt=run.pk).exclude(source=WORKLIST_SOURCE).order_by("-pk")
            .values_list("started_at", flat=True).first())


def _unchanged_children_restriction(run: IngestRun) -> str:
    """A condition on the enrollments (``e``) to look at: none when certified children changed since the
    previous run, else the run's new and changed rows, and those still on the worklist."""
    since = previous_run_start(run)
    if since is None or CoeChild.objects.filter(coe__status=CoeStatus.APPROVED, coe__updated_at__gte=since).exists():
        return ""
    return (f"AND (e.changed_run_id = {int(run.pk)} OR e.id IN (SELECT enrollment_id FROM "
            f"{MatchCandidate._meta.db_table} WHERE status = '{MatchCandidate.Status.OPEN}'))")


def _link_by_state_student_id(run: IngestRun, only: list[str] | None = None, restrict: str = "") -> int:
    """Step 1, for every unmatched enrollment (or only those with the ids ``only``, or those ``restrict``
    allows). The certified children are a derived table joined by id, a plan that stays fast whatever the
    tables' statistics say."""
    table = Enrollment._meta.db_table
    params = [run.pk]
    restrict = restrict.replace("e.", f"{table}.")
    if only is not None:
        restrict += f" AND {table}.state_student_id IN ({', '.join(['%s'] * len(only))})"
        params += only
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE {table} SET child_id = certified.id, matched_run_id = %s, match_method = 'state_student_id'
            FROM (SELECT DISTINCT c.id, c.state_student_id FROM {Child._meta.db_table} c
                  JOIN {CoeChild._meta.db_table} cc ON cc.child_id = c.id
                  JOIN {Coe._meta.db_table} coe ON coe.id = cc.coe_id AND coe.status = '{CoeStatus.APPROVED}'
                  WHERE c.state_student_id IS NOT NULL) certified
            WHERE {table}.child_id IS NULL AND {table}.state_student_id = certified.state_student_id {restrict}""",
                       params)
        return cursor.rowcount


def _link_by_identity(run: IngestRun, actor: str, restrict: str = "") -> tuple[int, int, set[str]]:
    """Step 2; returns (enrollments linked, pairs sent for review, state student ids given to children)."""
    children = pl.DataFrame(
        list(Child.objects.filter(Exists(CoeChild.objects.filter(child=OuterRef("pk"), coe__status=CoeStatus.APPROVED)),
                                  state_student_id__isnull=True)
             .values_list("id", "first_name", "last_name_1", "last_name_2", "birth_date", "sex")),
        schema={"child_id": pl.Int64, "first": pl.String, "last": pl.String, "last_2": pl.String,
                "birth": pl.Date, "sex": pl.String}, orient="row")
    if children.is_empty():
        return 0, 0, set()
    keys = children.select("child_id", identity_key(pl.col("first"), pl.col("last"), pl.col("last_2"),
                                                    pl.col("birth"), pl.col("sex")).alias("key"))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {KEYS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {KEYS} (child_id bigint, key text)")
        _fill(cursor, KEYS, keys.iter_rows())
        # SQLite joins by nested loops: without this index it compares every enrollment with every key.
        cursor.execute(f"CREATE INDEX {KEYS}_key ON {KEYS} (key)")
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {KEYS}")
        cursor.execute(f"""
            SELECT e.id, e.state_student_id, k.child_id, e.district_id
            FROM {Enrollment._meta.db_table} e JOIN {KEYS} k ON k.key = e.identity_key
            WHERE e.child_id IS NULL {restrict}""")
        found = cursor.fetchall()
        cursor.execute(f"DROP TABLE {KEYS}")
    near = _near_the_move({child_id for _, _, child_id, _ in found})
    pairs = [(enrollment_id, ssid, child_id, district_id in near.get(child_id, ()))
             for enrollment_id, ssid, child_id, district_id in found]
    return _decide(pairs, run, actor)


def _near_the_move(child_ids: set[int]) -> dict[int, set[int]]:
    """For each child, the districts (database ids) of its approved COEs' moves and of their regions."""
    region_of, by_code, in_region = {}, {}, defaultdict(set)
    for pk, code, region in District.objects.values_list("pk", "district_id", "region_id"):
        region_of[pk], by_code[code] = region, pk
        in_region[region].add(pk)
    near: dict[int, set[int]] = defaultdict(set)
    moves = CoeChild.objects.filter(child__in=child_ids, coe__status=CoeStatus.APPROVED) \
        .values_list("child_id", "coe__to_district_id")
    for child_id, district_code in moves:
        moved_to = by_code.get(district_code)
        if moved_to is None:
            continue
        near[child_id] |= {moved_to} if region_of[moved_to] is None else in_region[region_of[moved_to]]
    return near


def _decide(pairs: list[tuple[int, str, int, bool]], run: IngestRun, actor: str) -> tuple[int, int, set[str]]:
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
    _give_state_student_ids(given, actor, why="exact identity match with an enrollment")
    return len(links), len(review), set(given.values())


def _link(links: list[tuple[int, int]], run: IngestRun) -> None:
    _update_from(Enrollment, links, "child_id", "bigint",
                 also="matched_run_id = %s, match_method = 'exact_identity'", params=[run.pk])


def _update_from(model, pairs: list[tuple[int, object]], column: str, kind: str, *, also: str = "",
                 params: list | None = None) -> None:
    """Set ``column`` of many rows (by primary key) at once: the pairs go into a temporary table and one
    UPDATE ... FROM joins it (Django's bulk_update writes a CASE with a branch per row, which PostgreSQL
    took a minute to run for 7,000 children)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PAIRS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {PAIRS} (id bigint, value {kind})")
        _fill(cursor, PAIRS, pairs)
        cursor.execute(f"UPDATE {table} SET {column} = p.value{', ' + also if also else ''} "
                       f"FROM {PAIRS} p WHERE {table}.id = p.id", params or [])
        cursor.execute(f"DROP TABLE {PAIRS}")


def _fill(cursor, table: str, rows) -> None:
    """Rows of two columns into a temporary table: COPY on PostgreSQL (executemany took seconds for 40,000)."""
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s)", rows)


def _give_state_student_ids(given: dict[int, str], actor: str, *, why: str) -> None:
    """A linked child takes the state student id its district gave it."""
    if not given:
        return
    _update_from(Child, list(given.items()), "state_student_id", "text")
    audit.record_many([
        audit.event(actor, "child.state_student_id_linked", "child", child_id,
                    why=why, before={"state_student_id": None},
                    after={"state_student_id": given[pk]})
        for pk, child_id in Child.objects.filter(pk__in=given).values_list("pk", "child_id")
    ])

