"""The synthetic enrollment feed: SIS rows as districts send them, with the truth of who each one is."""

import collections
import datetime as dt
import io
import json
import unicodedata

import pytest

from mepsis import synth

STATUSES = {"approved": 85, "submitted": 5, "draft": 2, "returned": 3, "rejected": 4, "void": 1}
ROWS = 40_000


@pytest.fixture(scope="module")
def orgs():
    return synth.make_orgs(11, districts=25, regions=4)


@pytest.fixture(scope="module")
def coes(orgs):
    """Two seasons of COEs of every status, a few with a defect: about 6,000 children."""
    ids = [row["district_id"] for row in orgs if not row["school_id"]]
    cities = synth.district_cities(orgs)
    documents = list(synth.make_coes(3, 1800, district_ids=ids, year=2025, statuses=STATUSES, defect_rate=0.04,
                                     today="2026-03-01", cities=cities))
    documents += synth.make_coes(4, 1200, district_ids=ids, year=2024, statuses=STATUSES, today="2026-03-01",
                                 cities=cities)
    return documents


@pytest.fixture(scope="module")
def feed(coes, orgs):
    return list(synth.make_feed(7, coes=coes, orgs=orgs, rows=ROWS))


@pytest.fixture(scope="module")
def children(coes):
    """(coe_id, child_index) -> (the child, its COE)."""
    return {(document["coe_id"], index): (child, document) for document in coes
            for index, child in enumerate(document["children"])}


@pytest.fixture(scope="module")
def migrant(feed, children):
    """The rows of COE children, each with the child and its COE."""
    return [(row, *children[truth["coe_id"], truth["child_index"]]) for row, truth in feed if truth]


def _plain(name):
    decomposed = unicodedata.normalize("NFKD", name or "")
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()


def _exact(row, child):
    """Exact identity after normalising, as the exact pass of the ingest compares it."""
    surnames = child["last_name_1"] + (child["last_name_2"] or "")
    return (_plain(row["first_name"]) == _plain(child["first_name"])
            and _plain(row["last_name"] + row["last_name_2"]) == _plain(surnames)
            and row["birth_date"] == child["birth_date"] and row["sex"] == child["sex"])


def _key(row):
    return row["district_id"], row["local_student_id"], row["school_id"], row["school_year"], row["entry_date"]


def _age_on_september_first(birth):
    born = dt.date.fromisoformat(birth)
    return 2025 - born.year - ((born.month, born.day) > (9, 1))


# --- repeatable, and the shape of the file ---------------------------------------------------------------


def test_the_same_seed_gives_the_same_feed_and_another_seed_another(coes, orgs):
    def make(seed):
        return json.dumps(list(synth.make_feed(seed, coes=coes[:400], orgs=orgs, rows=3000)), ensure_ascii=False)

    assert make(1) == make(1)
    assert make(1) != make(2)


def test_the_feed_has_exactly_the_rows_asked(feed, coes, orgs):
    assert len(feed) == ROWS
    assert list(synth.make_feed(1, coes=coes, orgs=orgs, rows=0)) == []


def test_every_row_has_exactly_the_feed_columns_in_order_and_only_strings(feed):
    assert all(tuple(row) == synth.FEED_COLUMNS for row, _ in feed)
    assert all(type(value) is str for row, _ in feed for value in row.values())
    assert all(row["school_year"] == "2025-26" for row, _ in feed)


def test_every_row_names_a_school_of_its_district_in_the_orgs(feed, orgs):
    schools = {(row["district_id"], row["school_id"]) for row in orgs if row["school_id"]}
    assert all((row["district_id"], row["school_id"]) in schools for row, _ in feed)
    assert len({row["district_id"] for row, _ in feed}) == 25


def test_the_key_of_an_enrollment_is_unique(feed):
    keys = collections.Counter(_key(row) for row, _ in feed)
    assert max(keys.values()) == 1


def test_required_values_are_there_and_codes_are_in_their_value_sets(feed):
    grades = set(synth._LADDER) | {"UG"}
    for row, _ in feed:
        for column in ("district_id", "school_id", "local_student_id", "first_name", "last_name", "sex",
                       "birth_date", "grade", "entry_date"):
            assert row[column], (column, row)
        assert row["sex"] in ("F", "M", "X") and row["grade"] in grades
        assert row["exit_reason"] in ("", *synth.EXIT_REASONS)
        for column in ("english_learner", "iep", "free_reduced_lunch"):
            assert row[column] in ("Y", "N")


