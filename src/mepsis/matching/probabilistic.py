"""The probabilistic link stage, after the exact one: a Splink model scores each unmatched enrollment against
the certified children (a child on an approved COE), and each new child against the others.

A pair scoring at least ``MEPSIS_LINK_AUTO_WEIGHT`` (a match weight: log2 of how many times likelier the
pair is one person than two) is linked, unless that would be unsafe, when it goes to the match worklist
(``MatchCandidate``) instead, as do the pairs between ``MEPSIS_LINK_REVIEW_WEIGHT`` and it:

- best match, one to one: an SIS student (a district's local student id) is linked only to its best child,
  and only when no other child comes close (``_MARGIN``); a child takes one SIS student per district;
- twins: a child whose twin is certified too (same birth date and first last name, another first name) is
  linked only when the first name is the same;
- state student ids: never across two different ids, nor to a child whose id another SIS student carries;
- an enrollment the exact pass already sent for review, and any pair a person rejected, are left alone.

Two certified children who score as one person go to the worklist as a merge candidate (never merged
alone), unless one COE lists both (a COE never lists one child twice: those are twins or siblings).

Incremental: on a night, the enrollments new or changed in the run are scored against every certified
child, and the children new or changed since the previous run (their COE changed) against every unmatched
enrollment and every other child; nothing else is scored again.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl
from django.conf import settings
from django.db import connection
from django.utils import timezone

from mepsis.access import audit
from mepsis.enrollments.models import Enrollment, IngestRun
from mepsis.orgs.models import District
from mepsis.registry.models import Child, Coe, CoeChild, CoeStatus, CoeVersion, Family

from . import splink_engine
from .exact import LinkReport, _give_state_student_ids, _update_from, previous_run_start
from .features import prepare
from .models import MatchCandidate

# A second child within this match weight of the best (2**5 = 32 times as likely) makes the best unsafe.
_MARGIN = 5.0
# An enrollment's worklist items: its best children, no more.
_PER_ENROLLMENT = 2


@dataclass
class Scored:
    """What one run of the model decided."""

    links: pl.DataFrame      # enrollment_id, child_id, match_weight
    review: pl.DataFrame     # enrollment_id, child_id, match_weight, reason, weights
    merges: pl.DataFrame     # child_id, other_child_id, match_weight, weights


def link_probabilistic(run: IngestRun, *, actor: str, engine_name: str | None = None,
                       everything: bool = False) -> LinkReport:
    """The link stage of ``MEPSIS_LINK_STAGES``: what changed since the previous run, or ``everything``
    unmatched (after a new model)."""
    model = splink_engine.current_model()
    since = None if everything else previous_run_start(run)
    if since is not None and not (
            Enrollment.objects.filter(changed_run=run, child__isnull=True).exists()
            or CoeChild.objects.filter(coe__status=CoeStatus.APPROVED, coe__updated_at__gte=since).exists()):
        return LinkReport()  # nothing new on either side: nothing to score
    scored = score_run(None if everything else run, since=since, model=model, engine_name=engine_name)
    return _save(scored, run, actor, model)


def score_run(run: IngestRun | None, *, since, model: splink_engine.Model, engine_name: str | None = None) -> Scored:
    """Score what changed: the run's unmatched enrollments (every unmatched one when ``run`` is None)
    against all certified children, and the children changed since ``since`` (all of them when None)
    against the other unmatched enrollments and children."""
    threshold = settings.MEPSIS_LINK_REVIEW_WEIGHT
    children = certified_children()
    prepared_children = prepare(children)
    enrollments = unmatched_enrollments(run=run)
    pairs = [splink_engine.predict(prepared_children, prepare(enrollments), model=model, threshold=threshold,
                                   engine_name=engine_name)]
    changed = children if since is None else children.filter(pl.col("coe_updated_at") >= since)
    merges = _empty_merges(model)
    if not changed.is_empty():
        changed_ids = changed["unique_id"].implode()
        if since is not None:
            older = unmatched_enrollments(excluding_run=run)
            pairs.append(splink_engine.predict(prepared_children.filter(pl.col("unique_id").is_in(changed_ids)),
                                               prepare(older), model=model, threshold=threshold,
                                               engine_name=engine_name))
            enrollments = pl.concat([enrollments, older])
        duplicates = splink_engine.predict(prepared_children, prepared_children, model=model, threshold=threshold,
                                           link_type="dedupe_only", engine_name=engine_name)
        merges = _merge_candidates(duplicates.filter(pl.col("id_l").is_in(changed_ids)
                                                     | pl.col("id_r").is_in(changed_ids)), model)
    links, review = decide(pl.concat(pairs), children=children, enrollments=enrollments, model=model)
    return Scored(links=links, review=review, merges=merges)


# -- reading the records ---------------------------------------------------------------------------------

def _read(query: str, params: list, schema: dict) -> pl.DataFrame:
    """The rows of a query as a frame: COPY on PostgreSQL (a million rows in a second or two)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            literal = cursor.cursor.mogrify(query, params)
            with cursor.cursor.copy(f"COPY ({literal}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
            if not buffer.getbuffer().nbytes:
                return pl.DataFrame(schema=schema)
            buffer.seek(0)
            return pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema=schema)
        cursor.execute(query, params)
        return pl.DataFrame(cursor.fetchall(), schema=schema, orient="row")


