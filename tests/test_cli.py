import io
import json
import sys

import pytest

from mepsis.cli import COMMANDS

pytestmark = pytest.mark.django_db


def test_mepsis_help_lists_every_command(mepsis):
    ran = mepsis("--help")

    assert ran.code == 0
    for name in COMMANDS:
        assert f"\n  {name} " in ran.out


@pytest.mark.parametrize("argv", [["coe", "--help"], ["coe", "check", "--help"], ["coe", "import", "--help"],
                                  ["coe", "export", "--help"], ["orgs", "load", "--help"], ["init", "--help"],
                                  ["demo", "--help"], ["child", "eligibility", "--help"]])
def test_every_command_describes_itself(mepsis, capsys, argv):
    ran = mepsis(*argv)

    assert ran.code == 0
    assert "usage: mepsis" in ran.out


def test_an_unknown_command_or_option_is_a_usage_error(mepsis):
    assert mepsis("frobnicate").code == 2
    assert mepsis("coe", "check").code == 2
    assert mepsis("coe", "check", "x.json", "--format", "xml").code == 2


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_check_prints_the_result_of_interfaces_md_for_its_example(mepsis, example_coe, tmp_path):
    path = write(tmp_path / "coe.json", json.dumps(example_coe(), indent=2))

    ran = mepsis("coe", "check", path, "--format", "json")

    assert ran.code == 0
    (result,) = ran.json()
    assert result.pop("source") == str(path)
    assert result == {
        "coe_id": "WI-2025-000123", "eligible": True, "errors": [], "warnings": [],
        "children": [{"index": 0, "eligible": True, "eligibility_start": "2025-06-01",
                      "last_eligible_day": "2028-05-31", "end_reason": "THIRTY_SIX_MONTHS", "errors": []}],
    }


def test_check_gives_one_result_per_coe_in_input_order_from_json_lines_and_arrays(mepsis, example_coe, tmp_path):
    documents = []
    for number in range(3):
        document = example_coe()
        document["coe_id"] = f"WI-2025-00000{number}"
        documents.append(document)
    documents[1]["interview_date"] = "2025-05-01"
    lines = write(tmp_path / "coes.jsonl", "".join(json.dumps(d) + "\n" for d in documents))
    array = write(tmp_path / "coes.json", json.dumps(documents))

    for path in (lines, array):
        ran = mepsis("coe", "check", path, "--format", "json")
        results = ran.json()
        assert ran.code == 1
        assert [r["coe_id"] for r in results] == ["WI-2025-000000", "WI-2025-000001", "WI-2025-000002"]
        assert [r["eligible"] for r in results] == [True, False, True]
        assert results[1]["errors"][0]["code"] == "QAD_AFTER_INTERVIEW"
    assert [r["source"] for r in mepsis("coe", "check", lines, "--format", "json").json()] == [
        f"{lines}:1", f"{lines}:2", f"{lines}:3"]


def test_a_line_that_is_not_json_is_reported_with_its_line_number_and_the_rest_is_still_checked(
        mepsis, example_coe, tmp_path):
    good = json.dumps(example_coe())
    path = write(tmp_path / "coes.jsonl", f"{good}\n{{\"coe_id\": \"WI-1\", oops\n{good}\n")

    ran = mepsis("coe", "check", path, "--format", "json")

    results = ran.json()
    assert ran.code == 1
    assert [r["eligible"] for r in results] == [True, False, True]
    assert results[1]["source"] == f"{path}:2"
    assert results[1]["errors"][0]["code"] == "INVALID_JSON"
    assert "Line 2 is not valid JSON" in results[1]["errors"][0]["message"]


def test_the_readable_check_names_the_file_line_field_and_code_of_each_error(mepsis, example_coe, tmp_path):
    document = example_coe()
    document["children"][0]["birth_date"] = "2014-02-30"
    path = write(tmp_path / "coe.jsonl", json.dumps(document) + "\n")

    ran = mepsis("coe", "check", path)

    assert ran.code == 1
    assert f"{path}:1  WI-2025-000123  NOT ELIGIBLE" in ran.out
    assert ("error: children[0].birth_date: The child's birth date must be a date written YYYY-MM-DD; it is "
            "\"2014-02-30\". [INVALID_VALUE]") in ran.out
    assert "1 COEs checked: 0 eligible, 1 with errors." in ran.err


