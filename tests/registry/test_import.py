import json

import pytest

from mepsis.access.models import AuditEvent
from mepsis.registry.actions import save_coes
from mepsis.registry.models import Child, Coe, CoeChild, CoeVersion
from mepsis.registry.queries import iter_documents

pytestmark = pytest.mark.django_db


def save(*documents, why="test import"):
    return save_coes([(f"test#{n}", document) for n, document in enumerate(documents, 1)], actor="tester", why=why)


def sibling(document, first_name="Mateo", birth_date="2016-09-10"):
    child = dict(document["children"][0], first_name=first_name, birth_date=birth_date, state_student_id=None)
    return child


def test_a_valid_coe_is_saved_with_its_status_its_children_and_an_audit_record(example_coe):
    report = save(example_coe())

    assert (report.created, report.refused) == (1, [])
    coe = Coe.objects.get(coe_id="WI-2025-000123")
    assert (coe.status, coe.version, str(coe.qad), coe.to_district_id) == ("approved", 1, "2025-06-01", "5621")
    assert coe.family.parent1_name == "Rosa Hernández Ruiz"
    entry = CoeChild.objects.get(coe=coe)
    assert (str(entry.eligibility_start), str(entry.last_eligible_day), entry.end_reason) == (
        "2025-06-01", "2028-05-31", "THIRTY_SIX_MONTHS")
    assert entry.child.state_student_id == "1234567890"
    event = AuditEvent.objects.get(action="coe.created")
    assert (event.actor, event.object_id, event.why) == ("tester", "WI-2025-000123", "test import")
    assert event.after == {"version": 1, "status": "approved", "children": [entry.child.child_id]}


def test_every_new_child_gets_a_stable_child_id_with_the_state_and_a_check_digit(example_coe):
    document = example_coe()
    document["children"].append(sibling(document))
    save(document)

    child_ids = sorted(Child.objects.values_list("child_id", flat=True))
    assert len(child_ids) == 2 and child_ids[0] != child_ids[1]
    for child_id in child_ids:
        assert child_id.startswith("WI") and len(child_id) == 12 and child_id[2:].isdigit()


def test_reimporting_an_unchanged_coe_changes_nothing_and_says_so(example_coe):
    save(example_coe())
    events = AuditEvent.objects.count()

    report = save(example_coe())

    assert (report.created, report.changed, report.unchanged) == (0, 0, 1)
    assert CoeVersion.objects.count() == 1 and AuditEvent.objects.count() == events


def test_a_changed_coe_becomes_a_new_version_that_keeps_the_old_one(example_coe):
    save(example_coe())
    child_id = Child.objects.get().child_id
    changed = example_coe()
    changed["comments"] = "Family picks cherries every June."

    report = save(changed, why="legacy fix")

    assert (report.changed, report.created) == (1, 0)
    coe = Coe.objects.get()
    assert coe.version == 2
    versions = {version.number: version.document for version in coe.versions.all()}
    assert versions[1]["comments"] == "" and versions[2]["comments"] == "Family picks cherries every June."
    assert Child.objects.get().child_id == child_id, "the child keeps its id across versions"
    event = AuditEvent.objects.get(action="coe.revised")
    assert (event.before["version"], event.after["version"], event.why) == (1, 2, "legacy fix")


def test_a_status_change_alone_is_recorded_without_a_new_content_version(example_coe):
    submitted = example_coe()
    submitted["status"] = "submitted"
    save(submitted)

    report = save(example_coe())

    coe = Coe.objects.get()
    assert (report.changed, coe.status, coe.version) == (1, "approved", 1)
    event = AuditEvent.objects.get(action="coe.approved")
    assert (event.before["status"], event.after["status"]) == ("submitted", "approved")


def test_an_approved_coe_that_breaks_a_rule_is_refused_with_its_errors_and_changes_nothing(example_coe):
    bad = example_coe()
    bad["qualifying_move"]["economic_necessity"] = False
    good = example_coe()
    good["coe_id"] = "WI-2025-000124"
    good["children"][0]["state_student_id"] = None

    report = save(bad, good)

    assert report.created == 1 and len(report.refused) == 1
    refusal = report.refused[0]
    assert (refusal.position, refusal.coe_id) == ("test#1", "WI-2025-000123")
    assert [error["code"] for error in refusal.errors] == ["NO_ECONOMIC_NECESSITY"]
    assert list(Coe.objects.values_list("coe_id", flat=True)) == ["WI-2025-000124"]


