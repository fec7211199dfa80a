"""EDFacts files about migratory children (issue 7, item 4): FS121, FS054, FS145, FS165 and FS122, laid out
as the project's ``edfacts.md`` gives them.

**Which specification year each layout follows.** Every detail layout, category set, permitted value and
header string below is ED's own metadata for **SY 2021-22** (as exported by CEDS Generate; edfacts.md §3-§7),
the newest machine-readable layout known: FS121 as in SY 2020-21 and 2021-22 (CSF/CSG already fillers), FS054
and FS122 unchanged from SY 2017-18 to 2021-22, FS145 and FS165 as in SY 2019-20 to 2021-22. For SY 2022-23
onward edfacts.md could confirm only titles and version numbers, so these layouts are *assumed unchanged*
since SY 2021-22. FS122 is written only for periods before 2022-23 (ED retired it). The header record is
Generate's stored layout (edfacts.md §2.2, filler to position 584). Layouts are data (``LAYOUTS``): a new
year's layout is a new table, not new code.

Conventions where ED's text was not available (edfacts.md marks them unverified):

- fixed-width fields are left-justified and space-padded, numbers too (as Generate writes them), and every
  record ends with CR/LF; delimited files carry every field of the layout but CR/LF, fillers empty;
- only non-zero category-set and subtotal rows are written; the education-unit total always is;
- who is counted, and the age/grade of each child, follow ``mepsis.reports.child_count``: FS121 counts the
  children of Category 1 plus the children eligible and residing in the state in the period only before
  their 3rd birthday (``UNDER3``), so FS121's subtotals above ``UNDER3`` equal Category 1 by age/grade; FS122
  is Category 2; FS054 counts each child who received a MEP-funded service (not ``REFSERV``) in the period,
  at their age/grade on the first day served, ``CONTINUED`` when any such service was under continuation of
  services; FS145 counts a child once under each service type received (``INSTRSERV`` for any instructional
  service, ``SUPPSERV`` for any support service, counseling included) at the FS054 age/grade; FS165 counts,
  per school, the children enrolled there in the school year named like the period on a day they were
  eligible;
- a child has PFS in a period when a PFS determination dated in the period says so, or the last one before
  it does; English learner and disability (IDEA) come from an enrollment in the period flagged ``Y``; QAD
  within 12 months is a QAD in the period on an approved COE listing the child;
- MEPSIS records no race or ethnicity (neither the national COE nor the enrollment feed carries it), so
  FS121's category set CSA (age/grade x race/ethnicity) cannot be written: the file has every other set and
  the command says that CSA is missing;
- MEPSIS records no schoolwide-program status, so FS165's consolidated MEP funds status is ``NA``.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from mepsis.delivery.models import PfsDetermination, ServiceBasis
from mepsis.orgs.models import District, School
from mepsis.registry.models import CoeStatus
from mepsis.rules.periods import Span, parse_year_name

from .child_count import (AGE_GRADES, CATEGORY_1, CATEGORY_2, NOT_MEP_FUNDED, T, age_grade_sql, dialect, fetch,
                          first_days_sql, grade_sql)

FORMATS = ("csv", "tab", "fixed")
CRLF = "\r\n"
LAST_FS122_YEAR = 2021  # FS122 was retired from SY 2022-23 (edfacts.md §1, §6)
HEADER_LENGTH = 584  # the header record's data, before its CR/LF (edfacts.md §2.2)


@dataclass(frozen=True, slots=True)
class Field:
    key: str  # what fills it: see _value(); a category's ED code (AGEGRDWO13...) for a category column
    length: int
    number: bool = False


def _common(table: bool = True) -> tuple[Field, ...]:
    fields = (Field("record_number", 10, True), Field("state_code", 2), Field("agency", 2),
              Field("filler", 14), Field("filler", 20))
    return fields + ((Field("table", 20),) if table else ())


def _tail(indicator: bool = True) -> tuple[Field, ...]:
    return ((Field("total_indicator", 1),) if indicator else ()) + (
        Field("explanation", 200), Field("count", 10, True), Field("crlf", 1))


@dataclass(frozen=True)
class Layout:
    name: str
    spec: str
    file_type: str  # the header's file type
    table: str | None  # the table name of each detail record
    fields: tuple[Field, ...]
    record_length: int  # as ED states it, the CR/LF counted as one position
    category_sets: dict[str, tuple[str, ...]]  # set -> its category columns; subtotals and totals included
    totals: frozenset[str] = frozenset()  # the sets whose rows have Total Indicator Y

    def positions(self) -> list[tuple[Field, int, int]]:
        """Each field with its first and last position (1-based, as in ED's layouts)."""
        result, start = [], 1
        for item in self.fields:
            result.append((item, start, start + item.length - 1))
            start += item.length
        return result


AGE_GRADE, AGE_GRADE_3 = "AGEGRDWO13", "AGEGRDWO13BT3"

LAYOUTS = {
    "FS121": Layout(
        "FS121", "FS121 Migratory Students Eligible - 12 Months (DG634), ED metadata SY 2020-21/2021-22",
        "SEA MEP STUDENTS ELIGIBLE", "MEPSTUDELIG",
        _common() + tuple(Field(code, 15) for code in (
            AGE_GRADE, "MEPPOSONLY", "RACEETHNIC", AGE_GRADE_3, "LEPONLY", "DISABSTATUS", "MOBILSTAT12MNTH",
            "filler", "filler")) + _tail(), 415,
        {"CSA": (AGE_GRADE, "RACEETHNIC"), "CSB": (AGE_GRADE_3, "MEPPOSONLY"), "CSC": (AGE_GRADE_3, "LEPONLY"),
         "CSD": (AGE_GRADE, "DISABSTATUS"), "CSE": (AGE_GRADE, "MOBILSTAT12MNTH"), "ST1": (AGE_GRADE,),
         "EUT": ()}, frozenset({"ST1", "EUT"})),
    "FS054": Layout(
        "FS054", "FS054 MEP Students Served - 12 Months (DG102), ED metadata SY 2017-18 to 2021-22",
        "SEA MIGRANT STUDENTS SERVED", "MIGRNTSERV",
        _common() + tuple(Field(code, 15) for code in (AGE_GRADE, AGE_GRADE_3, "MEPPOSONLY", "MEPCONTINUE",
                                                       "filler")) + _tail(), 355,
        {"CSA": (AGE_GRADE,), "CSB": (AGE_GRADE_3, "MEPPOSONLY"), "CSC": (AGE_GRADE_3, "MEPCONTINUE")}),
    "FS145": Layout(
        "FS145", "FS145 MEP Services (DG684), ED metadata SY 2019-20 to 2021-22",
        "SEA MEP SERVICES", "MEPSERVICES",
        _common() + tuple(Field(code, 15) for code in ("filler", "MEPSERVICES", AGE_GRADE)) + _tail(), 325,
        {"CSA": ("MEPSERVICES", AGE_GRADE)}),
    "FS122": Layout(
        "FS122", "FS122 MEP Students Eligible and Served - Summer/Intersession (DG635), ED metadata SY 2017-18 "
        "to 2021-22", "SEA MEP STUDENTS ELIGIBLE AND SERVED", "MEPSTUDELIGSERV",
        _common() + tuple(Field(code, 15) for code in (AGE_GRADE, "filler")) + _tail(), 310,
        {"CSA": (AGE_GRADE,), "EUT": ()}, frozenset({"EUT"})),
    "FS165": Layout(
        "FS165", "FS165 Migratory Data (DG110, DG514), ED metadata SY 2019-20 to 2021-22",
        "SCHOOL MIGRANT DATA", None,
        (Field("record_number", 10, True), Field("state_code", 2), Field("agency", 2), Field("lea", 14),
         Field("school", 20), Field("count", 10, True), Field("CONSMEPFUNDSTAT", 15), Field("explanation", 200),
         Field("crlf", 1)), 274, {"EUT": ()}),
}
FILES = frozenset(LAYOUTS)

HEADER = (Field("file_type", 50), Field("total_records", 10, True), Field("file_name", 25),
          Field("file_identifier", 32), Field("reporting_period", 9))

# FS145: each service code is reported under these MEP Services values (a child once under each).
REPORTED_AS = {
    "READINSTR": ("READINSTR", "INSTRSERV"), "MATHINSTR": ("MATHINSTR", "INSTRSERV"),
    "HSACCRUAL": ("HSACCRUAL", "INSTRSERV"), "INSTRSERV": ("INSTRSERV",),
    "COUNSELSERV": ("COUNSELSERV", "SUPPSERV"), "SUPPSERV": ("SUPPSERV",),
}
MEP_SERVICES = ("READINSTR", "MATHINSTR", "HSACCRUAL", "INSTRSERV", "SUPPSERV", "COUNSELSERV")  # ED's order
HS_ACCRUAL_GRADES = frozenset({"08", "09", "10", "11", "12", "UG", "OOS"})


class CannotWrite(Exception):
    """The file cannot be written as asked (a retired file, a name too long for the header)."""


@dataclass(frozen=True)
class Row:
    category_set: str
    categories: dict[str, str]
    count: int
    extra: dict[str, str] = field(default_factory=dict)  # FS165's LEA, school and funds status


@dataclass
class Written:
    spec: str
    records: int
    warnings: list[str]


def rows(name: str, period: Span) -> tuple[list[Row], list[str]]:
    """The detail records of an EDFacts file for the period, in order, and warnings for the person."""
    if name == "FS122" and period.first_day.year > LAST_FS122_YEAR:
        raise CannotWrite(gettext(
            "FS122 was retired from SY 2022-23: ED takes the Category 2 count from MSIX. It can be written only "
            "for periods up to 2021-22, not %(period)s.") % {"period": period.name})
    return _BUILDERS[name](period)


def write(name: str, period: Span, out: str | Path, file_format: str) -> Written:
    """Write the file for the period at ``out`` in ``csv``, ``tab`` or ``fixed`` format."""
    layout = LAYOUTS[name]
    file_name = Path(out).name
    if len(file_name) > 25:
        raise CannotWrite(gettext(
            "The file name %(name)s is longer than the 25 characters of the header's File Name field; ED names "
            "files like WISEAMIGSTUDELv000001.csv.") % {"name": file_name})
    detail, warnings = rows(name, period)
    first = parse_year_name(period.name)
    header = {"file_type": layout.file_type, "total_records": str(len(detail)), "file_name": file_name,
              "file_identifier": f"{name}-{timezone.localtime():%m%d%Y-%H%M}",
              "reporting_period": f"{first}-{first + 1}"}
    records = [_header(header, file_format)] + [
        _record(layout, number, row, file_format) for number, row in enumerate(detail, 1)]
    try:
        with open(out, "w", encoding="ascii", newline="") as handle:
            handle.writelines(records)
    except OSError as error:
        raise CannotWrite(gettext("Cannot write %(file)s: %(error)s") % {"file": out, "error": error.strerror})
    return Written(layout.spec, len(detail), warnings)


def _header(values: dict[str, str], file_format: str) -> str:
    if file_format == "fixed":
        return "".join(values[item.key].ljust(item.length) for item in HEADER).ljust(HEADER_LENGTH) + CRLF
    return _delimited([values[item.key] for item in HEADER], file_format)


def _record(layout: Layout, number: int, row: Row, file_format: str) -> str:
    columns = set(layout.category_sets[row.category_set])
    values = []
    for item in layout.fields:
        if item.key == "crlf":
            continue
        values.append(_value(layout, item.key, number, row, columns))
    if file_format == "fixed":
        return "".join(value.ljust(item.length) for value, item in zip(values, layout.fields)) + CRLF
    return _delimited(values, file_format)


def _value(layout: Layout, key: str, number: int, row: Row, columns: set[str]) -> str:
    if key == "record_number":
        return str(number)
    if key == "state_code":
        return f"{settings.MEPSIS_STATE_FIPS:02d}"
    if key == "agency":
        return "01"
    if key == "table":
        return layout.table
    if key == "total_indicator":
        return "Y" if row.category_set in layout.totals else "N"
    if key == "count":
        return str(row.count)
    if key in columns:
        return row.categories[key]
    return row.extra.get(key, "")  # fillers, explanation, other sets' categories: blank


def _delimited(values: list[str], file_format: str) -> str:
    if file_format == "tab":
        return "\t".join(values) + CRLF
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=CRLF).writerow(values)
    return buffer.getvalue()


