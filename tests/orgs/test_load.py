import pytest

from mepsis.access.models import AuditEvent
from mepsis.orgs.models import District, Region, School

pytestmark = pytest.mark.django_db

HEADER = "district_id,district_name,school_id,school_name,nces_district_id,nces_school_id,region,grades,edfi_id\n"
ROWS = (
    "5621,Sturgeon Bay School District,,,5514250,,CESA 7,,255621\n"
    "5621,Sturgeon Bay School District,0020,Sunrise Elementary,5514250,551425001234,CESA 7,PK-05,\n"
    "5621,Sturgeon Bay School District,0040,Sturgeon Bay High,5514250,551425001240,CESA 7,09-12,\n"
    "3619,Hartford J1 School District,0100,Central Middle,5506030,550603000800,CESA 1,06-08,\n"
)


def orgs_file(tmp_path, text=HEADER + ROWS, name="orgs.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loading_creates_districts_schools_and_regions(mepsis, tmp_path):
    ran = mepsis("orgs", "load", orgs_file(tmp_path), "--format", "json")

    assert ran.code == 0
    assert ran.json() == {"rows": 4, "districts_created": 2, "districts_updated": 0, "schools_created": 3,
                          "schools_updated": 0, "unchanged": 0, "refused": 0}
    district = District.objects.get(district_id="5621")
    assert (district.name, district.nces_id, district.region.name, district.edfi_id) == (
        "Sturgeon Bay School District", "5514250", "CESA 7", 255621)
    assert District.objects.get(district_id="3619").region.name == "CESA 1"
    assert set(Region.objects.values_list("name", flat=True)) == {"CESA 1", "CESA 7"}
    assert School.objects.get(school_id="0020").grades == "PK-05"


def test_loading_the_same_file_again_changes_nothing(mepsis, tmp_path):
    path = orgs_file(tmp_path)
    mepsis("orgs", "load", path)
    events = AuditEvent.objects.count()

    ran = mepsis("orgs", "load", path, "--format", "json")

    assert ran.json()["unchanged"] == 4 and AuditEvent.objects.count() == events


def test_a_renamed_school_is_updated_and_audited(mepsis, tmp_path):
    mepsis("orgs", "load", orgs_file(tmp_path))

    mepsis("orgs", "load", orgs_file(tmp_path, HEADER + ROWS.replace("Sunrise Elementary", "Sunrise Primary")))

    assert School.objects.get(school_id="0020").name == "Sunrise Primary"
    event = AuditEvent.objects.get(action="school.updated")
    assert (event.before["name"], event.after["name"]) == ("Sunrise Elementary", "Sunrise Primary")


def test_a_bad_row_is_refused_with_its_line_and_field_and_the_others_are_kept(mepsis, tmp_path):
    path = orgs_file(tmp_path, HEADER + ROWS + "9999,,0001,Nowhere School,,,,,\n")

    ran = mepsis("orgs", "load", path)

    assert ran.code == 1
    assert f"{path}:6: field district_name" in ran.err
    assert District.objects.count() == 2


def test_a_file_without_a_required_column_is_refused_whole(mepsis, tmp_path):
    path = orgs_file(tmp_path, "district_id,district_name\n5621,Sturgeon Bay\n")

    ran = mepsis("orgs", "load", path)

    assert ran.code == 2
    assert "the header has no column school_id" in ran.err
    assert not District.objects.exists()