def test_a_submitted_coe_is_kept_with_its_findings_for_the_reviewer(example_coe):
    document = example_coe()
    document["status"] = "submitted"
    document["qualifying_move"]["work_start_date"] = "2025-09-01"

    report = save(document)

    assert report.created == 1
    entry = CoeChild.objects.get()
    assert entry.eligibility_start is None, "a COE with a rule error gives no eligible day"


def test_a_draft_must_still_be_complete_and_readable(example_coe):
    document = example_coe()
    document["status"] = "draft"
    del document["children"][0]["birth_date"]

    report = save(document)

    assert report.created == 0
    assert report.refused[0].errors[0]["code"] == "MISSING_FIELD"
    assert report.refused[0].errors[0]["field"] == "children[0].birth_date"


def test_an_import_without_a_coe_id_is_refused(example_coe):
    document = example_coe()
    del document["coe_id"]

    report = save(document)

    assert report.refused[0].errors[0]["field"] == "coe_id"


def test_a_void_coe_needs_its_reason_and_found_ineligible_gives_no_eligible_day(example_coe):
    document = example_coe()
    document["status"] = "void"
    assert save(document).refused[0].errors[0]["field"] == "void_reason"

    document["void_reason"] = "FOUND_INELIGIBLE"
    save(document)

    entry = CoeChild.objects.get()
    assert (entry.eligibility_start, entry.last_eligible_day, entry.end_reason) == (None, None, "FOUND_INELIGIBLE")


def test_a_given_child_id_links_the_child_to_the_existing_child(example_coe):
    save(example_coe())
    child = Child.objects.get()
    later = example_coe()
    later["coe_id"] = "WI-2026-000001"
    later["interview_date"] = "2026-07-02"
    later["qualifying_move"].update(qad="2026-06-20", work_start_date="2026-06-25")
    later["children"][0].update(child_id=child.child_id, residency_date="2026-06-20", state_student_id=None)

    save(later)

    assert Child.objects.count() == 1
    assert CoeChild.objects.filter(child=child).count() == 2


def test_a_state_student_id_already_held_links_the_same_child(example_coe):
    save(example_coe())
    later = example_coe()
    later["coe_id"] = "WI-2026-000001"

    save(later)

    assert Child.objects.count() == 1


def test_a_state_student_id_held_by_a_child_born_on_another_day_is_refused(example_coe):
    save(example_coe())
    other = example_coe()
    other["coe_id"] = "WI-2026-000001"
    other["children"][0].update(first_name="Pedro", birth_date="2013-01-05")

    report = save(other)

    assert report.refused[0].errors[0]["code"] == "STATE_STUDENT_ID_CONFLICT"
    assert Coe.objects.count() == 1


def test_a_correction_without_child_ids_keeps_each_child_by_name_and_birth_date(example_coe):
    document = example_coe()
    document["children"].append(sibling(document))
    save(document)
    ids = {child.first_name: child.child_id for child in Child.objects.all()}
    reordered = example_coe()
    reordered["children"] = [sibling(document), document["children"][0]]
    reordered["comments"] = "children listed youngest first"

    save(reordered)

    entries = {entry.child.first_name: (entry.index, entry.child.child_id)
               for entry in CoeChild.objects.select_related("child")}
    assert entries == {"Mateo": (0, ids["Mateo"]), "Ana": (1, ids["Ana"])}


def test_a_coe_id_twice_in_one_file_is_created_then_revised(example_coe):
    changed = example_coe()
    changed["comments"] = "second line of the file"

    report = save(example_coe(), changed)

    assert (report.created, report.changed) == (1, 1)
    assert Coe.objects.get().version == 2


def test_export_writes_every_coe_with_child_ids_and_reimporting_it_changes_nothing(example_coe):
    document = example_coe()
    document["children"].append(sibling(document))
    draft = example_coe()
    draft.update(coe_id="WI-2025-000200", status="draft")
    draft["children"][0]["state_student_id"] = None
    save(document, draft)

    exported = list(iter_documents())

    assert [d["coe_id"] for d in exported] == ["WI-2025-000123", "WI-2025-000200"]
    assert all(child["child_id"] for d in exported for child in d["children"])
    assert [d["status"] for d in exported] == ["approved", "draft"]
    report = save(*json.loads(json.dumps(exported)))
    assert (report.unchanged, report.changed, report.created) == (2, 0, 0)
    assert list(iter_documents()) == exported
    assert [d["coe_id"] for d in iter_documents(status="draft")] == ["WI-2025-000200"]


def test_export_gives_back_the_imported_document_with_the_system_s_child_id(example_coe):
    save(example_coe())

    (exported,) = iter_documents()

    child_id = exported["children"][0].pop("child_id")
    assert child_id == Child.objects.get().child_id
    assert exported == example_coe()
