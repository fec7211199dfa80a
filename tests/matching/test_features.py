import datetime as dt

import polars as pl

from mepsis.matching.features import prepare


def prepared(**values):
    base = {"unique_id": 1, "first_name": "Ana", "middle_name": "", "surnames": "García Hernández", "sex": "F",
            "birth_date": dt.date(2014, 3, 2), "person_1": "", "person_2": "", "born_country": "",
            "born_state": "", "district": "5621", "region": "1"}
    return prepare(pl.DataFrame([base | values])).row(0, named=True)


def test_compound_surnames_give_the_same_two_last_names_however_they_are_written():
    for written in ("García Hernández", "GARCIA-HERNANDEZ", "garcia  hernandez"):
        assert (prepared(surnames=written)["ln1"], prepared(surnames=written)["ln2"]) == ("garcia", "hernandez")
    assert (prepared(surnames="de la Cruz Pérez")["ln1"], prepared(surnames="de la Cruz Pérez")["ln2"]) == (
        "cruz", "perez"), "particles are left out"
    assert prepared(surnames="García")["ln2"] is None


def test_a_nickname_and_the_first_word_of_a_compound_name_give_the_legal_name():
    assert prepared(first_name="Pepe")["first_c"] == "jose"
    assert prepared(first_name="José")["first_c"] == "jose"
    assert (prepared(first_name="Juan Pablo")["first"], prepared(first_name="Juan Pablo")["first_c"]) == (
        "juanpablo", "juan")


def test_the_birth_date_carries_its_day_and_month_swapped_only_when_that_is_a_date():
    assert prepared(birth_date=dt.date(2014, 3, 2))["birth_dm"] == "2014-02-03"
    assert prepared(birth_date=dt.date(2014, 3, 25))["birth_dm"] is None


def test_a_parent_is_known_by_first_name_and_first_surname():
    assert prepared(person_1="Rosa Hernández Ruiz")["parent_1"] == "rosa hernandez"
    assert prepared(person_1="ROSA HERNANDEZ")["parent_1"] == "rosa hernandez"
    assert prepared(person_1="Rosa")["parent_1"] is None
