"""EDFacts files (issue 7, item 4): each file is read back, in each format, and every record checked against
the layout edfacts.md gives (positions typed here from its tables, not from the code), ED's permitted values,
the totals' arithmetic and the agreements between files that ED's edit checks expect. The counts of a small
state are worked out by hand."""

import csv
import datetime as dt

import pytest
from django.utils import timezone

from mepsis.delivery.models import PfsDetermination, PfsRuleSet
from mepsis.reports.child_count import child_count

from test_child_count import serve, void

D = dt.date.fromisoformat
PERIOD = "2024-25"

pytestmark = pytest.mark.django_db

AGE_GRADES = {"UNDER3", "3TO5NOTK", "KG", *(f"{grade:02d}" for grade in range(1, 13)), "UG", "OOS"}

# (field, first position, last position), typed from edfacts.md §2.2-§7.1; CR/LF last.
COMMON = [("record_number", 1, 10), ("state_code", 11, 12), ("agency", 13, 14), ("filler", 15, 28),
          ("filler", 29, 48), ("table", 49, 68)]
LAYOUTS = {
    "FS121": (415, COMMON + [("AGEGRDWO13", 69, 83), ("MEPPOSONLY", 84, 98), ("RACEETHNIC", 99, 113),
                             ("AGEGRDWO13BT3", 114, 128), ("LEPONLY", 129, 143), ("DISABSTATUS", 144, 158),
                             ("MOBILSTAT12MNTH", 159, 173), ("filler", 174, 188), ("filler", 189, 203),
                             ("total", 204, 204), ("explanation", 205, 404), ("count", 405, 414)]),
    "FS054": (355, COMMON + [("AGEGRDWO13", 69, 83), ("AGEGRDWO13BT3", 84, 98), ("MEPPOSONLY", 99, 113),
                             ("MEPCONTINUE", 114, 128), ("filler", 129, 143), ("total", 144, 144),
                             ("explanation", 145, 344), ("count", 345, 354)]),
    "FS145": (325, COMMON + [("filler", 69, 83), ("MEPSERVICES", 84, 98), ("AGEGRDWO13", 99, 113),
                             ("total", 114, 114), ("explanation", 115, 314), ("count", 315, 324)]),
    "FS122": (310, COMMON + [("AGEGRDWO13", 69, 83), ("filler", 84, 98), ("total", 99, 99),
                             ("explanation", 100, 299), ("count", 300, 309)]),
    "FS165": (274, [("record_number", 1, 10), ("state_code", 11, 12), ("agency", 13, 14), ("lea", 15, 28),
                    ("school", 29, 48), ("count", 49, 58), ("CONSMEPFUNDSTAT", 59, 73), ("explanation", 74, 273)]),
}
HEADER = [("file_type", 1, 50), ("total_records", 51, 60), ("file_name", 61, 85), ("file_identifier", 86, 117),
          ("reporting_period", 118, 126)]
FILE_TYPES = {"FS121": "SEA MEP STUDENTS ELIGIBLE", "FS054": "SEA MIGRANT STUDENTS SERVED",
              "FS145": "SEA MEP SERVICES", "FS122": "SEA MEP STUDENTS ELIGIBLE AND SERVED",
              "FS165": "SCHOOL MIGRANT DATA"}
TABLES = {"FS121": "MEPSTUDELIG", "FS054": "MIGRNTSERV", "FS145": "MEPSERVICES", "FS122": "MEPSTUDELIGSERV"}
PERMITTED = {
    "AGEGRDWO13": AGE_GRADES, "AGEGRDWO13BT3": AGE_GRADES - {"UNDER3"}, "MEPPOSONLY": {"PS"},
    "RACEETHNIC": {"AM7", "AS7", "BL7", "HI7", "PI7", "WH7", "MU7"}, "LEPONLY": {"LEP"}, "DISABSTATUS": {"WDIS"},
    "MOBILSTAT12MNTH": {"QAD"}, "MEPCONTINUE": {"CONTINUED"},
    "MEPSERVICES": {"READINSTR", "MATHINSTR", "HSACCRUAL", "INSTRSERV", "SUPPSERV", "COUNSELSERV"},
    "CONSMEPFUNDSTAT": {"YES", "NO", "NA"},
}
# The category columns each set fills (edfacts.md §3.2, §4.2, §5.2, §6.1); the others stay blank.
SETS = {
    "FS121": {("AGEGRDWO13", "RACEETHNIC"): "N", ("AGEGRDWO13BT3", "MEPPOSONLY"): "N",
              ("AGEGRDWO13BT3", "LEPONLY"): "N", ("AGEGRDWO13", "DISABSTATUS"): "N",
              ("AGEGRDWO13", "MOBILSTAT12MNTH"): "N", ("AGEGRDWO13",): "Y", (): "Y"},
    "FS054": {("AGEGRDWO13",): "N", ("AGEGRDWO13BT3", "MEPPOSONLY"): "N", ("AGEGRDWO13BT3", "MEPCONTINUE"): "N"},
    "FS145": {("MEPSERVICES", "AGEGRDWO13"): "N"},
    "FS122": {("AGEGRDWO13",): "N", (): "Y"},
}


