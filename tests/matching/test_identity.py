import datetime as dt

import polars as pl
import pytest

from mepsis.matching.identity import identity_key


def key(first, last, last_2=None, birth="2014-03-02", sex="F"):
    frame = pl.DataFrame({"f": [first], "l": [last], "l2": [last_2], "b": [birth], "s": [sex]},
                         schema={"f": pl.String, "l": pl.String, "l2": pl.String, "b": pl.String, "s": pl.String})
    return frame.select(identity_key(pl.col("f"), pl.col("l"), pl.col("l2"), pl.col("b"), pl.col("s"))).item()


@pytest.mark.parametrize(("first", "last", "last_2"), [
    ("Ana", "García Hernández", None),
    ("ANA", "GARCIA-HERNANDEZ", None),
    ("ana", "garcia", "hernandez"),
    (" Ana ", "García", "Hernández"),
    ("Ána", "Garcia  Hernandez", ""),
])
def test_case_accents_spaces_hyphens_and_split_surnames_fold_to_one_identity(first, last, last_2):
    assert key(first, last, last_2) == key("Ana", "García", "Hernández")


@pytest.mark.parametrize("other", [
    dict(first="Ana", last="García"),                        # only the first surname: not exact
    dict(first="Ana", last="Hernández", last_2="García"),    # surnames swapped: not exact
    dict(first="Ana", last="García", last_2="Hernández", birth="2014-02-03"),
    dict(first="Ana", last="García", last_2="Hernández", sex="M"),
    dict(first="Anna", last="García", last_2="Hernández"),
])
def test_what_exact_matching_must_not_equate_stays_apart(other):
    assert key(**other) != key("Ana", "García", "Hernández")


def test_a_date_column_and_an_iso_string_give_the_same_key():
    frame = pl.DataFrame({"f": ["Ana"], "l": ["García"], "l2": ["Hernández"], "b": [dt.date(2014, 3, 2)], "s": ["F"]})
    from_date = frame.select(identity_key(pl.col("f"), pl.col("l"), pl.col("l2"), pl.col("b"), pl.col("s"))).item()

    assert from_date == key("Ana", "García", "Hernández")
