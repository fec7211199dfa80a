"""The columns the probabilistic model compares, made in polars from a child or an enrollment as stored.

Both engines (DuckDB and Spark) get the same prepared columns, so the model's SQL stays plain equality and
``levenshtein`` (the same in both dialects) and the two engines score alike. Names are folded as exact
matching folds them (``identity.folded``: case, accents, apostrophes), then split into words so that a
compound surname written "García Hernández", "GARCIA-HERNANDEZ" or in two fields gives the same two
surnames, the particles of "de la Cruz" left out.

A child's columns: its names, sex and birth date; its parents (the family of its newest approved COE); the
place the family moved from (the closest thing the COE knows to a birth place); the district it moved to
and that district's region. An enrollment's: its names, sex, birth date, guardians, birth place, and the
enrolling district and region.
"""

from __future__ import annotations

import polars as pl

# What the model's SQL reads; both sides carry all of them (Splink links tables of one shape).
COLUMNS = ("unique_id", "first", "first_c", "middle", "ln1", "ln2", "birth", "birth_dm", "birth_year", "birth_md",
           "sex", "parent_1", "parent_2", "born_country", "born_state", "district", "region")

_PARTICLES = ["de", "del", "la", "las", "los", "y", "da", "dos", "van", "von"]

# Nicknames and short forms a clerk may write for a legal first name (folded). The SIS mostly holds the
# legal name; these are the common exceptions in migrant families and the schools they attend.
NICKNAMES = {
    "pepe": "jose", "joe": "jose", "paco": "francisco", "pancho": "francisco", "frank": "francisco",
    "lupe": "guadalupe", "lupita": "guadalupe", "chuy": "jesus", "jesse": "jesus", "beto": "roberto",
    "lalo": "eduardo", "alex": "alejandro", "ale": "alejandra", "santi": "santiago", "sebas": "sebastian",
    "dani": "daniel", "danny": "daniel", "fer": "fernanda", "nando": "fernando", "leo": "leonardo",
    "isa": "isabella", "bella": "isabella", "vale": "valeria", "naty": "natalia", "mari": "mariana",
    "johnny": "jonathan", "chris": "christopher", "kim": "kimberly", "kike": "enrique", "nacho": "ignacio",
    "ricky": "ricardo", "tono": "antonio", "tony": "antonio", "manny": "manuel", "emi": "emiliano",
    "abby": "abigail", "vicky": "victoria", "gaby": "gabriela", "jenny": "jennifer", "eric": "erick",
    "mike": "miguel", "sam": "samuel", "jime": "jimena", "majo": "mariajose", "jp": "juanpablo",
    "memo": "guillermo", "pablito": "pablo", "toni": "antonio", "charly": "carlos", "yesi": "yesenia",
}


def _fold(name: pl.Expr) -> pl.Expr:
    """Folded words separated by one space, without particles: "de la Cruz-Pérez" -> "cruz perez"."""
    particles = "|".join(_PARTICLES)
    return (name.fill_null("").str.normalize("NFKD").str.replace_all(r"\p{M}", "").str.to_lowercase()
            .str.replace_all(r"['’.]", "").str.replace_all(r"[^a-z0-9]+", "  ")
            .str.replace_all(rf"(^| )({particles})( |$)", " ").str.replace_all(" +", " ").str.strip_chars())


def _word(folded: pl.Expr, position: int) -> pl.Expr:
    """The first or second word of a folded name, null when there is none."""
    return folded.str.extract(r"^(\S+)" if position == 0 else r"^\S+ (\S+)", 1)


def _nothing_as_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr == "").then(None).otherwise(expr)


def _person_key(folded: pl.Expr) -> pl.Expr:
    """A parent or guardian as "first surname": "Rosa Hernández Ruiz" and "ROSA HERNANDEZ" give "rosa hernandez"."""
    return folded.str.extract(r"^(\S+ \S+)", 1)


def _by_value(frame: pl.DataFrame, column: str, **derived: pl.Expr) -> pl.DataFrame:
    """``frame`` with columns derived from ``column``, each computed once per distinct value (names repeat:
    a million rows hold a few tens of thousands of surnames), the expressions reading ``pl.col("value")``."""
    values = frame.select(pl.col(column).unique().alias("value")).with_columns(**derived)
    return frame.join(values, left_on=column, right_on="value", how="left")


def prepare(frame: pl.DataFrame) -> pl.DataFrame:
    """The model's columns from a frame with ``unique_id, first_name, middle_name, surnames, sex, birth_date``
    (a Date), ``person_1, person_2`` (parents or guardians), ``born_country, born_state, district, region``."""
    value = _fold(pl.col("value"))
    whole = _nothing_as_null(value.str.replace_all(" ", ""))
    frame = _by_value(frame, "first_name", first=whole, first_c=pl.coalesce(
        # The name a nickname stands for, else the first word of a compound first name ("Juan Pablo" as "Juan").
        whole.replace_strict(NICKNAMES, default=None), _word(value, 0).replace(NICKNAMES)))
    frame = _by_value(frame, "middle_name", middle=whole)
    frame = _by_value(frame, "surnames", ln1=_word(value, 0), ln2=_word(value, 1))
    frame = _by_value(frame, "person_1", parent_1=_person_key(value))
    frame = _by_value(frame, "person_2", parent_2=_person_key(value))
    birth = pl.col("birth_date")
    return frame.select(
        "unique_id", "first", "first_c", "middle", "ln1", "ln2",
        birth.dt.to_string("%Y-%m-%d").alias("birth"),
        # The same date with day and month swapped (a clerk's 03/04 for 04/03), when that is a date.
        pl.when(birth.dt.day() <= 12).then(birth.dt.to_string("%Y-") + birth.dt.to_string("%d-%m")).alias("birth_dm"),
        birth.dt.year().cast(pl.String).alias("birth_year"),
        birth.dt.to_string("%m-%d").alias("birth_md"),
        _nothing_as_null(pl.col("sex")).alias("sex"),
        "parent_1", "parent_2",
        _nothing_as_null(pl.col("born_country").str.to_uppercase()).alias("born_country"),
        _nothing_as_null(pl.col("born_state").str.to_uppercase()).alias("born_state"),
        _nothing_as_null(pl.col("district")).alias("district"),
        _nothing_as_null(pl.col("region")).alias("region"),
    )