def test_no_exit_is_before_its_entry_and_an_exit_has_a_reason(feed):
    for row, _ in feed:
        assert bool(row["exit_date"]) == bool(row["exit_reason"]), row
        if row["exit_date"]:
            assert row["exit_date"] >= row["entry_date"], row


def test_every_date_is_in_the_school_year_and_not_after_the_night_of_the_feed(feed):
    for row, _ in feed:
        assert "2025-08-18" <= row["entry_date"] <= "2026-03-01"
        assert not row["exit_date"] or row["exit_date"] <= "2026-03-01"


def test_every_exit_reason_occurs(feed):
    reasons = collections.Counter(row["exit_reason"] for row, _ in feed)
    assert set(synth.EXIT_REASONS) <= set(reasons)
    assert reasons[""] > 0.85 * len(feed)


# --- the children of the COEs ------------------------------------------------------------------------------


def test_the_feed_holds_certified_children_and_a_few_of_coes_that_are_not_approved(migrant):
    statuses = collections.Counter(document["status"] for _, _, document in migrant)
    assert statuses["approved"] > 2000
    others = sum(statuses.values()) - statuses["approved"]
    assert 0.02 * len(migrant) < others < 0.15 * len(migrant)
    assert len(statuses) >= 5


def test_only_school_age_children_without_a_diploma_enroll(migrant):
    for row, child, _ in migrant:
        assert 4 <= _age_on_september_first(child["birth_date"]) <= 21
        assert not child.get("hs_completion_date")


def test_a_child_has_one_or_two_enrollments_and_a_second_follows_an_exit_to_another_school(feed):
    rows = collections.defaultdict(list)
    for row, truth in feed:
        if truth:
            rows[truth["coe_id"], truth["child_index"]].append(row)
    counts = collections.Counter(len(child_rows) for child_rows in rows.values())
    assert set(counts) == {1, 2}
    assert 0.02 < counts[2] / len(rows) < 0.15
    for first, *second in (sorted(child_rows, key=lambda row: row["entry_date"]) for child_rows in rows.values()):
        if second:
            assert first["exit_reason"] == "TRANSFER_IN_STATE"
            assert second[0]["entry_date"] > first["exit_date"]
            assert (second[0]["district_id"], second[0]["school_id"]) != (first["district_id"], first["school_id"])


def test_children_enroll_in_the_coes_district_mostly_else_in_one_of_its_region(migrant, orgs):
    region = {row["district_id"]: row["region"] for row in orgs}
    home = sum(row["district_id"] == document["qualifying_move"]["to"]["district_id"]
               for row, _, document in migrant) / len(migrant)
    assert 0.75 < home < 0.95
    assert all(region[row["district_id"]] == region[document["qualifying_move"]["to"]["district_id"]]
               for row, _, document in migrant)


def test_a_certified_childs_rows_carry_the_coes_state_id_when_it_has_one(migrant):
    with_id = [(row, child) for row, child, _ in migrant if child["state_student_id"]]
    assert len(with_id) > 1000
    assert all(row["state_student_id"] == child["state_student_id"] for row, child in with_id)


def test_a_child_without_a_state_id_on_the_coe_mostly_has_one_of_its_own_the_same_on_all_its_rows(feed, children):
    coe_ids = {child["state_student_id"] for child, _ in children.values() if child["state_student_id"]}
    ids = collections.defaultdict(set)
    for row, truth in feed:
        if truth and not children[truth["coe_id"], truth["child_index"]][0]["state_student_id"]:
            ids[truth["coe_id"], truth["child_index"]].add(row["state_student_id"])
    assert all(len(values) == 1 for values in ids.values())
    own = [next(iter(values)) for values in ids.values()]
    assert 0.85 < sum(bool(ssid) for ssid in own) / len(own) < 0.97
    assert not coe_ids & set(own)


def test_state_ids_are_ten_digits_and_no_two_students_share_one(feed):
    students = collections.defaultdict(set)
    for row, truth in feed:
        if row["state_student_id"]:
            assert len(row["state_student_id"]) == 10 and row["state_student_id"].isdigit()
            who = (truth["coe_id"], truth["child_index"]) if truth else (row["district_id"], row["local_student_id"])
            students[row["state_student_id"]].add(who)
    assert all(len(who) == 1 for who in students.values())
    assert sum(not row["state_student_id"] for row, _ in feed) < 0.03 * len(feed)


