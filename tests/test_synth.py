"""The synthetic-data generator: repeatable, realistic, and exactly as valid as it says (no Django here)."""

import collections
import datetime as dt
import json

import pytest

from mepsis import synth
from mepsis.rules import check_coe

ALL_STATUSES = {"approved": 6, "draft": 1, "submitted": 1, "returned": 1, "rejected": 1, "void": 1}


@pytest.fixture(scope="module")
def orgs():
    return synth.make_orgs(11, districts=25, regions=4)


@pytest.fixture(scope="module")
def district_ids(orgs):
    return [row["district_id"] for row in orgs if not row["school_id"]]


@pytest.fixture(scope="module")
def labelled(orgs, district_ids):
    """4,000 documents of every status, a third of them with a defect."""
    return list(synth.make_labelled_coes(5, 4000, district_ids=district_ids, statuses=ALL_STATUSES,
                                         defect_rate=0.33, cities=synth.district_cities(orgs)))


def _dump(rows_or_documents):
    return json.dumps(list(rows_or_documents), ensure_ascii=False, sort_keys=True)


def _dates(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _dates(item)
    elif isinstance(value, list):
        for item in value:
            yield from _dates(item)
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[:4].isdigit():
        yield value


def _age(birth: str, day: str) -> int:
    born, on = dt.date.fromisoformat(birth), dt.date.fromisoformat(day)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# --- repeatable ------------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_orgs_and_the_same_coes(district_ids):
    assert _dump(synth.make_orgs(3, districts=40)) == _dump(synth.make_orgs(3, districts=40))
    first = synth.make_coes(8, 300, district_ids=district_ids, defect_rate=0.2, statuses=ALL_STATUSES)
    again = synth.make_coes(8, 300, district_ids=district_ids, defect_rate=0.2, statuses=ALL_STATUSES)
    assert _dump(first) == _dump(again)


def test_another_seed_gives_other_orgs_and_other_coes(district_ids):
    assert _dump(synth.make_orgs(3)) != _dump(synth.make_orgs(4))
    assert _dump(synth.make_coes(8, 50, district_ids=district_ids)) != _dump(
        synth.make_coes(9, 50, district_ids=district_ids))


# --- valid where it says so, defective where it says so ------------------------------------------------


def test_every_document_without_a_defect_is_eligible_with_no_error_and_no_warning(labelled, district_ids):
    known = set(district_ids)
    clean = [document for document, defect in labelled if defect is None]
    assert len(clean) > 2000
    for document in clean:
        result = check_coe(document, known_districts=known)
        assert result.eligible, (document["coe_id"], result.as_dict())
        assert not result.has_errors and not result.warnings, (document["coe_id"], result.as_dict())
        assert all(child.eligible for child in result.children)


def test_the_clean_documents_cover_every_way_of_moving_and_every_kind_of_work(labelled):
    clean = [document["qualifying_move"] for document, defect in labelled if defect is None]
    assert {move["moved"] for move in clean} == {"as_worker", "with_worker", "to_join_worker", "to_precede_worker"}
    assert {move["worker"]["relationship"] for move in clean} == {"parent", "guardian", "spouse", "self"}
    assert {move["prong"] for move in clean} == {"engaged", "actively_sought"}
    assert {(move["work"]["sector"], move["work"]["duration"]) for move in clean} == {
        ("agricultural", "seasonal"), ("agricultural", "temporary"), ("fishing", "seasonal"), ("fishing", "temporary")}


def test_every_defective_document_has_the_error_its_defect_names(labelled, district_ids):
    known = set(district_ids)
    defective = [(document, defect) for document, defect in labelled if defect is not None]
    assert {defect for _, defect in defective} == set(synth.DEFECT_KINDS)
    for document, defect in defective:
        result = check_coe(document, known_districts=known)
        assert result.has_errors
        assert defect in {str(error.code) for error in result.all_errors()}, (defect, result.as_dict())


def test_no_defective_document_is_approved_or_void(labelled):
    statuses = collections.Counter(document["status"] for document, defect in labelled if defect is not None)
    assert set(statuses) == {"draft", "submitted", "returned", "rejected"}


def test_a_defective_document_gets_a_status_that_is_not_approved_even_when_only_approved_is_asked(district_ids):
    documents = list(synth.make_labelled_coes(1, 400, district_ids=district_ids, defect_rate=0.5))
    assert {document["status"] for document, defect in documents if defect is None} == {"approved"}
    assert {document["status"] for document, defect in documents if defect} <= {"submitted", "returned", "rejected"}


def test_defects_come_at_about_the_rate_asked(labelled):
    share = sum(defect is not None for _, defect in labelled) / len(labelled)
    assert 0.30 < share < 0.36


def test_approved_and_void_documents_carry_the_reviewers_signature_and_others_do_not(labelled):
    for document, _ in labelled:
        assert ("reviewer" in document["signatures"]) == (document["status"] in ("approved", "void"))
        assert ("void_reason" in document) == (document["status"] == "void")
        assert ("return_reasons" in document) == (document["status"] == "returned")


def test_no_date_is_after_today_when_today_is_given(district_ids):
    for today in ("2025-03-01", "2025-07-15", "2026-02-01"):
        documents = synth.make_labelled_coes(2, 1500, district_ids=district_ids, today=today, defect_rate=0.3,
                                             statuses=ALL_STATUSES)
        for document, defect in documents:
            assert max(_dates(document)) <= today, (today, defect, document["coe_id"])
            if defect is None:
                assert check_coe(document, known_districts=set(district_ids)).eligible


# --- realistic --------------------------------------------------------------------------------------------


def test_coe_ids_are_numbered_from_start_with_the_state_and_year(district_ids):
    documents = list(synth.make_coes(1, 3, district_ids=district_ids, start=123, year=2024, state="wi"))
    assert [document["coe_id"] for document in documents] == ["WI-2024-000123", "WI-2024-000124", "WI-2024-000125"]


def test_families_have_one_to_five_children_two_on_average(labelled):
    sizes = [len(document["children"]) for document, _ in labelled]
    assert min(sizes) == 1 and max(sizes) == 5
    assert 1.8 < sum(sizes) / len(sizes) < 2.3


def test_children_take_the_fathers_first_surname_and_the_mothers_first_surname(labelled):
    checked = 0
    for document, defect in labelled:
        family, move = document["family"], document["qualifying_move"]
        if defect or move["moved"] not in ("with_worker", "to_join_worker") or family["home_language"] != "es":
            continue
        mother, father = family["parent1"], family["parent2"]
        if father is None or move["worker"]["relationship"] != "parent":
            continue
        for child in document["children"]:
            assert child["last_name_1"] == father["last_name_1"]
            assert child["last_name_2"] in (mother["last_name_1"], None)
        checked += 1
    assert checked > 1000


def test_names_carry_spanish_accents_in_a_good_share_of_documents(labelled):
    surnames = [child["last_name_1"] for document, defect in labelled if defect is None
                for child in document["children"]]
    accented = sum(any(letter in name for letter in "áéíóúÁÉÍÓÚñÑ") for name in surnames) / len(surnames)
    assert 0.25 < accented < 0.75
    assert {"Hernández", "Hernandez"} <= set(surnames)


def test_children_are_0_to_21_on_the_qad_and_under_22_on_the_interview(labelled):
    ages = collections.Counter()
    for document, defect in labelled:
        if defect:
            continue
        for child in document["children"]:
            ages[_age(child["birth_date"], document["qualifying_move"]["qad"])] += 1
            assert _age(child["birth_date"], document["interview_date"]) <= 21
    assert min(ages) == 0 and max(ages) == 21


def test_youths_who_moved_as_workers_are_16_to_21_and_alone_on_their_coe(labelled):
    youths = [document for document, defect in labelled
              if defect is None and document["qualifying_move"]["moved"] == "as_worker"]
    assert youths
    for document in youths:
        (child,) = document["children"]
        assert 16 <= _age(child["birth_date"], document["qualifying_move"]["qad"]) <= 21
        assert document["qualifying_move"]["worker"]["relationship"] == "self"


def test_grades_follow_the_age_on_september_first(labelled):
    for document, defect in labelled:
        if defect:
            continue
        qad = dt.date.fromisoformat(document["qualifying_move"]["qad"])
        september = dt.date(qad.year if qad.month >= 6 else qad.year - 1, 9, 1).isoformat()
        for child in document["children"]:
            if child["grade"] is None:
                continue
            age = _age(child["birth_date"], september)
            expected = {"PK": 4, "KG": 5}.get(child["grade"]) or int(child["grade"]) + 5
            assert expected in (age, age - 1) or (child["grade"] == "12" and age == 18), (child, september)


def test_state_student_ids_are_ten_digits_unique_and_only_on_children_in_school(orgs, district_ids):
    documents = []
    for year in (2024, 2025):
        documents += synth.make_coes(6, 3000, district_ids=district_ids, year=year)
    ids = [child["state_student_id"] for document in documents for child in document["children"]
           if child["state_student_id"]]
    assert len(ids) == len(set(ids)) > 2000
    assert all(len(ssid) == 10 and ssid.isdigit() for ssid in ids)
    assert all(child["grade"] for document in documents for child in document["children"] if child["state_student_id"])


def test_brothers_and_sisters_on_one_coe_have_different_first_names(labelled):
    for document, _ in labelled:
        names = [child["first_name"] for child in document["children"] if child.get("first_name")]
        assert len(names) == len(set(names))


def test_families_move_to_the_districts_given_from_another_state_mostly(labelled, district_ids):
    moves = [document["qualifying_move"] for document, defect in labelled if defect is None]
    assert {move["to"]["district_id"] for move in moves} <= set(district_ids)
    from_elsewhere = sum(move["from"]["state"] != "WI" for move in moves) / len(moves)
    assert from_elsewhere > 0.9


def test_documents_carry_no_child_id(labelled):
    assert not any("child_id" in child for document, _ in labelled for child in document["children"])


# --- districts and schools ------------------------------------------------------------------------------


@pytest.mark.parametrize("districts", [1, 12, 400])
def test_orgs_rows_have_exactly_the_columns_of_the_orgs_file_and_unique_district_and_school(districts):
    rows = synth.make_orgs(districts, districts=districts, regions=min(districts, 12))
    assert all(tuple(row) == synth.ORG_COLUMNS for row in rows)
    assert all(isinstance(value, str) for row in rows for value in row.values())
    keys = [(row["district_id"], row["school_id"]) for row in rows]
    assert len(keys) == len(set(keys))
    district_rows = [row for row in rows if not row["school_id"]]
    assert len(district_rows) == districts
    assert len({row["district_name"] for row in district_rows}) == districts
    assert {row["district_id"] for row in rows} == {row["district_id"] for row in district_rows}


def test_orgs_have_the_shapes_of_wisconsin_ids():
    rows = synth.make_orgs(2, districts=60, regions=3, schools_per_district=(1, 4))
    districts = [row for row in rows if not row["school_id"]]
    schools = [row for row in rows if row["school_id"]]
    assert len({row["region"] for row in rows}) == 3
    assert all(row["region"].startswith("CESA ") for row in rows)
    for row in districts:
        assert len(row["district_id"]) == 4 and row["district_id"].isdigit()
        assert len(row["nces_district_id"]) == 7 and row["nces_district_id"].startswith("55")
        assert row["edfi_id"].isdigit()
        assert row["district_name"].endswith("School District") or row["district_name"].startswith("School District of")
        assert row["nces_school_id"] == row["grades"] == row["school_name"] == ""
    for row in schools:
        assert len(row["school_id"]) == 4 and row["school_id"].isdigit()
        assert len(row["nces_school_id"]) == 12 and row["nces_school_id"].startswith(row["nces_district_id"])
        assert row["grades"] in ("PK-12", "PK-06", "07-12", "PK-08", "09-12", "PK-05", "06-08")
    per_district = collections.Counter(row["district_id"] for row in schools)
    assert set(per_district.values()) == {1, 2, 3, 4}


def test_district_cities_names_the_town_of_each_district():
    rows = [{"district_id": "5621", "district_name": "Sturgeon Bay School District", "school_id": ""},
            {"district_id": "0007", "district_name": "School District of Marshfield", "school_id": ""},
            {"district_id": "3150", "district_name": "Luxemburg-Casco School District", "school_id": ""},
            {"district_id": "0238", "district_name": "Gibraltar Area School District", "school_id": ""}]
    assert synth.district_cities(rows) == {"5621": "Sturgeon Bay", "0007": "Marshfield", "3150": "Luxemburg",
                                           "0238": "Gibraltar"}


# --- files, the command line and the shipped sample ------------------------------------------------------


def test_the_shipped_sample_files_are_what_sample_writes_today(tmp_path):
    assert synth.main(["sample", "--dir", str(tmp_path)]) == 0
    for name in ("orgs.csv", "coes.jsonl"):
        assert (tmp_path / name).read_bytes() == (synth.SAMPLE_DIR / name).read_bytes(), name


def test_the_sample_is_mostly_approved_with_every_other_status_but_void_and_all_clean():
    orgs = synth.read_orgs_csv(synth.SAMPLE_DIR / "orgs.csv")
    known = {row["district_id"] for row in orgs}
    assert len(known) == 12 and len({row["region"] for row in orgs}) == 3
    documents = [json.loads(line) for line in (synth.SAMPLE_DIR / "coes.jsonl").read_text("utf-8").splitlines()]
    assert 140 <= len(documents) <= 160
    statuses = collections.Counter(document["status"] for document in documents)
    assert set(statuses) == {"approved", "draft", "submitted", "returned", "rejected"}
    assert statuses["approved"] > len(documents) / 2
    assert len({document["coe_id"] for document in documents}) == len(documents)
    for document in documents:
        result = check_coe(document, known_districts=known)
        assert result.eligible and not result.has_errors and not result.warnings, document["coe_id"]


def test_the_command_line_writes_orgs_and_coes_and_prints_nothing(tmp_path, capsys):
    orgs, coes = tmp_path / "orgs.csv", tmp_path / "coes.jsonl"
    assert synth.main(["orgs", "--seed", "4", "--districts", "30", "--out", str(orgs)]) == 0
    assert synth.main(["coes", "--seed", "4", "--count", "200", "--orgs", str(orgs), "--out", str(coes),
                       "--defect-rate", "0.1", "--statuses", "approved=8,submitted=1,draft=1"]) == 0
    assert capsys.readouterr() == ("", "")
    rows = synth.read_orgs_csv(orgs)
    assert rows == synth.make_orgs(4, districts=30)
    documents = [json.loads(line) for line in coes.read_text("utf-8").splitlines()]
    assert len(documents) == 200
    cities = synth.district_cities(rows)
    assert documents == list(synth.make_coes(4, 200, district_ids=list(cities), cities=cities, defect_rate=0.1,
                                             statuses={"approved": 8, "submitted": 1, "draft": 1}))
    assert all(document["qualifying_move"]["to"]["city"] == cities[document["qualifying_move"]["to"]["district_id"]]
               for document in documents if "to" in document["qualifying_move"])


def test_the_command_line_refuses_an_unknown_status_and_a_missing_orgs_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        synth.main(["coes", "--seed", "1", "--count", "1", "--orgs", "x.csv", "--out", "-", "--statuses", "aproved=1"])
    assert exit_.value.code == 2
    assert "unknown status" in capsys.readouterr().err
    assert synth.main(["coes", "--seed", "1", "--count", "1", "--orgs", str(tmp_path / "none.csv"),
                       "--out", str(tmp_path / "out.jsonl")]) == 2
    assert "none.csv" in capsys.readouterr().err


def test_make_coes_refuses_an_empty_list_of_districts_and_an_unknown_status():
    with pytest.raises(ValueError):
        synth.make_coes(1, 1, district_ids=[])
    with pytest.raises(ValueError):
        synth.make_coes(1, 1, district_ids=["0001"], statuses={"aproved": 1})
