"""Properties of the rules engine that must hold for every input, checked with Hypothesis.

Each property sets its example count (``@settings(max_examples=...)``) small enough for the whole rules
suite to run in seconds; raise them by hand when hunting for a bug.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

from coe_factory import EXAMPLE_COE, iso, second_child, valid_coe
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mepsis.rules import EndReason, check_coe, eligibility_interval

ONE_DAY = dt.timedelta(days=1)
TABLE_ORDER = [EndReason.THIRTY_SIX_MONTHS, EndReason.AGE_22, EndReason.HS_COMPLETION, EndReason.DEATH,
               EndReason.OTHER_LOSS_OF_ENTITLEMENT]

# Dates where COEs live (a generous span around today), and any date of the calendar for robustness.
plausible_dates = st.dates(min_value=dt.date(1980, 1, 1), max_value=dt.date(2070, 12, 31))
# The ends of the calendar, where date arithmetic overflows, weigh as much as the rest of it.
any_date_text = (st.dates() | st.dates(min_value=dt.date(9990, 1, 1)) | st.dates(max_value=dt.date(10, 12, 31))
                 ).map(dt.date.isoformat)
recorded_reasons = st.sampled_from([EndReason.DEATH, EndReason.OTHER_LOSS_OF_ENTITLEMENT])


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def spec_ends(qad, birth, hs=None, recorded=None):
    """The candidate last eligible days, in the order of domain.md's table, computed from its formulas."""
    ends = [(qad + relativedelta(months=36) - ONE_DAY, EndReason.THIRTY_SIX_MONTHS),
            (birth + relativedelta(years=22) - ONE_DAY, EndReason.AGE_22)]
    if hs is not None:
        ends.append((hs, EndReason.HS_COMPLETION))
    if recorded is not None:
        ends.append((recorded[1], recorded[0]))
    return ends


# --- the eligibility interval ---------------------------------------------------------------------------

interval_inputs = st.tuples(
    plausible_dates,
    plausible_dates,
    st.none() | plausible_dates,
    st.none() | st.tuples(recorded_reasons, plausible_dates),
)


@settings(max_examples=400)
@given(interval_inputs)
def test_the_last_eligible_day_is_the_earliest_candidate_end_with_ties_going_to_the_first_listed(inputs):
    qad, birth, hs, recorded = inputs
    interval = eligibility_interval(qad, birth, hs_completion_date=hs, recorded_end=recorded)
    ends = spec_ends(qad, birth, hs, recorded)
    earliest = min(day for day, _ in ends)
    assert interval.start == qad
    assert interval.last_day == earliest
    tied = [reason for day, reason in ends if day == earliest]
    assert interval.end_reason == min(tied, key=TABLE_ORDER.index)


@settings(max_examples=400)
@given(interval_inputs)
def test_eligibility_never_lasts_36_months_nor_reaches_the_22nd_birthday(inputs):
    qad, birth, hs, recorded = inputs
    interval = eligibility_interval(qad, birth, hs_completion_date=hs, recorded_end=recorded)
    assert interval.last_day < qad + relativedelta(months=36)
    assert interval.last_day < birth + relativedelta(years=22)
    assert not interval.covers(qad + relativedelta(months=36))
    assert not interval.covers(birth + relativedelta(years=22))
    assert not interval.covers(qad - ONE_DAY)


# --- COE documents whose dates vary: a model of the date rules ------------------------------------------


@st.composite
def child_dates(draw, qad):
    birth = qad + days(draw(st.integers(-23 * 366, 20)))
    residency = qad + days(draw(st.integers(-5, 400)))
    hs = draw(st.none() | st.integers(-400, 1300).map(lambda n: qad + days(n)))
    recorded = draw(st.none() | st.tuples(recorded_reasons, st.integers(-5, 1300).map(lambda n: qad + days(n))))
    return birth, residency, hs, recorded


@st.composite
def dated_documents(draw):
    qad = draw(plausible_dates)
    interview = qad + days(draw(st.integers(-20, 1200)))
    work_start = qad + days(draw(st.integers(-5, 70)))
    kids = draw(st.lists(child_dates(qad), min_size=1, max_size=3))
    children = []
    for birth, residency, hs, recorded in kids:
        child = second_child(birth_date=birth, residency_date=residency, hs_completion_date=hs)
        if recorded:
            child["eligibility_end"] = {"reason": str(recorded[0]), "date": iso(recorded[1])}
        children.append(child)
    document = valid_coe({"qualifying_move.qad": qad, "interview_date": interview,
                          "qualifying_move.work_start_date": work_start}, children=children)
    return document, qad, interview, work_start, kids