def test_a_local_id_is_one_student_in_its_district(feed):
    students = collections.defaultdict(set)
    for row, truth in feed:
        who = (truth["coe_id"], truth["child_index"]) if truth else (row["first_name"], row["birth_date"])
        students[row["district_id"], row["local_student_id"]].add(who)
    assert all(len(who) == 1 for who in students.values())
    assert all(len(row["local_student_id"]) == 7 and row["local_student_id"].isdigit() for row, _ in feed)


def test_the_share_of_migrant_rows_that_match_exactly_is_within_the_stated_band(migrant):
    low, high = synth.FEED_EXACT_SHARE
    share = sum(_exact(row, child) for row, child, _ in migrant) / len(migrant)
    assert low <= share <= high, share


def test_exact_rows_are_written_in_each_way_a_clerk_writes_them(migrant):
    exact = [(row, child) for row, child, _ in migrant if _exact(row, child)]
    two = [(row, child) for row, child in exact if child["last_name_2"]]
    assert any(row["last_name_2"] for row, _ in two)                               # split
    assert any(" " in row["last_name"] and not row["last_name_2"] for row, _ in two)  # together
    assert any("-" in row["last_name"] for row, _ in two)                          # hyphenated
    assert any(row["first_name"].isupper() for row, _ in exact)
    accented = [(row, child) for row, child in exact if not child["last_name_1"].isascii()]
    assert any(row["last_name"].isascii() for row, _ in accented)
    assert any(not row["last_name"].isascii() for row, _ in accented)


def test_rows_that_do_not_match_exactly_vary_in_each_way_the_probabilistic_matcher_must_handle(migrant):
    ways = collections.Counter()
    for row, child, _ in migrant:
        if _exact(row, child):
            continue
        first, last_1, last_2 = _plain(row["first_name"]), _plain(child["last_name_1"]), _plain(child["last_name_2"])
        last = _plain(row["last_name"] + row["last_name_2"])
        if last_2 and last == last_1:
            ways["only the first surname"] += 1
        if last_2 and last == last_2 + last_1:
            ways["surnames swapped"] += 1
        if last_2 and last == last_2:
            ways["only the second surname"] += 1
        if row["first_name"] in synth._NICKNAMES.get(child["first_name"], ()):
            ways["nickname"] += 1
        if child["middle_name"] and first == _plain(child["middle_name"]):
            ways["middle name as first name"] += 1
        if " " in child["first_name"] and first == _plain(child["first_name"].split()[0]):
            ways["compound first name cut"] += 1
        born, written = dt.date.fromisoformat(child["birth_date"]), dt.date.fromisoformat(row["birth_date"])
        if written != born and (written.month, written.day) == (born.day, born.month):
            ways["day and month swapped"] += 1
        elif written != born and sum(a != b for a, b in zip(row["birth_date"], child["birth_date"])) == 1:
            ways["one digit off"] += 1
        if first != _plain(child["first_name"]) and len(first) > 3 and first[0] == _plain(child["first_name"])[0]:
            ways["first name otherwise changed (a typo)"] += 1
    assert len(ways) == 9, ways


def test_twins_keep_first_names_of_their_own(feed, children):
    names = collections.defaultdict(set)
    for row, truth in feed:
        if truth:
            key = (truth["coe_id"], row["district_id"], row["birth_date"])
            names[key].add((_plain(row["first_name"]), truth["child_index"]))
    twins = [pairs for pairs in names.values() if len({index for _, index in pairs}) > 1]
    assert twins
    for pairs in twins:
        assert len({name for name, _ in pairs}) == len({index for _, index in pairs}), pairs


def test_grades_follow_the_age_on_september_first(feed):
    offsets = collections.Counter()
    for row, _ in feed:
        if row["grade"] != "UG":
            offsets[_age_on_september_first(row["birth_date"]) - 4 - synth._RUNG[row["grade"]]] += 1
    assert (offsets[0] + offsets[1]) / sum(offsets.values()) > 0.99
    assert set(offsets) <= {-1, 0, 1, 2, 3, 4}


def test_entries_are_mostly_august_to_october_and_some_later_in_the_year(migrant):
    months = collections.Counter(row["entry_date"][:7] for row, _, _ in migrant)
    early = months["2025-08"] + months["2025-09"] + months["2025-10"]
    assert 0.85 < early / len(migrant) < 0.99


