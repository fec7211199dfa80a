"""The exact identity of a person, as exact matching compares it: first name, all last names together,
birth date and sex, each name folded for case, accents, spaces, hyphens and apostrophes.

"María José García-Hernández" and "MARIA JOSE GARCIA HERNANDEZ" are the same person to it, and a compound
surname split across last_name and last_name_2 equals the same surname written in one field. One polars
expression serves the enrollments of a feed and the children of the registry alike.
"""

from __future__ import annotations

import polars as pl

_FOLDED_AWAY = r"[\s\-'’.]"


def folded(name: pl.Expr) -> pl.Expr:
    return (name.fill_null("").str.normalize("NFKD").str.replace_all(r"\p{M}", "").str.to_lowercase()
            .str.replace_all(_FOLDED_AWAY, ""))


def identity_key(first_name: pl.Expr, last_name: pl.Expr, last_name_2: pl.Expr, birth_date: pl.Expr,
                 sex: pl.Expr) -> pl.Expr:
    """``first|lastnames|YYYY-MM-DD|sex``; birth_date is an ISO date string or a polars Date."""
    return pl.concat_str([
        folded(first_name),
        folded(pl.concat_str([last_name.fill_null(""), last_name_2.fill_null("")])),
        birth_date.cast(pl.String),
        sex.fill_null(""),
    ], separator="|")