def test_check_reads_standard_input(mepsis, example_coe, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(example_coe()).encode())))

    ran = mepsis("coe", "check", "-", "--format", "json")

    assert ran.code == 0 and ran.json()[0]["source"] == "<stdin>:1"


def test_check_exits_2_when_the_file_cannot_be_read(mepsis, tmp_path):
    assert mepsis("coe", "check", tmp_path / "missing.json").code == 2
    broken = write(tmp_path / "broken.json", "[{\"coe_id\": 1},")
    ran = mepsis("coe", "check", broken)
    assert ran.code == 2 and "is not valid JSON" in ran.err


def test_check_warns_of_a_district_the_state_does_not_have(mepsis, example_coe, tmp_path):
    from mepsis.orgs.models import District

    path = write(tmp_path / "coe.json", json.dumps(example_coe()))
    District.objects.create(district_id="3619", name="Hartford J1 School District")
    ran = mepsis("coe", "check", path, "--format", "json")
    assert ran.code == 0 and ran.json()[0]["warnings"][0]["code"] == "UNKNOWN_DISTRICT"

    District.objects.create(district_id="5621", name="Sturgeon Bay School District")

    assert mepsis("coe", "check", path, "--format", "json").json()[0]["warnings"] == []


def test_import_saves_reports_and_refuses_with_file_line_and_field(mepsis, example_coe, tmp_path):
    bad = example_coe()
    bad["coe_id"] = "WI-2025-000999"
    bad["qualifying_move"]["qad"] = "2021-01-04"
    path = write(tmp_path / "coes.jsonl", json.dumps(example_coe()) + "\n" + json.dumps(bad) + "\n")

    ran = mepsis("coe", "import", path, "--format", "json")

    summary = ran.json()
    assert ran.code == 1
    assert {key: summary[key] for key in ("read", "created", "refused", "children_created")} == {
        "read": 2, "created": 1, "refused": 1, "children_created": 1}
    assert summary["refusals"][0]["source"] == f"{path}:2"
    assert f"{path}:2: WI-2025-000999: qualifying_move.qad:" in ran.err

    again = mepsis("coe", "import", path)
    assert again.code == 1 and "0 created, 0 changed (new version), 1 unchanged, 1 refused" in again.err


def test_export_writes_json_lines_that_import_takes_back_unchanged(mepsis, example_coe, tmp_path):
    source = write(tmp_path / "coes.jsonl", json.dumps(example_coe()) + "\n")
    mepsis("coe", "import", source)
    exported = tmp_path / "export.jsonl"

    assert mepsis("coe", "export", "--out", exported).code == 0

    (document,) = [json.loads(line) for line in exported.read_text().splitlines()]
    assert document["children"][0]["child_id"]
    assert "0 created, 0 changed (new version), 1 unchanged" in mepsis("coe", "import", exported).err
    assert mepsis("coe", "export").out == exported.read_text()


def test_child_eligibility_answers_for_a_day_from_approved_coes(mepsis, example_coe, tmp_path):
    mepsis("coe", "import", write(tmp_path / "coe.json", json.dumps(example_coe())))
    child_id = json.loads(mepsis("coe", "export").out)["children"][0]["child_id"]

    on_the_last_day = mepsis("child", "eligibility", child_id, "--on", "2028-05-31", "--format", "json").json()
    the_day_after = mepsis("child", "eligibility", child_id, "--on", "2028-06-01", "--format", "json").json()

    assert on_the_last_day["eligible"] is True and the_day_after["eligible"] is False
    assert on_the_last_day["intervals"] == [{
        "coe_id": "WI-2025-000123", "status": "approved", "void_reason": None, "counts": True,
        "eligibility_start": "2025-06-01", "last_eligible_day": "2028-05-31", "end_reason": "THIRTY_SIX_MONTHS"}]
    readable = mepsis("child", "eligibility", child_id, "--on", "2026-01-01")
    assert "ELIGIBLE on 2026-01-01" in readable.out
    assert mepsis("child", "eligibility", "WI0000000000").code == 1


def test_init_migrates_and_loads_the_ed_fi_descriptors_once(mepsis):
    from mepsis.reference.models import Descriptor

    assert mepsis("init").code == 0
    uri = "uri://ed-fi.org/MigrantEducationProgramServiceDescriptor#Reading Instruction"
    assert uri in {descriptor.uri for descriptor in Descriptor.objects.all()}
    count = Descriptor.objects.count()
    assert "0 reference values loaded" in mepsis("init").err
    assert Descriptor.objects.count() == count