# --- The counts behind each file --------------------------------------------------------------------------

def _pfs_sql(child: str, period: Span) -> tuple[str, list]:
    """1 when the child has PFS in the period: a determination in it says so, or the last one before it."""
    table = PfsDetermination._meta.db_table
    sql = (f"(CASE WHEN EXISTS (SELECT 1 FROM {table} d WHERE d.child_id = {child} AND d.pfs = %s "
           f"AND d.determination_date BETWEEN %s AND %s) OR EXISTS (SELECT 1 FROM {table} d WHERE d.child_id = {child} "
           f"AND d.pfs = %s AND d.id = (SELECT l.id FROM {table} l WHERE l.child_id = {child} AND l.determination_date "
           f"< %s ORDER BY l.determination_date DESC, l.id DESC LIMIT 1)) THEN 1 ELSE 0 END)")
    return sql, [True, period.first_day, period.last_day, True, period.first_day]


def _flag_sql(child: str, column: str, period: Span) -> tuple[str, list]:
    """1 when an enrollment of the child in the period has ``column`` = Y."""
    sql = (f"(CASE WHEN EXISTS (SELECT 1 FROM {T['Enrollment']} f WHERE f.child_id = {child} AND f.{column} = 'Y' "
           f"AND f.entry_date <= %s AND (f.exit_date IS NULL OR f.exit_date >= %s)) THEN 1 ELSE 0 END)")
    return sql, [period.last_day, period.first_day]