@pytest.fixture
def small_state(state):
    """A small state whose files are worked out by hand below (period 2024-25)."""
    rules = PfsRuleSet.objects.create(version=1, criteria={"criteria": []}, created_by="t", created_at=timezone.now(), active=True)

    def pfs(child, on):
        PfsDetermination.objects.create(child=child, determination_date=D(on), pfs=True, inputs={}, rule_set=rules,
                                        determined_at=timezone.now(), determined_by="t")

    # Ana: grade 05 all year, English learner, PFS from 2024-10-01; reading in the fall, math in the summer.
    ana = state.certify("Ana", "S1", qad="2024-06-01")
    state.enroll(ana, entry="2024-08-26", school_year="2024-25", grade="05").__class__.objects.filter(
        child=ana).update(english_learner="Y")
    pfs(ana, "2024-10-01")
    serve(ana, "2024-10-01", "2024-12-15", session="regular")
    serve(ana, "2025-07-07", "2025-07-20", service="MATHINSTR")
    # Beto: turns 3 on 2024-12-01; a support service at 2 (UNDER3 in FS054).
    beto = state.certify("Beto", "S2", qad="2024-06-01", birth_date="2021-12-01")
    serve(beto, "2024-09-10", "2024-09-10", service="SUPPSERV", session="regular")
    # Carla: grade 10 with an IEP in another district, eligible through 2025-06-30, PFS since before the
    # period; credit accrual in the summer under continuation of services.
    carla = state.certify("Carla", "S3", qad="2022-07-01", birth_date="2008-05-05")
    state.enroll(carla, state.district("5622", 255622), entry="2024-08-28", school_year="2024-25",
                 grade="10").__class__.objects.filter(child=carla).update(iep="Y")
    pfs(carla, "2024-08-01")
    serve(carla, "2025-07-01", "2025-08-15", service="HSACCRUAL", basis="continuation")
    # Dora: 1 year old, QAD in the period: FS121 as UNDER3, in no count.
    state.certify("Dora", "S4", qad="2025-01-15", birth_date="2023-03-01")
    # Eva: found ineligible (void), though served: in no file.
    eva = state.certify("Eva", "S5", qad="2024-06-01")
    serve(eva, "2024-10-01", "2024-10-30", session="regular")
    void(state, eva)
    # Fidel: served in the summer of 2022 while eligible: Category 2 of 2021-22 (FS122).
    fidel = state.certify("Fidel", "S6", qad="2021-06-01")
    serve(fidel, "2022-07-05", "2022-07-20")


def read(path, name, file_format):
    """The header and detail records of a file, each as {field: value}, checking the fixed positions."""
    text = path.read_bytes().decode("ascii")
    lines = text.split("\r\n")
    assert lines[-1] == "" and "\n" not in "".join(lines), "every record ends with CR/LF"
    lines = lines[:-1]
    length, fields = LAYOUTS[name]
    if file_format == "fixed":
        assert len(lines[0]) == 584
        header = {key: lines[0][start - 1:end].rstrip() for key, start, end in HEADER}
        assert lines[0][126:].strip() == ""
        records = []
        for line in lines[1:]:
            assert len(line) == length - 1, "the record's length, its CR/LF the last position"
            records.append({key: line[start - 1:end].rstrip() for key, start, end in fields})
    else:
        rows = list(csv.reader(lines)) if file_format == "csv" else [line.split("\t") for line in lines]
        header = dict(zip([key for key, _, _ in HEADER], rows[0], strict=True))
        records = [dict(zip([key for key, _, _ in fields], row, strict=True)) for row in rows[1:]]
    return header, records


def check(name, header, records, file_name):
    """Every record against the layout and ED's values; gives {set columns + values: count}."""
    assert header["file_type"] == FILE_TYPES[name]
    assert header["total_records"] == str(len(records))
    assert header["file_name"] == file_name
    assert header["reporting_period"] == "2024-2025"
    assert header["file_identifier"].startswith(f"{name}-") and len(header["file_identifier"]) <= 32
    counts = {}
    for number, record in enumerate(records, 1):
        assert record["record_number"] == str(number)
        assert (record["state_code"], record["agency"]) == ("55", "01")
        assert record["explanation"] == "" and all(record[key] == "" for key in record if key == "filler")
        assert record["count"].isdigit()
        # The set's columns, named service first, then age/grade, then the status (as SETS names them).
        filled = tuple(sorted((key for key in record if key in PERMITTED and record[key]),
                              key=lambda key: (key != "MEPSERVICES", not key.startswith("AGEGRD"))))
        for key in filled:
            assert record[key] in PERMITTED[key], (name, key, record[key])
        if name == "FS165":
            counts[record["lea"], record["school"]] = int(record["count"])
            continue
        assert record["table"] == TABLES[name]
        assert record["total"] == SETS[name][filled], (name, filled)
        key = tuple(record[column] for column in filled)
        assert key not in counts, "each category combination once"
        counts[key] = int(record["count"])
    return counts


