"""The main flows in a real browser: a COE from the recruiter's tablet to approval, the child's enrollment
alerting the district, and the same pages in Spanish."""

import subprocess
import sys

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.database, pytest.mark.slow]

FAMILY = {
    "interview_date": "2025-06-20",
    "family__parent1__first_name": "Rosa", "family__parent1__last_name_1": "Hernández",
    "family__parent1__last_name_2": "Ruiz", "family__address__line1": "123 Orchard Rd",
    "family__address__city": "Sturgeon Bay", "family__address__state": "WI", "family__address__zip": "54235",
    "family__home_language": "es",
}
CHILD = {"first_name": "Ana", "last_name_1": "García", "last_name_2": "Hernández", "birth_date": "2014-03-02",
         "residency_date": "2025-06-01", "grade": "05"}
MOVE = {
    "qualifying_move__from__city": "Weslaco", "qualifying_move__from__state": "TX",
    "qualifying_move__from__country": "US", "qualifying_move__from__district": "Weslaco ISD",
    "qualifying_move__to__city": "Sturgeon Bay", "qualifying_move__to__state": "WI",
    "qualifying_move__to__district_id": "5621",
    "qualifying_move__worker__first_name": "Luis", "qualifying_move__worker__last_name_1": "García",
    "qualifying_move__qad": "2025-06-01", "qualifying_move__work_start_date": "2025-06-09",
    "qualifying_move__work__activity": "picking cherries",
    "signatures__interviewee__name": "Rosa Hernández", "signatures__interviewee__date": "2025-06-20",
    "signatures__interviewer__name": "M. Ortiz", "signatures__interviewer__date": "2025-06-20",
}
CHOICES = {
    "children-0-sex": "F", "qualifying_move__moved": "with_worker", "qualifying_move__worker__relationship": "parent",
    "qualifying_move__economic_necessity": "true", "qualifying_move__prong": "engaged",
    "qualifying_move__work__sector": "agricultural", "qualifying_move__work__duration": "seasonal",
    "signatures__interviewee__relationship": "parent",
}
FEED = ("district_id,school_id,school_year,local_student_id,state_student_id,first_name,last_name,middle_name,"
        "last_name_2,sex,birth_date,grade,entry_date,exit_date,exit_reason,guardian1_name,guardian2_name,"
        "birth_country,birth_state,birth_city,english_learner,iep,free_reduced_lunch\n"
        "5621,0020,{year},S-88121,9127502466,Ana,García,,Hernández,F,2014-03-02,07,{entry},,,Rosa Hernández,,"
        "MX,,,Y,N,\n")


def write_the_coe(page):
    for name, value in FAMILY.items():
        page.fill(f'[name="{name}"]', value)
    for name, value in CHILD.items():
        page.fill(f'[name="children-0-{name}"]', value)
    for name, value in MOVE.items():
        page.fill(f'[name="{name}"]', value)
    for name, value in CHOICES.items():
        page.select_option(f'[name="{name}"]', value)


