"""The Ed-Fi Student Migrant Education Program Association (SMEPA) records MEPSIS publishes back to the
districts' systems (domain.md, "The state data flow", point 4; interfaces.md, "SMEPA export").

A record says that a child with a state student id, enrolled in a district in a school year, is eligible
for the Migrant Education Program on some day of that enrollment. There is one per (child, district,
school year). ``refresh_smepa`` recomputes them from the registry (approved COEs' eligibility intervals)
and the matched enrollments, set-based, and stamps ``updated_at`` only on records whose content changed, so
that ``export smepa --since`` gives a SIS only what changed. A record that no longer holds is kept,
``withdrawn``, so that change reaches the SIS too.

The days of a record (the project's reading of issue 4, item 4):

- the child's *enrolled eligible days* in the district and year are the days that some matched enrollment
  covers (``entry_date .. exit_date``, or to the school year's last day while it has no exit) and some
  interval of an approved COE covers (``eligibility_start .. last_eligible_day``);
- ``begin_date`` is the first of them: the later of the eligibility start and the earliest entry;
- ``end_date`` is the last of them, and never after June 30 of the school year: the earliest of the last
  eligible day, the latest exit date (only when every enrollment there has exited) and the year's end;
- the record's COE is the one with the latest QAD among the intervals that cover an enrolled day: it gives
  ``last_qualifying_move`` (its QAD), ``state_residency_date`` (the child's residency date on it) and
  ``eligibility_expiration_date`` (its last eligible day, only when eligibility ended early, i.e. for a
  reason other than the 36 months).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext

from mepsis.bulk import assign_ids, insert
from mepsis.enrollments.models import Enrollment
from mepsis.orgs.models import District
from mepsis.registry.models import Child, Coe, CoeChild, CoeStatus
from mepsis.rules.eligibility import EndReason

from .models import SmepaRecord

PROGRAM_NAME = "Migrant Education"
PROGRAM_TYPE_DESCRIPTOR = "uri://ed-fi.org/ProgramTypeDescriptor#Migrant Education"
_INT64_MAX = 2**63 - 1
_REFRESH_LOCK = 0x4D455053_534D4550  # "MEPSSMEP": the advisory lock that makes refreshes take turns

# What a record says; a change in any of these stamps the record. priority_for_services is the child's
# current PFS determination (mepsis.delivery); the services a record lists are read when it is exported, and
# the actions that change them stamp the record (``touch_smepa``).
CONTENT = ("student_unique_id", "begin_date", "end_date", "last_qualifying_move", "state_residency_date",
           "eligibility_expiration_date", "priority_for_services", "withdrawn")
SERVICE_DESCRIPTOR = "uri://ed-fi.org/MigrantEducationProgramServiceDescriptor#"
CONTINUATION_DESCRIPTOR = "uri://ed-fi.org/ContinuationofServicesReasonDescriptor#"


class NoEdfiId(ValueError):
    """An organization has no usable Ed-Fi education organization id, so no valid record can name it."""


# --- Refresh ----------------------------------------------------------------------------------------------

def refresh_smepa(child_ids: Iterable[int] | None = None) -> int:
    """Recompute the SMEPA records of these children (by primary key; every child when None) and return how
    many records were inserted or changed (withdrawals included).

    A handful of statements whatever the number of children: one query computes every record that should
    hold, one reads the stored ones, then one insert (with its ids), one batched update and one withdrawal.
    The children's ids go to the database as one parameter (an array on PostgreSQL, a JSON array on SQLite),
    never one query each. Runs in the caller's transaction when there is one (the ingest calls it inside its
    own); on PostgreSQL refreshes take turns (a transaction-level advisory lock), so two writers that touch
    the same child (an ingest, a COE approval) never insert its record twice.
    """
    ids = None if child_ids is None else sorted({int(pk) for pk in child_ids})
    if ids == []:
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":  # SQLite has one writer at a time already
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK])
        wanted = _computed_records(ids)
        stored = _stored_records(ids)
        now = timezone.now()
        new, changed = [], []
        for key, content in wanted.items():
            row = stored.pop(key, None)
            if row is None:
                new.append(SmepaRecord(child_id=key[0], district_id=key[1], school_year=key[2], updated_at=now,
                                       **content))
            elif any(row[name] != content[name] for name in CONTENT):
                changed.append((row["id"], content))
        gone = [row["id"] for row in stored.values() if not row["withdrawn"]]
        assign_ids(new)
        insert(new)
        _update(changed, now)
        if gone:
            SmepaRecord.objects.filter(pk__in=id_list(gone)).update(withdrawn=True, updated_at=now)
    return len(new) + len(changed) + len(gone)


def touch_smepa(child_ids: Iterable[int]) -> int:
    """Stamp the records of these children (by primary key) as changed, so that ``export smepa --since``
    gives them again: their services or continuation changed, which the record reads when exported."""
    ids = sorted({int(pk) for pk in child_ids})
    if not ids:
        return 0
    return SmepaRecord.objects.filter(child_id__in=id_list(ids), withdrawn=False).update(updated_at=timezone.now())


def id_list(ids: list[int]) -> RawSQL:
    """A subquery that lists these ids, passed as a single parameter however many there are (so neither
    SQLite's limit on parameters nor a statement per id gets in the way): ``field__in=id_list(ids)``."""
    text = ",".join(str(int(pk)) for pk in ids)  # cheaper to pass than a list the driver adapts item by item
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [f"{{{text}}}"])
    return RawSQL("SELECT value FROM json_each(%s)", [f"[{text}]"])