def expected_coe_codes(qad, interview, work_start):
    expected = set()
    if qad > interview:
        expected.add("QAD_AFTER_INTERVIEW")
    elif qad + relativedelta(months=36) - ONE_DAY < interview:
        expected.add("MOVE_TOO_OLD")
    if not qad <= work_start <= qad + days(60):
        expected.add("WORK_NOT_SOON_AFTER")
    return expected


def expected_child_codes(qad, interview, birth, residency, hs, recorded):
    """(codes the child must have, codes it may also have) from interfaces.md's table and the documented
    conventions; a code outside both is wrong."""
    must, may = set(), set()
    if residency < qad:
        must.add("QAD_AFTER_RESIDENCY")
    if birth > qad:
        # Born after the move: the other dates of this child mean nothing; any further code is tolerated.
        must.add("BORN_AFTER_MOVE")
        may |= {"AGE_22_OR_OVER", "HS_COMPLETED", "INVALID_VALUE", "ELIGIBILITY_ENDED"}
        return must, may
    refused_at_qad = False
    if birth + relativedelta(years=22) <= qad:
        must.add("AGE_22_OR_OVER")
        refused_at_qad = True
    if hs is not None and hs <= qad:
        must.add("HS_COMPLETED")
        refused_at_qad = True
    if recorded is not None and recorded[1] < qad:
        must.add("INVALID_VALUE")  # a loss of entitlement cannot be recorded before eligibility starts
        refused_at_qad = True
    own_end = min(day for day, reason in spec_ends(qad, birth, hs, recorded)
                  if reason != EndReason.THIRTY_SIX_MONTHS)
    thirty_six_end = qad + relativedelta(months=36) - ONE_DAY
    if refused_at_qad:
        may.add("ELIGIBILITY_ENDED")  # true as well, but the refusal at the QAD already says it
    elif own_end < interview and own_end < thirty_six_end:
        must.add("ELIGIBILITY_ENDED")
    elif own_end < interview:
        may.add("ELIGIBILITY_ENDED")  # a tie with the 36 months, which MOVE_TOO_OLD reports on the COE
    return must, may


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(dated_documents())
def test_the_date_rules_raise_exactly_the_codes_the_spec_gives_at_their_level(generated):
    document, qad, interview, work_start, kids = generated
    result = check_coe(document)
    assert {str(error.code) for error in result.errors} == expected_coe_codes(qad, interview, work_start)
    for child, (birth, residency, hs, recorded) in zip(result.children, kids, strict=True):
        must, may = expected_child_codes(qad, interview, birth, residency, hs, recorded)
        got = {str(error.code) for error in child.errors}
        assert must <= got <= must | may, (must, may, got)
        if birth <= qad:
            ends = spec_ends(qad, birth, hs, recorded)
            assert child.interval.start == qad
            assert child.interval.last_day == min(day for day, _ in ends)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(dated_documents())
def test_a_childs_last_eligible_day_is_never_before_the_qad_unless_the_child_is_refused(generated):
    document, qad, *_ = generated
    result = check_coe(document)
    for child in result.children:
        if child.interval is not None and child.interval.last_day < qad:
            assert child.errors, "a child whose eligibility ends before it starts must be refused"
            assert child.eligible is False
        if child.interval is not None:
            assert child.interval.last_day < qad + relativedelta(months=36)


# --- any JSON at all ------------------------------------------------------------------------------------

VALUE_SET_WORDS = ["draft", "submitted", "returned", "approved", "rejected", "void", "F", "M", "X", "as_worker",
                   "with_worker", "to_join_worker", "to_precede_worker", "parent", "guardian", "spouse", "self",
                   "engaged", "actively_sought", "temporary", "seasonal", "agricultural", "fishing",
                   "worker_statement", "employer_statement", "sea_determination", "DEATH",
                   "OTHER_LOSS_OF_ENTITLEMENT", "WI", "TX", "5621"]