def _regions() -> pl.DataFrame:
    return pl.DataFrame(list(District.objects.values_list("pk", "district_id", "region_id")),
                        schema={"district_pk": pl.Int64, "district": pl.String, "region": pl.Int64},
                        orient="row").with_columns(pl.col("region").cast(pl.String))


def certified_children() -> pl.DataFrame:
    """One row a certified child, from its newest approved COE (by QAD): the raw columns of
    ``features.prepare``, with ``state_student_id``, ``coe_id`` (database id) and ``coe_updated_at``."""
    postgres = connection.vendor == "postgresql"

    def origin(key: str) -> str:
        return (f"v.document->'qualifying_move'->'from'->>'{key}'" if postgres
                else f"json_extract(v.document, '$.qualifying_move.from.{key}')")

    # Dates and times as text, the same on both databases (Django's SQLite cursor would convert them).
    updated = ("to_char(coe.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')" if postgres
               else "CAST(coe.updated_at AS TEXT)")
    query = f"""
        SELECT c.id, c.first_name, c.middle_name, c.last_name_1 || ' ' || c.last_name_2, c.sex,
               CAST(c.birth_date AS TEXT), c.state_student_id, f.parent1_name, f.parent2_name, {origin('country')},
               {origin('state')}, coe.to_district_id, coe.id, CAST(coe.qad AS TEXT), {updated}
        FROM {Child._meta.db_table} c
        JOIN {CoeChild._meta.db_table} cc ON cc.child_id = c.id
        JOIN {Coe._meta.db_table} coe ON coe.id = cc.coe_id AND coe.status = %s
        JOIN {Family._meta.db_table} f ON f.id = coe.family_id
        JOIN {CoeVersion._meta.db_table} v ON v.coe_id = coe.id AND v.number = coe.version"""
    schema = {"unique_id": pl.Int64, "first_name": pl.String, "middle_name": pl.String, "surnames": pl.String,
              "sex": pl.String, "birth_date": pl.Date, "state_student_id": pl.String, "person_1": pl.String,
              "person_2": pl.String, "born_country": pl.String, "born_state": pl.String, "district": pl.String,
              "coe_id": pl.Int64, "qad": pl.Date, "coe_updated_at": pl.Datetime("us", "UTC")}
    rows = _read(query, [CoeStatus.APPROVED], {**schema, "qad": pl.String, "coe_updated_at": pl.String,
                                               "birth_date": pl.String})
    rows = rows.with_columns(pl.col(pl.String).fill_null("")).with_columns(
        pl.col("birth_date").str.to_date(), pl.col("qad").str.to_date(strict=False),
        pl.col("coe_updated_at").str.slice(0, 26).str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_zone="UTC",
                                                                  strict=False))
    # Every approved COE of the child is kept for the twin and same-COE checks; the newest gives the columns.
    newest = rows.sort("qad", "coe_id", descending=True, nulls_last=True).unique("unique_id", keep="first")
    newest = newest.join(_regions().select("district", "region"), on="district", how="left").with_columns(
        pl.col("region").fill_null(""))
    updated = rows.group_by("unique_id").agg(pl.col("coe_updated_at").max().alias("latest"),
                                             pl.col("coe_id").alias("coes"))
    return newest.join(updated, on="unique_id").with_columns(pl.col("latest").alias("coe_updated_at")).drop(
        "latest").sort("unique_id")