def _fs121(period: Span) -> tuple[list[Row], list[str]]:
    counted, counted_params = first_days_sql(period, CATEGORY_1, under_3=True)
    pfs, pfs_params = _pfs_sql("p.child", period)
    lep, lep_params = _flag_sql("p.child", "english_learner", period)
    wdis, wdis_params = _flag_sql("p.child", "iep", period)
    qad = (f"(CASE WHEN EXISTS (SELECT 1 FROM {T['CoeChild']} q JOIN {T['Coe']} c ON c.id = q.coe_id "
           f"WHERE q.child_id = p.child AND c.status = 'approved' AND q.eligibility_start IS NOT NULL "
           f"AND c.qad BETWEEN %s AND %s) THEN 1 ELSE 0 END)")
    query = (f"SELECT p.age_grade, COUNT(*), SUM({pfs}), SUM({lep}), SUM({wdis}), SUM({qad}) "
             f"FROM ({counted}) p GROUP BY p.age_grade")
    found = {row[0]: row[1:] for row in fetch(query, [
        *pfs_params, *lep_params, *wdis_params, period.first_day, period.last_day, *counted_params])}
    result = []
    for category_set, column, index, value in (("CSB", "MEPPOSONLY", 1, "PS"), ("CSC", "LEPONLY", 2, "LEP"),
                                               ("CSD", "DISABSTATUS", 3, "WDIS"),
                                               ("CSE", "MOBILSTAT12MNTH", 4, "QAD")):
        age_column = LAYOUTS["FS121"].category_sets[category_set][0]
        result += [Row(category_set, {age_column: age_grade, column: value}, found[age_grade][index])
                   for age_grade in _age_grades(age_column) if found.get(age_grade, (0,) * 5)[index]]
    result += [Row("ST1", {AGE_GRADE: age_grade}, found[age_grade][0]) for age_grade in AGE_GRADES
               if age_grade in found]
    result.append(Row("EUT", {}, sum(values[0] for values in found.values())))
    warning = gettext("FS121: category set CSA (age/grade by race/ethnicity) is not written: MEPSIS records no "
                      "race or ethnicity.")
    return result, [warning]