def _sql_fragments() -> dict[str, str]:
    """The few spellings that differ between PostgreSQL and SQLite (SQLite keeps dates as ISO text)."""
    year = "CAST(SUBSTR(e.school_year, 1, 4) AS INTEGER) + 1"
    if connection.vendor == "postgresql":
        return {"greatest": "GREATEST", "least": "LEAST", "year_end": f"MAKE_DATE({year}, 6, 30)"}
    return {"greatest": "MAX", "least": "MIN", "year_end": f"PRINTF('%%04d-06-30', {year})"}


def _computed_records(ids: list[int] | None) -> dict[tuple[int, int, str], dict]:
    """Every record that should hold for these children, by (child, district, school year)."""
    sql = _sql_fragments()
    child_filter, params = "", []
    if ids is not None:
        subquery, params = id_list(ids).as_sql(None, connection)
        child_filter = f"AND e.child_id IN {subquery}"
    # pairs: each matched enrollment with each approved interval of its child that covers one of its days,
    # and the first and last day they share. ranked: per record, the first and last of those days over all
    # pairs, and the pairs in the order that picks the record's COE (latest QAD first).
    query = f"""
        WITH pairs AS (
            SELECT e.child_id, e.district_id, e.school_year, ch.state_student_id,
                   {sql['greatest']}(e.entry_date, cc.eligibility_start) AS first_day,
                   {sql['least']}(COALESCE(e.exit_date, {sql['year_end']}), cc.last_eligible_day,
                                  {sql['year_end']}) AS last_day,
                   COALESCE(coe.qad, cc.eligibility_start) AS qad, coe.coe_id, cc.residency_date,
                   cc.last_eligible_day, cc.end_reason
            FROM {Enrollment._meta.db_table} e
            JOIN {Child._meta.db_table} ch ON ch.id = e.child_id
            JOIN {CoeChild._meta.db_table} cc ON cc.child_id = e.child_id
            JOIN {Coe._meta.db_table} coe ON coe.id = cc.coe_id
            WHERE ch.state_student_id IS NOT NULL AND ch.state_student_id <> ''
              AND coe.status = %s
              AND cc.eligibility_start IS NOT NULL AND cc.last_eligible_day IS NOT NULL
              AND cc.last_eligible_day >= e.entry_date
              {child_filter}
        ),
        ranked AS (
            SELECT child_id, district_id, school_year, state_student_id, qad, residency_date, last_eligible_day,
                   end_reason,
                   MIN(first_day) OVER w AS begin_date, MAX(last_day) OVER w AS end_date,
                   ROW_NUMBER() OVER (PARTITION BY child_id, district_id, school_year
                                      ORDER BY qad DESC, last_eligible_day DESC, coe_id DESC) AS position
            FROM pairs
            WHERE first_day <= last_day
            WINDOW w AS (PARTITION BY child_id, district_id, school_year)
        )
        SELECT child_id, district_id, school_year, state_student_id, begin_date, end_date, qad, residency_date,
               last_eligible_day, end_reason
        FROM ranked WHERE position = 1
    """
    from mepsis.delivery.queries import current_pfs  # mepsis.delivery reads this module's id_list

    records = {}
    with connection.cursor() as cursor:
        cursor.execute(query, [CoeStatus.APPROVED, *params])
        for (child, district, year, student_id, begin, end, qad, residency, last_day, end_reason) in cursor:
            last_day = db_date(last_day)
            records[(child, district, year)] = {
                "student_unique_id": student_id.strip(),
                "begin_date": db_date(begin),
                "end_date": db_date(end),
                "last_qualifying_move": db_date(qad),
                "state_residency_date": db_date(residency),
                "eligibility_expiration_date": (
                    last_day if end_reason and end_reason != EndReason.THIRTY_SIX_MONTHS else None),
                "withdrawn": False,
            }
    pfs = current_pfs({child for child, _district, _year in records})
    for (child, _district, _year), content in records.items():
        content["priority_for_services"] = pfs.get(child, False)
    return records