def unmatched_enrollments(*, run: IngestRun | None = None, excluding_run: IngestRun | None = None,
                          linked_too: bool = False) -> pl.DataFrame:
    """The unmatched enrollments (only those new or changed in ``run``, or all but those; with ``linked_too``
    the linked ones as well), ``unique_id`` the enrollment's id: the raw columns of ``features.prepare``, with
    ``local_student_id`` and ``state_student_id``."""
    table = Enrollment._meta.db_table
    where, params = "1 = 1" if linked_too else "e.child_id IS NULL", []
    if run is not None:
        where += " AND e.changed_run_id = %s"
        params.append(run.pk)
    if excluding_run is not None:
        where += " AND e.changed_run_id <> %s"
        params.append(excluding_run.pk)
    query = f"""
        SELECT e.id, e.district_id, e.local_student_id, e.state_student_id, e.first_name, e.middle_name,
               e.last_name || ' ' || e.last_name_2, e.sex, CAST(e.birth_date AS TEXT), e.guardian1_name,
               e.guardian2_name,
               e.birth_country, e.birth_state
        FROM {table} e WHERE {where}"""
    schema = {"unique_id": pl.Int64, "district_pk": pl.Int64, "local_student_id": pl.String,
              "state_student_id": pl.String, "first_name": pl.String, "middle_name": pl.String,
              "surnames": pl.String, "sex": pl.String, "birth_date": pl.String, "person_1": pl.String,
              "person_2": pl.String, "born_country": pl.String, "born_state": pl.String}
    rows = _read(query, params, schema).with_columns(pl.col(pl.String).fill_null("")).with_columns(
        pl.col("birth_date").str.to_date())
    return rows.join(_regions(), on="district_pk", how="left").with_columns(
        pl.col("district").fill_null(""), pl.col("region").fill_null(""))


# -- deciding --------------------------------------------------------------------------------------------