def _funded_sql(period: Span) -> tuple[str, list]:
    """A SELECT of the services ``s`` that count as MEP services of the period (child_id, service, begin_date,
    basis): MEP-funded (not a referral), on a day of the period, and under continuation of services or while
    eligible under a COE still approved (a COE voided by a re-interview since takes its children out of every
    count). Two halves, so that PostgreSQL checks eligibility by one hash join rather than once a service."""
    columns = "s.child_id, s.service, s.begin_date, s.basis"
    where = "s.service <> %s AND s.begin_date <= %s AND s.end_date >= %s"
    params = [NOT_MEP_FUNDED, period.last_day, period.first_day]
    query = (f"SELECT {columns} FROM {T['Service']} s WHERE {where} AND s.basis = %s UNION ALL "
             f"SELECT {columns} FROM {T['Service']} s WHERE {where} AND s.basis <> %s AND EXISTS "
             f"(SELECT 1 FROM {T['CoeChild']} cc JOIN {T['Coe']} c ON c.id = cc.coe_id WHERE cc.child_id = s.child_id "
             f"AND c.status = %s AND cc.eligibility_start <= s.end_date AND cc.last_eligible_day >= s.begin_date)")
    return query, [*params, ServiceBasis.CONTINUATION, *params, ServiceBasis.CONTINUATION, CoeStatus.APPROVED]


def _served_sql(period: Span, *, by_service: bool = False) -> tuple[str, list]:
    """A SELECT of the children served in the period (child, day first served, continued, age_grade); with
    ``by_service``, of each child once under each MEP Services value its funded services report as (reported,
    child, age_grade: FS145 counts FS054's children at FS054's age/grade)."""
    sql = dialect()
    funded, params = _funded_sql(period)
    age_grade = age_grade_sql(sql, "x.day", "x.birth_date", "x.grade")
    served = (f"SELECT x.child, x.day, x.continued, {age_grade} AS age_grade "
              f"FROM (SELECT s.child, s.day, s.continued, ch.birth_date, {grade_sql('s.child', 's.day')} AS grade "
              f"FROM (SELECT s.child_id AS child, MIN({sql.greatest}(s.begin_date, %s)) AS day, "
              f"MAX(CASE WHEN s.basis = %s THEN 1 ELSE 0 END) AS continued FROM funded s "
              f"GROUP BY s.child_id) s JOIN {T['Child']} ch ON ch.id = s.child{sql.fence}) x")
    if by_service:
        reported = " UNION ALL ".join(f"SELECT '{code}' AS code, '{value}' AS reported"
                                      for code, values in REPORTED_AS.items() for value in values)
        served = (f"SELECT DISTINCT r.reported, p.child, p.age_grade FROM ({served}) p "
                  f"JOIN funded f ON f.child_id = p.child JOIN ({reported}) r ON r.code = f.service")
    return f"WITH funded AS ({funded}) {served}", [*params, period.first_day, ServiceBasis.CONTINUATION]