def test_guardians_are_the_coes_parents(migrant):
    with_parents = named = 0
    for row, _, document in migrant:
        parents = [person for person in (document["family"]["parent1"], document["family"]["parent2"]) if person]
        if not parents:
            assert row["guardian1_name"] == row["guardian2_name"] == ""
            continue
        with_parents += 1
        firsts = tuple(_plain(person["first_name"]) for person in parents)
        for guardian in (row["guardian1_name"], row["guardian2_name"]):
            assert not guardian or _plain(guardian).startswith(firsts), (guardian, parents)
        named += bool(row["guardian1_name"])
    assert named == with_parents > 0.9 * len(migrant)


def test_migrant_children_are_mostly_on_free_lunch_but_some_rows_say_no(migrant):
    no = sum(row["free_reduced_lunch"] == "N" for row, _, _ in migrant) / len(migrant)
    assert 0.02 < no < 0.09


def test_many_are_english_learners_and_many_born_in_mexico(migrant):
    learners = sum(row["english_learner"] == "Y" for row, _, _ in migrant) / len(migrant)
    assert 0.3 < learners < 0.5
    countries = collections.Counter(row["birth_country"] for row, _, _ in migrant)
    assert countries["MX"] > 0.08 * len(migrant) and countries["US"] > 0.5 * len(migrant)


def test_other_students_include_look_alikes_of_coe_children_born_on_other_days(feed, children):
    births = collections.defaultdict(set)
    for child, _ in children.values():
        if child.get("first_name") and child.get("last_name_1"):
            births[_plain(child["first_name"]), _plain(child["last_name_1"] + (child.get("last_name_2") or "")),
                   child.get("sex")].add(child.get("birth_date"))
    alike = [(row, births[name]) for row, truth in feed if truth is None
             for name in [(_plain(row["first_name"]), _plain(row["last_name"] + row["last_name_2"]), row["sex"])]
             if name in births]
    assert len(alike) > 100
    assert sum(row["birth_date"] not in days for row, days in alike) > 0.99 * len(alike)


def test_migrant_share_caps_the_rows_of_coe_children(coes, orgs):
    capped = list(synth.make_feed(7, coes=coes, orgs=orgs, rows=10_000, migrant_share=0.05))
    assert len(capped) == 10_000
    assert sum(truth is not None for _, truth in capped) <= 500
    small = list(synth.make_feed(7, coes=coes, orgs=orgs, rows=1000))
    assert len(small) == 1000 and all(truth is not None for _, truth in small)


def test_make_feed_refuses_what_it_cannot_make(coes, orgs):
    districts_only = [row for row in orgs if not row["school_id"]]
    with pytest.raises(ValueError):
        synth.make_feed(1, coes=coes, orgs=districts_only, rows=10)
    with pytest.raises(ValueError):
        synth.make_feed(1, coes=coes, orgs=orgs, rows=10, school_year="2025-2026")
    with pytest.raises(ValueError):
        synth.make_feed(1, coes=coes, orgs=orgs, rows=-1)
    with pytest.raises(ValueError):
        synth.make_feed(1, coes=coes, orgs=orgs, rows=10, as_of="2024-01-01")


# --- a night later -----------------------------------------------------------------------------------------


CHANGEABLE = {"exit_date", "exit_reason", "grade", "first_name", "middle_name", "last_name", "last_name_2",
              "state_student_id"}


def test_change_feed_changes_about_rate_of_the_rows_and_nothing_else(feed):
    rows = [row for row, _ in feed]
    changed = list(synth.change_feed(3, rows, rate=0.05))
    assert len(changed) == len(rows)
    differ = 0
    kinds = collections.Counter()
    for before, after in zip(rows, changed, strict=True):
        assert tuple(after) == synth.FEED_COLUMNS
        assert _key(after) == _key(before)
        fields = {column for column in synth.FEED_COLUMNS if before[column] != after[column]}
        assert fields <= CHANGEABLE, fields
        if fields:
            differ += 1
            kinds[min(fields)] += 1
            if after["exit_date"]:
                assert after["exit_date"] >= after["entry_date"] and after["exit_reason"] in synth.EXIT_REASONS
        else:
            assert after is before
    assert 0.04 * len(rows) < differ < 0.06 * len(rows)
    assert {"exit_date", "grade", "first_name", "state_student_id"} <= set(kinds), kinds


def test_change_feed_is_the_same_for_the_same_seed_and_leaves_the_rows_given_as_they_were(feed):
    rows = [row for row, _ in feed[:5000]]
    copies = [dict(row) for row in rows]
    assert list(synth.change_feed(1, rows)) == list(synth.change_feed(1, rows))
    assert list(synth.change_feed(1, rows)) != list(synth.change_feed(2, rows))
    assert rows == copies


