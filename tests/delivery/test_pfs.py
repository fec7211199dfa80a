"""Priority for services: the state's criteria as versioned rule sets, the indicators they read, and the
determinations kept with their inputs (`mepsis pfs criteria|import|determine`)."""

import datetime as dt
import json

import pytest
from service_rows import service

from mepsis.access.models import AuditEvent
from mepsis.delivery.actions import determine_pfs, record_services, set_pfs_criteria
from mepsis.delivery.models import PfsDetermination, PfsImport, PfsIndicator, PfsRuleSet
from mepsis.delivery.queries import current_pfs, pfs_on, pfs_without_service
from mepsis.registry.actions import ActionRefused
from mepsis.rules.pfs import DEFAULT_CRITERIA

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def indicators(tmp_path, *rows, name="pfs.csv"):
    path = tmp_path / name
    path.write_text("state_student_id,indicator,date,value\n" + "".join(",".join(row) + "\n" for row in rows))
    return path


def test_the_criteria_start_as_the_default_rule_set_version_1(mepsis):
    ran = mepsis("pfs", "criteria")
    assert ran.code == 0
    assert ran.json() == {"version": 1, **DEFAULT_CRITERIA}


def test_setting_the_criteria_makes_a_new_version_and_keeps_the_old(mepsis, tmp_path):
    mepsis("pfs", "criteria")
    mine = {"criteria": [{"indicator": "dropped_out", "comparison": "eq", "threshold": "Y"},
                         {"indicator": "state_assessment_level", "comparison": "le", "threshold": 1}]}
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(mine))

    ran = mepsis("pfs", "criteria", "--set", path, "--why", "the 2025 state plan")

    assert ran.code == 0, ran.err
    assert ran.json()["version"] == 2
    assert list(PfsRuleSet.objects.order_by("version").values_list("version", "active")) == [(1, False), (2, True)]
    assert AuditEvent.objects.get(action="pfs.criteria_set", object_id="2").why == "the 2025 state plan"


def test_criteria_with_a_mistake_are_refused_and_the_active_ones_stay(mepsis, tmp_path):
    mepsis("pfs", "criteria")
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"criteria": [{"indicator": "x", "comparison": "below", "threshold": 1}]}))
    ran = mepsis("pfs", "criteria", "--set", path)
    assert ran.code == 1 and "comparison must be one of" in ran.err and '"dropped_out"' in ran.err
    assert PfsRuleSet.objects.get(active=True).version == 1
    path.write_text("{not json")
    assert mepsis("pfs", "criteria", "--set", path).code == 2


def test_importing_indicators_determines_pfs_for_the_children_they_change(world, mepsis, tmp_path):
    today = dt.date.today()
    eleven = (today - dt.timedelta(days=11 * 365)).isoformat()  # the usual age for grade 6: not over age
    ana = world.certify(qad=(today - dt.timedelta(days=100)).isoformat(), birth_date=eleven, grade="06")
    eva = world.certify("Eva", "5550002222", qad=(today - dt.timedelta(days=100)).isoformat(), birth_date=eleven,
                        grade="06")
    when = (today - dt.timedelta(days=30)).isoformat()
    path = indicators(tmp_path, ("1234567890", "state_assessment_level", when, "2"),
                      ("5550002222", "state_assessment_level", when, "4"))

    ran = mepsis("pfs", "import", path, "--format", "json")

    assert ran.code == 0, ran.err
    assert ran.json() == {"rows": 2, "accepted": 2, "rejected": 0, "new": 2, "updated": 0, "unchanged": 0}
    determination = pfs_on(ana, today)
    assert determination.pfs is True and determination.rule_set.version == 1
    assert determination.inputs["indicators"] == {"state_assessment_level": [when, "2"]}
    assert determination.inputs["met"] == ["state assessment below proficient"]
    assert pfs_on(eva, today).pfs is False
    assert PfsDetermination.objects.count() == 4  # each when certified, and again when its indicators came

    again = mepsis("pfs", "import", path, "--format", "json").json()
    assert (again["new"], again["unchanged"]) == (0, 2)
    assert PfsDetermination.objects.count() == 4


def test_a_bad_indicator_row_is_refused_with_its_line(world, mepsis, tmp_path):
    path = indicators(tmp_path, ("1234567890", "state_assessment_level", "2025-13-01", "2"),
                      ("", "grade_retained", "2025-01-01", "Y"),
                      ("1234567890", "grade_retained", "2025-01-01", "Y"),
                      ("1234567890", "grade_retained", "2025-01-01", "N"))
    ran = mepsis("pfs", "import", path)
    assert ran.code == 1
    assert f"{path}:2: date:" in ran.err and f"{path}:3: state_student_id:" in ran.err
    assert f"{path}:5: row:" in ran.err
    assert PfsIndicator.objects.count() == 1