def written(mepsis, tmp_path, name, file_format, period=PERIOD):
    extension = {"fixed": "txt"}.get(file_format, file_format)
    path = tmp_path / f"WISEA{name}v01.{extension}"
    ran = mepsis("report", "edfacts", name, "--period", period, "--out", path, "--format", file_format)
    assert ran.code == 0, ran.err
    return path, ran


@pytest.mark.parametrize("file_format", ["csv", "tab", "fixed"])
def test_each_file_reads_back_record_by_record_as_the_layout_gives_it(small_state, mepsis, tmp_path, file_format):
    files = {}
    for name in ("FS121", "FS054", "FS145", "FS165"):
        path, ran = written(mepsis, tmp_path, name, file_format)
        header, records = read(path, name, file_format)
        files[name] = check(name, header, records, path.name)
    fs121, fs054, fs145, fs165 = files["FS121"], files["FS054"], files["FS145"], files["FS165"]

    # By hand: Category 1 is Ana (05), Beto (3TO5NOTK from his 3rd birthday) and Carla (10); FS121 adds Dora
    # (UNDER3). PFS: Ana and Carla; English learner: Ana; IEP: Carla; QAD in the period: Dora.
    assert fs121 == {("05", "PS"): 1, ("10", "PS"): 1, ("05", "LEP"): 1, ("10", "WDIS"): 1, ("UNDER3", "QAD"): 1,
                     ("UNDER3",): 1, ("3TO5NOTK",): 1, ("05",): 1, ("10",): 1, (): 4}
    # Served: Ana (05, first served 2024-10-01), Beto (UNDER3 on 2024-09-10), Carla (10, under continuation).
    assert fs054 == {("UNDER3",): 1, ("05",): 1, ("10",): 1, ("05", "PS"): 1, ("10", "PS"): 1,
                     ("10", "CONTINUED"): 1}
    assert fs145 == {("READINSTR", "05"): 1, ("MATHINSTR", "05"): 1, ("HSACCRUAL", "10"): 1,
                     ("INSTRSERV", "05"): 1, ("INSTRSERV", "10"): 1, ("SUPPSERV", "UNDER3"): 1}
    assert fs165 == {("5621", "5621-01"): 1, ("5622", "5622-01"): 1}

    # The arithmetic and the agreements ED's edit checks expect.
    subtotals = {key[0]: number for key, number in fs121.items() if len(key) == 1}
    assert sum(subtotals.values()) == fs121[()]
    count = child_count(PERIOD)
    assert {grade: number for grade, number in subtotals.items() if grade != "UNDER3"} == \
        count.by_age_grade["category1"]
    for key, number in fs121.items():
        if len(key) == 2:
            assert number <= subtotals[key[0]]
    served = {key[0]: number for key, number in fs054.items() if len(key) == 1}
    pfs_served = sum(number for key, number in fs054.items() if key[1:] == ("PS",))
    pfs_eligible = sum(number for key, number in fs121.items() if key[1:] == ("PS",))
    assert pfs_served <= pfs_eligible
    for (grade, flag), number in ((key, number) for key, number in fs054.items() if len(key) == 2):
        assert number <= served[grade]
    for (service, grade), number in fs145.items():
        assert number <= served[grade]
        if service == "HSACCRUAL":
            assert grade in {"08", "09", "10", "11", "12", "UG", "OOS"}
    assert sum(number for (service, _), number in fs145.items() if service == "INSTRSERV") <= sum(served.values())


def test_fs122_is_category_2_before_2022_23_and_refused_after(small_state, mepsis, tmp_path):
    path, ran = written(mepsis, tmp_path, "FS122", "fixed", period="2021-22")
    header, records = read(path, "FS122", "fixed")
    assert header["reporting_period"] == "2021-2022"
    assert [(record["AGEGRDWO13"], record["total"], record["count"]) for record in records] == [
        ("OOS", "N", "1"), ("", "Y", "1")]
    assert child_count("2021-22").category2 == 1
    served, _ = written(mepsis, tmp_path, "FS054", "csv", period="2021-22")
    assert sum(int(row[-1]) for row in list(csv.reader(served.open()))[1:] if row[6]) >= 1

    ran = mepsis("report", "edfacts", "FS122", "--period", PERIOD, "--out", tmp_path / "x.csv")
    assert ran.code == 2
    assert "FS122 was retired from SY 2022-23" in ran.err
    assert not (tmp_path / "x.csv").exists()


def test_a_name_too_long_for_the_header_is_refused(small_state, mepsis, tmp_path):
    ran = mepsis("report", "edfacts", "FS054", "--period", PERIOD, "--out", tmp_path / ("x" * 22 + ".csv"))

    assert ran.code == 2 and "25 characters" in ran.err


def test_fs121_says_that_the_race_set_is_missing(small_state, mepsis, tmp_path):
    _, ran = written(mepsis, tmp_path, "FS121", "csv")

    assert "CSA" in ran.err and "race" in ran.err