def test_a_filled_state_id_is_new_and_the_same_on_the_students_next_row():
    row = {column: "" for column in synth.FEED_COLUMNS}
    first = {**row, "district_id": "0001", "local_student_id": "1000001", "entry_date": "2025-09-02",
             "school_year": "2025-26", "grade": "05"}
    second = {**first, "school_id": "0020", "entry_date": "2025-11-03"}
    for seed in range(40):
        one, two = synth.change_feed(seed, [first, second], rate=1.0)
        if one["state_student_id"]:
            assert len(one["state_student_id"]) == 10 and one["state_student_id"].startswith("9")
            assert two["state_student_id"] == one["state_student_id"]
            return
    pytest.fail("no state id was filled in 40 nights")


def test_unchanged_rows_are_written_byte_identical(feed):
    rows = [row for row, _ in feed[:20_000]]
    before, after = io.StringIO(), io.StringIO()
    synth.write_feed(rows, before)
    synth.write_feed(synth.change_feed(9, rows, rate=0.01), after)
    lines_before, lines_after = before.getvalue().splitlines(), after.getvalue().splitlines()
    assert len(lines_before) == len(lines_after) == 20_001
    differ = sum(a != b for a, b in zip(lines_before, lines_after, strict=True))
    assert 100 < differ < 300


# --- files and the command line ----------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["csv", "jsonl"])
def test_write_feed_writes_what_read_feed_reads_back(feed, tmp_path, format):
    rows = [row for row, _ in feed[:2000]]
    path = tmp_path / f"feed.{format}"
    assert synth.write_feed(rows, path, format=format) == 2000
    assert list(synth.read_feed(path)) == rows
    text = path.read_text(encoding="utf-8")
    if format == "csv":
        assert text.startswith(",".join(synth.FEED_COLUMNS) + "\n")
    else:
        assert all(list(json.loads(line)) == list(synth.FEED_COLUMNS) for line in text.splitlines())


def test_the_command_line_writes_a_feed_with_its_truth_and_a_changed_feed(tmp_path, capsys):
    orgs, coes = tmp_path / "orgs.csv", tmp_path / "coes.jsonl"
    feed, truth, changed = tmp_path / "feed.csv", tmp_path / "truth.jsonl", tmp_path / "changed.csv"
    assert synth.main(["orgs", "--seed", "1", "--districts", "8", "--out", str(orgs)]) == 0
    assert synth.main(["coes", "--seed", "1", "--count", "300", "--orgs", str(orgs), "--out", str(coes)]) == 0
    assert synth.main(["feed", "--seed", "2", "--coes", str(coes), "--orgs", str(orgs), "--rows", "3000",
                       "--out", str(feed), "--truth", str(truth)]) == 0
    assert synth.main(["change-feed", "--seed", "3", "--feed", str(feed), "--rate", "0.02",
                       "--out", str(changed)]) == 0
    assert capsys.readouterr() == ("", "")
    lines = feed.read_text(encoding="utf-8").splitlines()
    truths = [json.loads(line) for line in truth.read_text().splitlines()]
    assert len(lines) == 3001 and [item["line"] for item in truths] == list(range(2, 3002))
    assert all(set(item) == {"line", "coe_id", "child_index"} for item in truths)
    documents = {json.loads(line)["coe_id"]: json.loads(line) for line in coes.read_text().splitlines()}
    expected = list(synth.make_feed(2, coes=documents.values(), orgs=synth.read_orgs_csv(orgs), rows=3000))
    assert [(item["coe_id"], item["child_index"]) for item in truths] == [
        (t["coe_id"], t["child_index"]) if t else (None, None) for _, t in expected]
    assert list(synth.read_feed(feed)) == [row for row, _ in expected]
    after = changed.read_text(encoding="utf-8").splitlines()
    assert len(after) == 3001 and 20 < sum(a != b for a, b in zip(lines, after, strict=True)) < 120


def test_the_command_line_refuses_a_missing_coes_file(tmp_path, capsys):
    orgs = tmp_path / "orgs.csv"
    synth.main(["orgs", "--seed", "1", "--out", str(orgs)])
    assert synth.main(["feed", "--seed", "1", "--coes", str(tmp_path / "none.jsonl"), "--orgs", str(orgs),
                       "--rows", "10", "--out", str(tmp_path / "feed.csv")]) == 2
    assert "none.jsonl" in capsys.readouterr().err