KEYS = sorted({key for key in json.dumps(EXAMPLE_COE).split('"') if key.isidentifier()}
              | {"eligibility_end", "reason", "date"})

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats()  # NaN and infinities too: Python's json module reads them
    | st.text(max_size=12)
    | st.sampled_from(VALUE_SET_WORDS)
    | any_date_text
    | plausible_dates.map(dt.date.isoformat)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner,
                                                                max_size=5),
    max_leaves=20,
)
known_district_sets = st.none() | st.sets(st.sampled_from(["5621", "0007", ""]) | st.text(max_size=5), max_size=3)


def assert_a_well_formed_result(result):
    as_dict = result.as_dict()
    json.dumps(as_dict, allow_nan=False)  # raises if anything in it is not plain JSON
    assert as_dict["coe_id"] is None or isinstance(as_dict["coe_id"], str)
    for finding in as_dict["errors"] + as_dict["warnings"] + [e for c in as_dict["children"] for e in c["errors"]]:
        assert set(finding) == {"code", "field", "message"}
        assert finding["message"]
    # interfaces.md: "`eligible` is true when the COE has no COE-level error and at least one child is
    # eligible (a child's own errors refuse that child only)."
    some_child_clean = any(not child.errors for child in result.children)
    assert result.eligible == (not result.errors and some_child_clean)
    assert as_dict["eligible"] == result.eligible
    for child in as_dict["children"]:
        assert child["eligible"] == (not as_dict["errors"] and not child["errors"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, known_district_sets)
def test_check_coe_never_raises_on_any_json_value(document, known_districts):
    assert_a_well_formed_result(check_coe(document, known_districts=known_districts))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["interview_date", "status", "coe_id", "children", "qualifying_move",
                                        "signatures", "comments"]), json_values))
def test_check_coe_never_raises_on_any_object_with_the_coe_keys(document):
    assert_a_well_formed_result(check_coe(document))


def all_paths(node, prefix=()):
    """Every (key or index) path inside a JSON document, the root excluded."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield prefix + (key,)
        yield from all_paths(value, prefix + (key,))


@st.composite
def mutated_coes(draw):
    """The valid example with two children, then one to three keys deleted or values replaced."""
    document = valid_coe(children=[copy.deepcopy(EXAMPLE_COE["children"][0]), second_child()])
    for _ in range(draw(st.integers(1, 3))):
        paths = list(all_paths(document))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return document


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_coes(), known_district_sets)
def test_check_coe_never_raises_on_a_mutated_valid_document(document, known_districts):
    assert_a_well_formed_result(check_coe(document, known_districts=known_districts))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_coes())
def test_a_mutated_document_is_eligible_iff_no_coe_error_and_some_child_without_error(document):
    result = check_coe(document)
    assert result.eligible == (not result.errors and any(not child.errors for child in result.children))
    for child in result.children:
        if child.eligible:
            assert child.interval.start <= child.interval.last_day


DATE_FIELDS = ["interview_date", "qualifying_move.qad", "qualifying_move.work_start_date",
               "qualifying_move.child_arrival_date", "qualifying_move.worker_arrival_date",
               "children[0].birth_date", "children[0].residency_date", "children[0].hs_completion_date",
               "children[0].eligibility_end.date", "signatures.reviewer.date"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(DATE_FIELDS), any_date_text, min_size=1),
       st.sampled_from(["with_worker", "to_join_worker", "to_precede_worker"]),
       st.integers(min_value=0, max_value=10**6))
def test_check_coe_never_raises_whatever_calendar_dates_the_document_holds(dates, moved, soon_after_days):
    changes = {"qualifying_move.moved": moved, **dates}
    if "children[0].eligibility_end.date" in dates:
        changes = {"children[0].eligibility_end": {"reason": "DEATH"}, **changes}
    assert_a_well_formed_result(check_coe(valid_coe(changes), soon_after_days=soon_after_days))


@settings(max_examples=2000)
@given(day=st.dates(max_value=dt.date(9000, 12, 31)), months=st.integers(min_value=0, max_value=12 * 100))
def test_add_months_is_exactly_relativedelta_month_arithmetic(day, months):
    from mepsis.rules import add_months

    assert add_months(day, months) == day + relativedelta(months=months)