def _fs054(period: Span) -> tuple[list[Row], list[str]]:
    served, params = _served_sql(period)
    pfs, pfs_params = _pfs_sql("p.child", period)
    found = {row[0]: row[1:] for row in fetch(
        f"SELECT p.age_grade, COUNT(*), SUM({pfs}), SUM(p.continued) FROM ({served}) p GROUP BY p.age_grade",
        [*pfs_params, *params])}
    result = [Row("CSA", {AGE_GRADE: age_grade}, found[age_grade][0]) for age_grade in AGE_GRADES
              if age_grade in found]
    for category_set, column, index, value in (("CSB", "MEPPOSONLY", 1, "PS"),
                                               ("CSC", "MEPCONTINUE", 2, "CONTINUED")):
        result += [Row(category_set, {AGE_GRADE_3: age_grade, column: value}, found[age_grade][index])
                   for age_grade in _age_grades(AGE_GRADE_3) if found.get(age_grade, (0,) * 3)[index]]
    return result, []


def _fs145(period: Span) -> tuple[list[Row], list[str]]:
    served, params = _served_sql(period, by_service=True)
    found = {(kind, age_grade): number for kind, age_grade, number in fetch(
        f"SELECT p.reported, p.age_grade, COUNT(*) FROM ({served}) p GROUP BY p.reported, p.age_grade", params)}
    result = [Row("CSA", {"MEPSERVICES": kind, AGE_GRADE: age_grade}, found[kind, age_grade])
              for kind in MEP_SERVICES for age_grade in AGE_GRADES if (kind, age_grade) in found]
    outside = sorted(age_grade for kind, age_grade in found if kind == "HSACCRUAL"
                     and age_grade not in HS_ACCRUAL_GRADES)
    warnings = [gettext("FS145: high school credit accrual (HSACCRUAL) is reported for %(grades)s; ED accepts it "
                        "only for grades 08-12, UG and OOS.") % {"grades": ", ".join(outside)}] if outside else []
    return result, warnings


def _fs122(period: Span) -> tuple[list[Row], list[str]]:
    counted, params = first_days_sql(period, CATEGORY_2)
    found = dict(fetch(f"SELECT age_grade, COUNT(*) FROM ({counted}) p GROUP BY age_grade", params))
    result = [Row("CSA", {AGE_GRADE: age_grade}, found[age_grade]) for age_grade in AGE_GRADES
              if age_grade in found]
    result.append(Row("EUT", {}, sum(found.values())))
    return result, []


def _fs165(period: Span) -> tuple[list[Row], list[str]]:
    year_end = dt.date(period.first_day.year + 1, 6, 30)
    query = (f"SELECT d.district_id, sc.school_id, COUNT(DISTINCT e.child_id) FROM {T['Enrollment']} e "
             f"JOIN {School._meta.db_table} sc ON sc.id = e.school_id "
             f"JOIN {District._meta.db_table} d ON d.id = sc.district_id "
             f"WHERE e.school_year = %s AND e.child_id IS NOT NULL AND EXISTS (SELECT 1 FROM {T['CoeChild']} cc "
             f"JOIN {T['Coe']} c ON c.id = cc.coe_id WHERE cc.child_id = e.child_id AND c.status = 'approved' "
             f"AND cc.eligibility_start IS NOT NULL AND cc.eligibility_start <= COALESCE(e.exit_date, %s) "
             f"AND cc.last_eligible_day >= e.entry_date) "
             f"GROUP BY d.district_id, sc.school_id ORDER BY d.district_id, sc.school_id")
    return [Row("EUT", {}, number, {"lea": district, "school": school, "CONSMEPFUNDSTAT": "NA"})
            for district, school, number in fetch(query, [period.name, year_end])], []


def _age_grades(column: str) -> tuple[str, ...]:
    return AGE_GRADES if column == AGE_GRADE else AGE_GRADES[1:]


_BUILDERS = {"FS121": _fs121, "FS054": _fs054, "FS145": _fs145, "FS122": _fs122, "FS165": _fs165}