def decide(pairs: pl.DataFrame, *, children: pl.DataFrame, enrollments: pl.DataFrame,
           model: splink_engine.Model) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Sort scored pairs (child ``id_l``, enrollment ``id_r``) into links (enrollment_id, child_id,
    match_weight, sis_id, child_ssid) and worklist items (enrollment_id, child_id, match_weight, reason,
    weights)."""
    comparisons = model.comparisons()
    weights = pl.struct(*(pl.col(f"mw_{name}").round(2).alias(name) for name in comparisons)).alias("weights")
    pairs = pairs.rename({"id_l": "child_id", "id_r": "enrollment_id"}).unique(["child_id", "enrollment_id"])
    enrollment_cols = enrollments.select(pl.col("unique_id").alias("enrollment_id"), "local_student_id",
                                         pl.col("state_student_id").alias("sis_id"),
                                         pl.col("district").alias("sis_district"))
    child_cols = children.select(pl.col("unique_id").alias("child_id"), pl.col("state_student_id").alias("child_ssid"),
                                 _has_twin(children).alias("has_twin"))
    pairs = pairs.join(enrollment_cols, on="enrollment_id").join(child_cols, on="child_id")
    held = _held_back(pairs["enrollment_id"].unique().to_list())
    same_first_name = splink_engine.level_weight(model, "first_name", "the same first name")
    pairs = pairs.sort("enrollment_id", "match_weight", descending=[False, True]).with_columns(
        pl.col("match_weight").rank("ordinal", descending=True).over("enrollment_id").alias("rank"),
        pl.col("match_weight").shift(-1).over("enrollment_id").alias("runner_up"),
    )
    reason = (pl.when(pl.col("runner_up") > pl.col("match_weight") - _MARGIN)
              .then(pl.lit(MatchCandidate.Reason.SEVERAL_CHILDREN))
              .when(pl.col("has_twin") & ((pl.col("mw_first_name") - same_first_name).abs() > 1e-6))
              .then(pl.lit(MatchCandidate.Reason.TWIN))
              .when((pl.col("sis_id") != "") & (pl.col("child_ssid") != "")
                    & (pl.col("sis_id") != pl.col("child_ssid")))
              .then(pl.lit(MatchCandidate.Reason.STATE_ID_HELD_BY_ANOTHER_CHILD))
              .when(pl.col("enrollment_id").is_in(held))
              .then(pl.lit(MatchCandidate.Reason.EXACT_PASS_REVIEW))
              .when(pl.col("match_weight") < settings.MEPSIS_LINK_AUTO_WEIGHT)
              .then(pl.lit(MatchCandidate.Reason.SCORE_BETWEEN_THRESHOLDS)))
    best = pairs.filter(pl.col("rank") <= _PER_ENROLLMENT).with_columns(reason.alias("reason"), weights)
    # One SIS student (local student id) per child and district: the best one links, another goes for review.
    linkable = best.filter(pl.col("rank") == 1, pl.col("reason").is_null()).with_columns(
        pl.col("local_student_id").sort_by("match_weight", descending=True).first()
        .over("child_id", "sis_district").alias("best_student"))
    links = linkable.filter(pl.col("local_student_id") == pl.col("best_student"))
    review = pl.concat([
        best.filter(pl.col("reason").is_not_null()),
        linkable.filter(pl.col("local_student_id") != pl.col("best_student")).drop("best_student")
        .with_columns(pl.lit(MatchCandidate.Reason.SEVERAL_CHILDREN).alias("reason")),
    ])
    return (links.select("enrollment_id", "child_id", "match_weight", "sis_id", "child_ssid"),
            review.select("enrollment_id", "child_id", "match_weight", "reason", "weights"))


def _has_twin(children: pl.DataFrame) -> pl.Expr:
    """A child with a certified twin: another child born the same day with the same first last name."""
    prepared = prepare(children).select("unique_id", "birth", "ln1", "first")
    twins = (prepared.join(prepared, on=["birth", "ln1"], suffix="_other")
             .filter(pl.col("unique_id") != pl.col("unique_id_other"), pl.col("first") != pl.col("first_other"))
             ["unique_id"].unique())
    return pl.col("unique_id").is_in(twins.implode())


def _held_back(enrollment_ids: list[int]) -> list[int]:
    """Enrollments on the worklist already (the exact pass sent them) or decided by a person: a person
    settles those."""
    held = MatchCandidate.objects.exclude(status=MatchCandidate.Status.REJECTED).filter(enrollment__isnull=False)
    return sorted(set(held.values_list("enrollment_id", flat=True)) & set(enrollment_ids))


def _empty_merges(model: splink_engine.Model) -> pl.DataFrame:
    return pl.DataFrame(schema={"child_id": pl.Int64, "other_child_id": pl.Int64, "match_weight": pl.Float64,
                                "weights": pl.Struct({name: pl.Float64 for name in model.comparisons()})})


def _merge_candidates(duplicates: pl.DataFrame, model: splink_engine.Model) -> pl.DataFrame:
    """Pairs of children that look like one person, except those one COE lists together."""
    if duplicates.is_empty():
        return _empty_merges(model)
    coes = pl.DataFrame(list(CoeChild.objects.filter(coe__status=CoeStatus.APPROVED).values_list("child_id", "coe_id")),
                        schema={"child": pl.Int64, "coe": pl.Int64}, orient="row")
    together = coes.join(coes, on="coe", suffix="_other").select("child", "child_other").unique()
    weights = pl.struct(*(pl.col(f"mw_{name}").round(2).alias(name) for name in model.comparisons())).alias("weights")
    pairs = duplicates.select(pl.min_horizontal("id_l", "id_r").alias("child_id"),
                              pl.max_horizontal("id_l", "id_r").alias("other_child_id"), "match_weight", weights)
    return pairs.join(together, left_on=["child_id", "other_child_id"], right_on=["child", "child_other"], how="anti")


# -- saving ----------------------------------------------------------------------------------------------

def _save(scored: Scored, run: IngestRun, actor: str, model: splink_engine.Model) -> LinkReport:
    involved = pl.concat([scored.links["enrollment_id"], scored.review["enrollment_id"]]).unique().to_list()
    proposed = set(MatchCandidate.objects.filter(enrollment__in=involved).values_list("enrollment_id", "child_id")) \
        if involved else set()
    rejected = set(MatchCandidate.objects.filter(enrollment__in=involved, status=MatchCandidate.Status.REJECTED)
                   .values_list("enrollment_id", "child_id")) if involved else set()
    links = [row for row in scored.links.iter_rows(named=True)
             if (row["enrollment_id"], row["child_id"]) not in rejected]
    _update_from(Enrollment, [(row["enrollment_id"], row["child_id"]) for row in links], "child_id", "bigint",
                 also="matched_run_id = %s, match_method = 'probabilistic'", params=[run.pk])
    _give_ids(links, actor)
    audit.record_many(audit.event(actor, "enrollment.linked", "enrollment", row["enrollment_id"],
                                  why=f"probabilistic match, weight {row['match_weight']:.1f} (model v{model.version})",
                                  after={"child": row["child_id"]}) for row in links)
    now = timezone.now()
    items = [MatchCandidate(enrollment_id=row["enrollment_id"], child_id=row["child_id"], reason=row["reason"], run=run,
                            score=row["match_weight"], weights=row["weights"], model_version=model.version,
                            kind=MatchCandidate.Kind.LINK, created_at=now)
             for row in scored.review.iter_rows(named=True) if (row["enrollment_id"], row["child_id"]) not in proposed]
    decided_merges = set(MatchCandidate.objects.filter(kind=MatchCandidate.Kind.MERGE)
                         .values_list("child_id", "other_child_id"))
    items += [MatchCandidate(child_id=row["child_id"], other_child_id=row["other_child_id"], run=run,
                             reason=MatchCandidate.Reason.POSSIBLE_DUPLICATE, score=row["match_weight"],
                             weights=row["weights"], model_version=model.version, kind=MatchCandidate.Kind.MERGE,
                             created_at=now)
              for row in scored.merges.iter_rows(named=True)
              if (row["child_id"], row["other_child_id"]) not in decided_merges]
    MatchCandidate.objects.bulk_create(items, ignore_conflicts=True, batch_size=2000)
    _explain_exact_pass_items(scored.review, model)
    return LinkReport(linked=len(links), for_review=len(items))


def _explain_exact_pass_items(review: pl.DataFrame, model: splink_engine.Model) -> None:
    """The exact pass's open items carry no score: those the model scored take its score and weights."""
    scored = {(row["enrollment_id"], row["child_id"]): row for row in review.iter_rows(named=True)}
    unexplained = MatchCandidate.objects.filter(status=MatchCandidate.Status.OPEN, score__isnull=True,
                                                enrollment__in={enrollment for enrollment, _ in scored})
    explained = []
    for item in unexplained:
        row = scored.get((item.enrollment_id, item.child_id))
        if row is not None:
            item.score, item.weights, item.model_version = row["match_weight"], row["weights"], model.version
            explained.append(item)
    MatchCandidate.objects.bulk_update(explained, ["score", "weights", "model_version"], batch_size=500)


def _give_ids(links: list[dict], actor: str) -> None:
    """A child linked with no state student id takes the one its enrollments carry, when they agree on one
    and no other child holds it (as the exact pass does)."""
    ids: dict[int, set[str]] = {}
    for row in links:
        if not row["child_ssid"] and row["sis_id"]:
            ids.setdefault(row["child_id"], set()).add(row["sis_id"])
    wanted = {child: next(iter(found)) for child, found in ids.items() if len(found) == 1}
    claimed: dict[str, int] = {}
    for ssid in wanted.values():
        claimed[ssid] = claimed.get(ssid, 0) + 1
    held = set(Child.objects.filter(state_student_id__in=list(claimed)).values_list("state_student_id", flat=True))
    given = {child: ssid for child, ssid in wanted.items() if claimed[ssid] == 1 and ssid not in held}
    _give_state_student_ids(given, actor, why="probabilistic match with an enrollment")