def _stored_records(ids: list[int] | None) -> dict[tuple[int, int, str], dict]:
    records = SmepaRecord.objects.all()
    if ids is not None:
        records = records.filter(child_id__in=id_list(ids))
    return {(row["child_id"], row["district_id"], row["school_year"]): row
            for row in records.values("id", "child_id", "district_id", "school_year", *CONTENT)}


def _update(changed: list[tuple[int, dict]], now: dt.datetime) -> None:
    if not changed:
        return
    ops = connection.ops
    table = ops.quote_name(SmepaRecord._meta.db_table)
    assignments = ", ".join(f"{ops.quote_name(name)} = %s" for name in (*CONTENT, "updated_at"))
    stamp = ops.adapt_datetimefield_value(now)
    rows = [[_db_value(content[name]) for name in CONTENT] + [stamp, pk] for pk, content in changed]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)


def _db_value(value):
    return connection.ops.adapt_datefield_value(value) if isinstance(value, dt.date) else value


def db_date(value) -> dt.date | None:
    """A date as a raw query returns it (SQLite gives computed dates back as text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


# --- The Ed-Fi document -----------------------------------------------------------------------------------

def district_edfi_id(district: District) -> int | None:
    """A district's Ed-Fi education organization id: its ``edfi_id`` (the orgs file's optional column), else
    its ``district_id`` when that is a number; None when neither is a usable (positive, 64-bit) integer."""
    if district.edfi_id is not None:
        return district.edfi_id if 0 < district.edfi_id <= _INT64_MAX else None
    code = district.district_id.strip()
    if code.isascii() and code.isdigit() and 0 < int(code) <= _INT64_MAX:
        return int(code)
    return None


def sea_edfi_id() -> int:
    """The SEA's Ed-Fi education organization id (the ``MEPSIS_SEA_EDFI_ID`` setting)."""
    value = settings.MEPSIS_SEA_EDFI_ID
    if not 0 < value <= _INT64_MAX:
        raise NoEdfiId(gettext("MEPSIS_SEA_EDFI_ID is %(value)s; it must be the state education agency's Ed-Fi "
                               "education organization id, a positive integer.") % {"value": value})
    return value


def smepa_key(record: SmepaRecord, sea_id: int) -> dict:
    """The Ed-Fi natural key of the association: the student, the program, the district and the begin date."""
    district_id = district_edfi_id(record.district)
    if district_id is None:
        raise NoEdfiId(gettext(
            "District %(district)s (%(name)s) has no Ed-Fi education organization id: give it an edfi_id in "
            "the orgs file (`mepsis orgs load`); its district_id is not a number.")
            % {"district": record.district.district_id, "name": record.district.name})
    return {
        "studentReference": {"studentUniqueId": record.student_unique_id},
        "programReference": {"educationOrganizationId": sea_id, "programName": PROGRAM_NAME,
                             "programTypeDescriptor": PROGRAM_TYPE_DESCRIPTOR},
        "educationOrganizationReference": {"educationOrganizationId": district_id},
        "beginDate": record.begin_date.isoformat(),
    }