def test_determining_again_with_the_same_inputs_keeps_the_determination(world):
    world.certify(qad="2025-03-01")
    first = determine_pfs(on=D("2025-09-01"), actor="t")
    again = determine_pfs(on=D("2025-09-01"), actor="t")
    assert (first.determined, again.determined, again.unchanged) == (1, 0, 1)


def test_a_new_rule_set_gives_a_new_determination_with_its_version(world):
    ana = world.certify(qad="2025-03-01")
    PfsIndicator.objects.create(state_student_id="1234567890", indicator="state_assessment_level",
                                date=D("2025-05-01"), value="2",
                                imported_by=PfsImport.objects.create(started_at="2025-05-02T00:00Z", actor="t"))
    determine_pfs(on=D("2025-09-01"), actor="t")
    assert pfs_on(ana, D("2025-09-01")).pfs is True
    set_pfs_criteria({"criteria": [{"indicator": "dropped_out", "comparison": "eq", "threshold": "Y"}]}, actor="s")
    today = dt.date.today()
    assert list(PfsDetermination.objects.order_by("id").values_list("determination_date", "pfs",
                                                                       "rule_set__version")) == [
        (today, False, 1),  # when certified: the move is over a year old today
        (D("2025-09-01"), True, 1), (today, False, 2)]  # a new rule set: determined again, today

    determine_pfs(on=D("2025-09-01"), actor="t")

    assert pfs_on(ana, D("2025-09-01")).rule_set.version == 2 and pfs_on(ana, D("2025-09-01")).pfs is False
    assert PfsDetermination.objects.filter(rule_set__version=1).count() == 2  # kept
    assert current_pfs([ana.pk]) == {ana.pk: False}


def test_a_determination_holds_until_its_inputs_or_result_change(world):
    world.certify(qad="2025-03-01", grade="06", birth_date="2014-06-01")
    determine_pfs(on=D("2025-09-01"), actor="t")
    nights = [determine_pfs(on=D(day), actor="t").determined for day in ("2025-09-02", "2025-12-01", "2026-03-01")]
    assert nights == [0, 0, 0]
    PfsIndicator.objects.create(state_student_id="1234567890", indicator="grade_retained", date=D("2026-03-01"),
                                value="Y", imported_by=PfsImport.objects.create(started_at="2026-03-01T00:00Z",
                                                                                actor="t"))
    assert determine_pfs(on=D("2026-03-01"), actor="t").pfs == 1
    assert determine_pfs(on=D("2026-03-02"), actor="t").determined == 1  # the move is now over a year old


def test_a_move_over_a_year_ago_gives_no_pfs(world, mepsis):
    world.certify(qad="2024-03-01")
    PfsIndicator.objects.create(state_student_id="1234567890", indicator="dropped_out", date=D("2025-01-01"),
                                value="Y", imported_by=PfsImport.objects.create(started_at="2025-01-02T00:00Z", actor="t"))
    assert mepsis("pfs", "determine", "--on", "2025-03-01").json()["pfs"] == 1
    assert mepsis("pfs", "determine", "--on", "2025-03-02").json()["pfs"] == 0


def test_criteria_cannot_be_set_invalid_through_the_action():
    with pytest.raises(ActionRefused):
        set_pfs_criteria({"criteria": [{"indicator": "x"}]}, actor="s")


def test_pfs_children_without_a_service_in_a_term(world):
    qad = dt.date.today() - dt.timedelta(days=60)
    thirteen = dt.date(qad.year - 13, 1, 2).isoformat()  # over age for grade 5, by 2 years or more
    ana = world.certify(qad=qad.isoformat(), grade="05", birth_date=thirteen)
    eva = world.certify("Eva", "5550002222", qad=qad.isoformat(), grade="05", birth_date=thirteen)
    assert set(current_pfs([ana.pk, eva.pk]).values()) == {True}  # determined when certified
    record_services([service(state_student_id="5550002222", begin_date=after(qad, 14), end_date=after(qad, 44))],
                    actor="t")
    assert list(pfs_without_service(qad, D(after(qad, 120)))) == [ana]
    assert set(pfs_without_service(D(after(qad, 150)), D(after(qad, 300)))) == {ana, eva}


def after(day: dt.date, days: int) -> str:
    return (day + dt.timedelta(days=days)).isoformat()