def test_a_coe_goes_from_the_recruiter_through_review_to_a_district_alert(sign_in, shots, mepsis_server,
                                                                             state_of_one_district, tmp_path):
    # The recruiter writes the COE on a tablet; the rules speak as the fields are typed.
    recruiter = sign_in("rosa")
    shots(recruiter, "recruiter-home")
    recruiter.click("text=My COEs")
    recruiter.click("text=Write a new COE")
    write_the_coe(recruiter)
    recruiter.fill('[name="qualifying_move__qad"]', "2025-06-25")
    expect(recruiter.locator("#findings-qualifying_move__qad")).to_contain_text("after the interview date")
    shots(recruiter, "recruiter-sees-a-rule-error-beside-the-qad")
    recruiter.fill('[name="qualifying_move__qad"]', "2025-06-01")
    expect(recruiter.locator("#findings-qualifying_move__qad")).to_be_empty()
    expect(recruiter.locator("#findings-coe")).to_contain_text("No errors")

    recruiter.click("text=Add a child")
    expect(recruiter.locator('[name="children-1-first_name"]')).to_be_visible()
    recruiter.fill('[name="children-1-first_name"]', "Luz")
    expect(recruiter.locator("#findings-children-1-last_name_1")).to_contain_text("missing")
    shots(recruiter, "recruiter-adds-a-second-child")
    recruiter.locator("fieldset.child").nth(1).get_by_role("button", name="Remove this child").click()
    expect(recruiter.locator("#findings-coe")).to_contain_text("No errors")
    recruiter.click("button[value=submit]")
    expect(recruiter.locator(".messages")).to_contain_text("submitted for review")
    coe_id = recruiter.locator("h1").inner_text().split()[1]
    shots(recruiter, "recruiter-submitted-the-coe")

    # The reviewer returns it: the phone is missing.
    reviewer = sign_in("jlee")
    reviewer.click("text=Review queue")
    reviewer.click(f"text={coe_id}")
    expect(reviewer.locator(".rule-findings")).to_contain_text("eligible from 2025-06-01")
    reviewer.check('[name="decision"][value="return"]')
    reviewer.fill('[name="reasons"]', "Add the family's phone number.")
    shots(reviewer, "reviewer-returns-the-coe")
    reviewer.click("text=Record the decision")
    expect(reviewer.locator(".messages")).to_contain_text("returned to the recruiter")

    # The recruiter sees it waiting, reads why, fixes it and resubmits.
    recruiter.goto(f"{mepsis_server}/")
    expect(recruiter.locator(".todo")).to_contain_text("1 Returned COEs to answer")
    recruiter.click("text=Returned COEs to answer")
    recruiter.click(f"text={coe_id}")
    expect(recruiter.locator(".returned")).to_contain_text("Add the family's phone number.")
    recruiter.fill('[name="family__phone"]', "920-555-0100")
    shots(recruiter, "recruiter-answers-the-return")
    recruiter.click("button[value=submit]")
    expect(recruiter.locator(".messages")).to_contain_text("submitted for review")

    # The reviewer approves it.
    reviewer.goto(f"{mepsis_server}/review/{coe_id}/")
    reviewer.check('[name="decision"][value="approve"]')
    reviewer.click("text=Record the decision")
    expect(reviewer.locator(".messages")).to_contain_text("approved")
    reviewer.goto(f"{mepsis_server}/coes/{coe_id}/")
    expect(reviewer.locator("h1")).to_contain_text("approved")
    shots(reviewer, "reviewer-approved-the-coe")

    # The night's feed enrolls Ana in Sturgeon Bay: the district is alerted and acknowledges.
    feed = tmp_path / "feed.csv"
    feed.write_text(FEED.format(year="2026-27", entry="2026-09-02"))
    ingested = subprocess.run([sys.executable, "-m", "mepsis", "enrollments", "ingest", feed, "--format", "json"],
                              env=state_of_one_district.env, capture_output=True, text=True)
    assert ingested.returncode == 0, ingested.stderr
    district = sign_in("kim")
    district.click("text=Enrollment alerts")
    alert = district.locator("section.alert").first
    expect(alert).to_contain_text("García, Ana")
    shots(district, "district-sees-the-alert")
    alert.get_by_role("button", name="Acknowledge").click()
    expect(alert).to_contain_text("acknowledged")
    shots(district, "district-acknowledged-the-alert")


def test_the_pages_speak_spanish_by_the_browser_language_or_the_users_choice(sign_in, shots, mepsis_server,
                                                                               state_of_one_district):
    recruiter = sign_in("rosa", locale="es-ES")
    expect(recruiter.locator("html")).to_have_attribute("lang", "es")
    shots(recruiter, "home-in-spanish")
    recruiter.goto(f"{mepsis_server}/coes/new/")
    write_the_coe(recruiter)
    recruiter.fill('[name="qualifying_move__qad"]', "2025-06-25")
    expect(recruiter.locator("#findings-qualifying_move__qad")).to_contain_text(
        "es posterior a la fecha de la entrevista")
    shots(recruiter, "coe-form-in-spanish-with-a-rule-error")

    recruiter.select_option("#language", "en")
    recruiter.wait_for_load_state()
    expect(recruiter.locator("html")).to_have_attribute("lang", "en")
    recruiter.fill('[name="interview_date"]', "2025-06-20")
    recruiter.fill('[name="qualifying_move__qad"]', "2025-06-25")
    expect(recruiter.locator("#findings-qualifying_move__qad")).to_contain_text("after the interview date")
    recruiter.select_option("#language", "es")
    recruiter.wait_for_load_state()
    expect(recruiter.locator("html")).to_have_attribute("lang", "es")
    shots(recruiter, "chosen-spanish")


def test_when_the_connection_drops_the_coe_form_says_so_and_keeps_what_was_typed(sign_in, shots, mepsis_server,
                                                                                  state_of_one_district):
    recruiter = sign_in("rosa")
    recruiter.goto(f"{mepsis_server}/coes/new/")
    write_the_coe(recruiter)
    expect(recruiter.locator("#findings-coe")).to_contain_text("No errors")

    recruiter.context.set_offline(True)
    recruiter.fill('[name="family__phone"]', "920-555-0100")
    expect(recruiter.locator("#offline")).to_be_visible()
    recruiter.click("button[value=save]")
    shots(recruiter, "offline-save-kept-on-the-page")
    expect(recruiter.locator('[name="family__phone"]')).to_have_value("920-555-0100")

    recruiter.context.set_offline(False)
    recruiter.click("button[value=save]")
    expect(recruiter.locator(".messages")).to_contain_text("saved as a draft")
    expect(recruiter.locator('[name="family__phone"]')).to_have_value("920-555-0100")
