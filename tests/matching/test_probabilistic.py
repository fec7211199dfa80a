"""The probabilistic stage and the match worklist, end to end through the command line."""

import pytest
from django.utils import timezone

from mepsis.access.models import AuditEvent
from mepsis.alerts.models import AlertChild
from mepsis.delivery.models import ContinuationOfServices, ContinuationReason, Project, Service
from mepsis.enrollments.feed import COLUMNS
from mepsis.enrollments.models import Enrollment
from mepsis.matching.models import MatchCandidate
from mepsis.matching.queries import worklist_item
from mepsis.registry.actions import save_coes
from mepsis.registry.models import Child, CoeChild

pytestmark = pytest.mark.django_db

ORGS = (
    "district_id,district_name,school_id,school_name,nces_district_id,nces_school_id,region,grades,edfi_id\n"
    "5621,Sturgeon Bay School District,0020,Sunrise Elementary,5514250,551425001234,CESA 7,PK-05,255621\n"
    "3619,Hartford J1 School District,0100,Central Middle,5506030,550603000800,CESA 1,PK-08,253619\n"
)


def row(**values):
    """Ana García Hernández of the interfaces.md COE as a clerk typed her: no state student id, surnames
    swapped, day and month of birth swapped, capitals, no accents."""
    base = {"district_id": "5621", "school_id": "0020", "school_year": "2025-26", "local_student_id": "S-1001",
            "first_name": "ANA", "last_name": "HERNANDEZ GARCIA", "sex": "F", "birth_date": "2014-02-03",
            "grade": "05", "entry_date": "2025-09-02", "guardian1_name": "ROSA HERNANDEZ RUIZ",
            "free_reduced_lunch": "Y"}
    return {column: "" for column in COLUMNS} | base | values


@pytest.fixture
def state(mepsis, tmp_path, example_coe):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(ORGS)
    assert mepsis("orgs", "load", orgs).code == 0
    coe = example_coe()
    coe["children"][0]["state_student_id"] = None
    twins = dict(coe["children"][0], first_name="Guadalupe", birth_date="2016-05-20")
    coe["children"] += [twins, dict(twins, first_name="Lucía", sex="F")]
    save_coes([("test", coe)], actor="test", why="test")
    return coe


def ingest(mepsis, path):
    ran = mepsis("enrollments", "ingest", path, "--format", "json")
    assert ran.code == 0, ran.err
    return ran.json()


def test_a_child_written_differently_by_the_clerk_is_linked_by_the_probabilistic_stage(state, mepsis, feed):
    summary = ingest(mepsis, feed(row()))

    enrollment = Enrollment.objects.get()
    assert (enrollment.child.first_name, enrollment.match_method) == ("Ana", "probabilistic")
    assert (summary["matched_auto"], summary["matched_review"]) == (1, 0)
    event = AuditEvent.objects.get(action="enrollment.linked")
    assert event.object_id == str(enrollment.pk) and "probabilistic match" in event.why


def test_a_look_alike_elsewhere_with_other_parents_is_not_linked(state, mepsis, feed):
    summary = ingest(mepsis, feed(row(district_id="3619", school_id="0100", last_name="Garcia",
                                      birth_date="2014-03-12", guardian1_name="Maria Lopez")))

    assert Enrollment.objects.get().child is None
    assert (summary["matched_auto"], summary["matched_review"]) == (0, 0)


def test_a_twin_is_never_linked_alone_when_the_first_name_differs(state, mepsis, feed):
    ingest(mepsis, feed(row(first_name="Lupe", birth_date="2016-05-20", grade="03")))

    assert Enrollment.objects.get().child is None
    best, other = MatchCandidate.objects.order_by("-score")
    assert (best.child.first_name, best.reason) == ("Guadalupe", MatchCandidate.Reason.TWIN)
    assert best.score > 12 and set(best.weights) >= {"first_name", "last_names", "birth_date", "parents"}
    assert other.child.first_name == "Lucía", "the reviewer sees both twins"


def test_the_worklist_shows_both_records_and_the_weight_of_each_comparison(state, mepsis, feed):
    ingest(mepsis, feed(row(first_name="Lupe", birth_date="2016-05-20", grade="03")))

    ran = mepsis("matching", "worklist", "--format", "json")

    assert ran.code == 0
    item, twin = ran.json()
    assert item["left"]["first_name"] == "Lupe" and item["right"]["first_name"] == "Guadalupe"
    assert item["right"]["parents"] == "Rosa Hernández Ruiz / Luis García"
    assert [weight["comparison"] for weight in item["weights"]][:3] == ["first_name", "middle_name", "last_names"]
    weights = {weight["comparison"]: weight["weight"] for weight in item["weights"]}
    assert weights["parents"] > 0 and weights["middle_name"] == 0, "no middle name on either side: no evidence"
    assert item == worklist_item(item["id"])
    assert "Guadalupe" in mepsis("matching", "worklist").out


def test_accepting_an_item_links_the_child_raises_the_alert_and_is_kept(state, mepsis, feed):
    ingest(mepsis, feed(row(first_name="Lupe", birth_date="2016-05-20", grade="03")))
    candidate, twin = MatchCandidate.objects.order_by("-score")

    ran = mepsis("matching", "accept", candidate.pk)

    assert ran.code == 0, ran.err
    enrollment = Enrollment.objects.get()
    assert (enrollment.child.first_name, enrollment.match_method) == ("Guadalupe", "reviewed")
    assert AlertChild.objects.filter(child=enrollment.child).exists(), "the district learns of the child"
    candidate.refresh_from_db()
    assert candidate.status == "accepted" and candidate.decided_by
    assert AuditEvent.objects.filter(action="match_candidate.accepted", object_id=str(candidate.pk)).exists()
    assert mepsis("matching", "accept", candidate.pk).code == 1, "decided once"
    twin.refresh_from_db()
    assert twin.status == "rejected", "the enrollment is Guadalupe's: the other item is settled with it"