def smepa_document(record: SmepaRecord, sea_edfi_id: int, delivered: dict | None = None) -> dict:
    """The Ed-Fi ``studentMigrantEducationProgramAssociation`` body of a record (valid against the Data
    Standard 5.2 schema): what is unknown is left out, never null. ``delivered`` is what
    ``mepsis.delivery.queries.smepa_deliveries`` says of the record: its services, whether one was in a summer
    or intersession project, and the reason of a continuation of services. Raises ``NoEdfiId`` when the
    record's district has no usable Ed-Fi id."""
    document = smepa_key(record, sea_edfi_id)
    document["priorityForServices"] = bool(record.priority_for_services)
    document["lastQualifyingMove"] = record.last_qualifying_move.isoformat()
    optional = {
        "endDate": record.end_date,
        "qualifyingArrivalDate": record.last_qualifying_move,
        "stateResidencyDate": record.state_residency_date,
        "eligibilityExpirationDate": record.eligibility_expiration_date,
    }
    document.update({name: day.isoformat() for name, day in optional.items() if day is not None})
    if delivered and delivered.get("services"):
        document["migrantEducationProgramServices"] = [
            {"migrantEducationProgramServiceDescriptor": SERVICE_DESCRIPTOR + service["descriptor"],
             "serviceBeginDate": service["begin_date"].isoformat(), "serviceEndDate": service["end_date"].isoformat()}
            for service in delivered["services"]]
        document["servedOutsideOfRegularSession"] = delivered["summer"]
    if delivered and delivered.get("continuation"):
        document["continuationOfServicesReasonDescriptor"] = CONTINUATION_DESCRIPTOR + delivered["continuation"]
    return document


# --- The export -------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Exported:
    """One record of the export: the body to POST, or the key of a withdrawn record to DELETE, or, when the
    record cannot be written, why (``problem``)."""

    record: SmepaRecord
    body: dict | None = None
    withdrawal: dict | None = None
    problem: str | None = None


def iter_smepa(district_id: str | None = None, since: dt.datetime | None = None, *,
               sea_id: int | None = None, chunk_size: int = 2000) -> Iterator[Exported]:
    """The records of one district (``district_id`` as the state names it) or of all, changed at or after
    ``since`` (every record that holds when None: a withdrawn record is of interest only to a SIS that
    pulled it before), oldest change first. Raises ``NoEdfiId`` when the SEA's id is not set right."""
    sea_id = sea_edfi_id() if sea_id is None else sea_id
    records = SmepaRecord.objects.select_related("district").order_by("updated_at", "id")
    if district_id is not None:
        records = records.filter(district__district_id=district_id)
    if since is None:
        records = records.filter(withdrawn=False)
    else:
        records = records.filter(updated_at__gte=since)
    chunk: list[SmepaRecord] = []
    for record in records.iterator(chunk_size=chunk_size):
        chunk.append(record)
        if len(chunk) == chunk_size:
            yield from exported(chunk, sea_id)
            chunk = []
    yield from exported(chunk, sea_id)


def exported(records: list[SmepaRecord], sea_id: int) -> Iterator[Exported]:
    """The export of these records (with their district selected), their services read in one query."""
    from mepsis.delivery.queries import smepa_deliveries  # mepsis.delivery reads this module's id_list

    delivered = smepa_deliveries(records)
    for record in records:
        try:
            if record.withdrawn:
                yield Exported(record, withdrawal={"withdrawn": True, "key": smepa_key(record, sea_id)})
            else:
                yield Exported(record, body=smepa_document(record, sea_id, delivered.get(record.pk)))
        except NoEdfiId as error:
            yield Exported(record, problem=str(error))