def test_a_rejected_pair_is_never_proposed_again(state, mepsis, feed):
    ingest(mepsis, feed(row(first_name="Lupe", birth_date="2016-05-20", grade="03")))
    candidate = MatchCandidate.objects.get(child__first_name="Guadalupe")

    assert mepsis("matching", "reject", candidate.pk, "--why", "another Lupe").code == 0
    assert mepsis("matching", "link").code == 0

    assert MatchCandidate.objects.get(child__first_name="Guadalupe").status == "rejected"
    assert MatchCandidate.objects.count() == 2
    assert Enrollment.objects.get().child is None
    assert AuditEvent.objects.get(action="match_candidate.rejected").why == "another Lupe"


def test_two_certified_children_who_look_like_one_person_go_to_the_worklist_and_merge(state, mepsis, example_coe):
    again = example_coe()
    again["coe_id"] = "WI-2025-000200"
    again["children"][0].update(state_student_id=None, first_name="Ana", last_name_2=None)
    save_coes([("test", again)], actor="test", why="test")
    assert Child.objects.filter(first_name="Ana").count() == 2

    assert mepsis("matching", "link").code == 0
    merge = MatchCandidate.objects.get(kind="merge")
    assert merge.reason == MatchCandidate.Reason.POSSIBLE_DUPLICATE
    assert not MatchCandidate.objects.filter(kind="merge", child__first_name="Lucía").exists(), \
        "twins on one COE are never merge candidates"

    project = Project.objects.create(project_id="P-1", name="After school", session_type="regular")
    served = {"project": project, "begin_date": "2025-10-01", "end_date": "2025-10-30", "basis": "eligible",
              "recorded_at": timezone.now(), "recorded_by": "test"}
    Service.objects.create(child=merge.other_child, service="READINSTR", hours=10, **served)
    Service.objects.create(child=merge.other_child, service="SUPPSERV", **served)
    Service.objects.create(child=merge.child, service="SUPPSERV", **served)  # recorded for both: stays put
    ContinuationOfServices.objects.create(child=merge.other_child, reason=ContinuationReason.SCHOOL_TERM, begin_date="2025-10-01",
                                          end_date="2025-12-31", why="test", recorded_by="test",
                                          recorded_at=timezone.now())

    assert mepsis("matching", "accept", merge.pk).code == 0
    assert CoeChild.objects.filter(child=merge.child).count() == 2
    assert not CoeChild.objects.filter(child=merge.other_child).exists()
    assert sorted(Service.objects.filter(child=merge.child).values_list("service", flat=True)) == [
        "READINSTR", "SUPPSERV"]
    assert Service.objects.filter(child=merge.other_child).count() == 1
    assert ContinuationOfServices.objects.get().child == merge.child
    merged = AuditEvent.objects.get(action="child.merged")
    assert (merged.after["services"], merged.after["continuations"]) == (1, 1)


def test_a_night_links_only_what_changed(state, mepsis, feed, example_coe):
    newcomer = row(local_student_id="S-1002", first_name="Sofia", last_name="Ramirez", birth_date="2015-07-07",
                   guardian1_name="Marta Ramirez")
    ingest(mepsis, feed(row(), newcomer))
    assert Enrollment.objects.get(local_student_id="S-1002").child is None

    # A COE certifies Sofía the next day: the unchanged row is linked by the next run, against the new child only.
    coe = example_coe()
    coe["coe_id"] = "WI-2025-000300"
    coe["family"]["parent1"] = {"first_name": "Marta", "last_name_1": "Ramírez", "last_name_2": None}
    coe["children"] = [dict(coe["children"][0], first_name="Sofía", last_name_1="Ramírez", last_name_2=None,
                            birth_date="2015-07-07", state_student_id=None)]
    save_coes([("test", coe)], actor="test", why="test")
    summary = ingest(mepsis, feed(row(), newcomer))

    assert (summary["new"], summary["updated"]) == (0, 0)
    assert Enrollment.objects.get(local_student_id="S-1002").child.first_name == "Sofía"
    assert summary["matched_auto"] == 1


def test_training_writes_the_next_version_which_later_runs_use(state, mepsis, feed, example_coe, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    known = example_coe()
    known["coe_id"] = "WI-2025-000400"
    known["children"] = [dict(known["children"][0], first_name="Mateo", sex="M", birth_date="2012-01-15",
                              state_student_id="5550001111")]
    save_coes([("test", known)], actor="test", why="test")
    ingest(mepsis, feed(row(), row(local_student_id="S-1003", first_name="MATEO", sex="M", birth_date="2012-01-15",
                                   state_student_id="5550001111")))

    ran = mepsis("matching", "train", "--format", "json")

    assert ran.code == 0, ran.err
    trained = ran.json()
    assert trained["version"] == 2 and trained["labelled_pairs"] == 1
    assert (tmp_path / "linkage-models" / "linkage_model_v2.json").exists()
    from mepsis.matching.splink_engine import current_model
    assert current_model().version == 2
    assert {level["comparison"] for level in trained["levels"]} >= {"first_name", "birth_date", "parents"}
    assert mepsis("matching", "link").code == 0, "the new version links"
