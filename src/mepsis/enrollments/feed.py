"""Reading and checking a nightly enrollment feed (interfaces.md, "Enrollment feed"), column by column.

A feed is CSV (UTF-8, with or without BOM) or JSON lines with the same field names. Every row is checked
at once with polars; a row with any error is refused with its line number and the reasons, and the good
rows go on. A file that cannot be read at all raises ``FeedUnreadable``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl


from .models import DATA_FIELDS, KEY_FIELDS, Enrollment

COLUMNS = KEY_FIELDS + DATA_FIELDS
REQUIRED = ("district_id", "school_id", "school_year", "local_student_id", "first_name", "last_name", "sex",
            "birth_date", "grade", "entry_date")
DATE_COLUMNS = ("birth_date", "entry_date", "exit_date")
GRADES = ("PK", "KG", *(f"{grade:02d}" for grade in range(1, 13)), "UG")
EXIT_REASONS = ("MOVED_OUT_OF_STATE", "TRANSFER_IN_STATE", "GRADUATED", "DROPPED_OUT", "HSE", "OTHER")
CODES = {"sex": ("F", "M", "X"), "grade": GRADES, "exit_reason": EXIT_REASONS,
         "english_learner": ("Y", "N"), "iep": ("Y", "N"), "free_reduced_lunch": ("Y", "N")}


class FeedUnreadable(Exception):
    """Nothing can be read from the file: it is missing, not UTF-8, not CSV or JSON lines, or lacks columns."""


@dataclass
class CheckedFeed:
    rows: int
    good: pl.DataFrame       # one row per accepted enrollment, ready to store (see ``_ready``)
    refused: pl.DataFrame    # line, reasons (a list of "field: sentence"), and the row as it came


def read_feed(path: Path) -> pl.DataFrame:
    """Every row as text (null where empty), with the ``line`` of the file it came from and the
    ``problem`` that kept it from being read as a row (too many fields, not JSON), if any."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FeedUnreadable(f"{path}: cannot be read ({error.strerror}).") from error
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FeedUnreadable(f"{path}: line {line} is not UTF-8 text; save the feed as UTF-8 and send it again.") \
            from error
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise FeedUnreadable(f"{path}: the file is empty.")
    frame = _read_json_lines(data) if data.lstrip()[:1] == b"{" else _read_csv(path, data)
    missing = [column for column in REQUIRED if column not in frame.columns]
    if missing:
        raise FeedUnreadable(f"{path}: there is no column {', '.join(missing)}; a feed needs {', '.join(REQUIRED)} "
                             f"(see the enrollment feed format).")
    return frame.select([pl.col(column) if column in frame.columns else pl.lit(None, pl.String).alias(column)
                         for column in ("line", "problem", *COLUMNS)])


def _lines_match_rows(data: bytes, rows: int, header: int) -> bool:
    """Whether row i is on line i + header + 1: no blank line, no line break inside a value."""
    return data.count(b"\n") + (not data.endswith(b"\n")) == rows + header


def _read_csv(path: Path, data: bytes) -> pl.DataFrame:
    try:
        frame = pl.read_csv(io.BytesIO(data), infer_schema=False)
        if _lines_match_rows(data, frame.height, 1):
            return frame.with_columns(line=pl.int_range(2, frame.height + 2), problem=pl.lit(None, pl.String))
    except pl.exceptions.ComputeError:
        pass  # a row with more fields than the header: find which, below
    return _read_csv_row_by_row(path, data)


def _read_csv_row_by_row(path: Path, data: bytes) -> pl.DataFrame:
    """The slow, exact reading, for a file with ragged rows, blank lines or line breaks inside values."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    try:
        header = next(reader)
    except StopIteration as error:
        raise FeedUnreadable(f"{path}: the file has no header line.") from error
    rows, lines, problems, start = [], [], [], 2
    for row in reader:
        line, start = start, reader.line_num + 1
        if not any(field.strip() for field in row):
            continue
        problem = None
        if len(row) > len(header):
            problem = f"has {len(row)} fields where the header has {len(header)}."
            row = row[:len(header)]
        rows.append(row + [""] * (len(header) - len(row)))
        lines.append(line)
        problems.append(problem)
    frame = pl.DataFrame(rows, schema=header, orient="row") if rows else pl.DataFrame(schema=header)
    return frame.with_columns(pl.all().replace("", None), line=pl.Series(lines, dtype=pl.Int64),
                              problem=pl.Series(problems, dtype=pl.String))


def _read_json_lines(data: bytes) -> pl.DataFrame:
    try:
        frame = pl.read_ndjson(io.BytesIO(data), schema={column: pl.String for column in COLUMNS})
        if _lines_match_rows(data, frame.height, 0):
            return frame.with_columns(pl.col(COLUMNS).replace("", None), line=pl.int_range(1, frame.height + 1),
                                      problem=pl.lit(None, pl.String))
    except pl.exceptions.ComputeError:
        pass  # a line that is not JSON: find which, below
    values = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            values.append((number, json.loads(raw), None))
        except json.JSONDecodeError as error:
            values.append((number, {}, f"is not JSON ({error.msg})."))
    return frame_of_values(values)


def frame_of_values(values: list[tuple[int, object, str | None]]) -> pl.DataFrame:
    """Feed rows given as JSON values (a JSON-lines file's lines, the API's array): (line, value, problem)
    triples, each object's fields as text; a value that is not an object is a row with that problem."""
    rows, lines, problems = [], [], []
    for number, value, problem in values:
        if not isinstance(value, dict):
            value, problem = {}, problem or "is not a JSON object."
        rows.append({column: None if value.get(column) in (None, "") else str(value[column]) for column in COLUMNS})
        lines.append(number)
        problems.append(problem)
    return pl.DataFrame(rows, schema={column: pl.String for column in COLUMNS}).with_columns(
        line=pl.Series(lines, dtype=pl.Int64), problem=pl.Series(problems, dtype=pl.String)
    ).select("line", "problem", *COLUMNS)


def check_rows(frame: pl.DataFrame, *, districts: dict[str, int], schools: dict[tuple[str, str], int]) -> CheckedFeed:
    """Split the rows of a feed into the good ones and the refused ones, with every reason of each.

    ``districts`` maps the state's district ids to their database ids, ``schools`` (district id, school id)
    pairs to theirs.
    """
    organizations = pl.DataFrame(
        [(district, school, pk) for (district, school), pk in schools.items()],
        schema={"district_id": pl.String, "school_id": pl.String, "school_pk": pl.Int64}, orient="row")
    known = pl.DataFrame(list(districts.items()), schema={"district_id": pl.String, "district_pk": pl.Int64},
                         orient="row")
    parsed = (frame.lazy()
              .with_columns(pl.col(COLUMNS).str.strip_chars())
              .with_columns(pl.col(COLUMNS).replace("", None))
              .with_columns(**{f"{column}_parsed": _date(column) for column in DATE_COLUMNS})
              .join(known.lazy(), on="district_id", how="left")
              .join(organizations.lazy(), on=["district_id", "school_id"], how="left")
              .with_columns(first_line=pl.col("line").min().over(KEY_FIELDS))
              .with_columns(reasons=pl.concat_list(_reasons()).list.drop_nulls())
              .collect())
    good = parsed.filter(pl.col("reasons").list.len() == 0)
    refused = parsed.filter(pl.col("reasons").list.len() > 0).select("line", "reasons", *COLUMNS)
    return CheckedFeed(frame.height, _ready(good), refused)


def _date(column: str) -> pl.Expr:
    text = pl.col(column)
    return pl.when(text.str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(text.str.to_date("%Y-%m-%d", strict=False))


def _reasons() -> list[pl.Expr]:
    """One expression per check: the reason when a row fails it, else null."""
    def reason(condition: pl.Expr, field: str, sentence: str | pl.Expr) -> pl.Expr:
        """The reason "field: sentence" (no "; " inside: that joins the reasons of a row)."""
        message = pl.lit(f"{field}: ") + (sentence if isinstance(sentence, pl.Expr) else pl.lit(sentence))
        return pl.when(condition).then(message)

    def shown(column: str) -> pl.Expr:
        return pl.lit('"') + pl.col(column) + pl.lit('"')

    checks = [reason(pl.col("problem").is_not_null(), "row", pl.col("problem"))]
    checks += [reason(pl.col(column).is_null() & pl.col("problem").is_null(), column, "is required.")
               for column in REQUIRED]
    checks += [
        reason(pl.col(column).is_not_null() & pl.col(f"{column}_parsed").is_null(), column,
               pl.lit("must be a date written YYYY-MM-DD, not ") + shown(column) + pl.lit("."))
        for column in DATE_COLUMNS
    ]
    checks += [
        reason(pl.col(column).is_not_null() & ~pl.col(column).is_in(allowed), column,
               pl.lit(f"must be one of {', '.join(allowed)}, not ") + shown(column) + pl.lit("."))
        for column, allowed in CODES.items()
    ]
    # No database keeps a NUL character in text (PostgreSQL's COPY refuses the whole feed for one).
    checks += [reason(pl.col(column).str.contains("\x00", literal=True), column, "contains a NUL character.")
               for column in COLUMNS]
    # Free text must fit its column; dates, codes and the school year have stricter checks of their own.
    formatted = {*DATE_COLUMNS, *CODES, "school_year"}
    lengths = {field.name: field.max_length for field in Enrollment._meta.fields
               if field.name in COLUMNS and field.name not in formatted and getattr(field, "max_length", None)}
    checks += [
        reason(pl.col(column).str.len_chars() > limit, column, f"is longer than {limit} characters.")
        for column, limit in lengths.items()
    ]
    # Two consecutive years, "2025-26" (rules.periods.parse_year_name, column-wise).
    first_year = pl.col("school_year").str.slice(0, 4).cast(pl.Int32, strict=False)
    year_ok = (pl.col("school_year").str.contains(r"^\d{4}-\d{2}$")
               & ((first_year + 1) % 100 == pl.col("school_year").str.slice(5, 2).cast(pl.Int32, strict=False)))
    entry = pl.col("entry_date_parsed")
    checks += [
        reason(pl.col("school_year").is_not_null() & ~year_ok, "school_year",
               pl.lit("must be two consecutive years written like 2025-26, not ") + shown("school_year") + pl.lit(".")),
        reason(pl.col("district_id").is_not_null() & pl.col("district_pk").is_null(), "district_id",
               pl.lit("is not one of the state's districts: ") + shown("district_id") + pl.lit(".")),
        reason(pl.col("district_pk").is_not_null() & pl.col("school_id").is_not_null() & pl.col("school_pk").is_null(),
               "school_id", pl.lit("is not a school of district ") + pl.col("district_id") + pl.lit(": ")
               + shown("school_id") + pl.lit(".")),
        reason(year_ok & entry.is_not_null()
               & ((entry < pl.date(first_year, 7, 1)) | (entry > pl.date(first_year + 1, 6, 30))), "entry_date",
               pl.lit("is outside the school year ") + pl.col("school_year") + pl.lit(" (July 1 to June 30).")),
        reason(pl.col("exit_date_parsed") < entry, "exit_date", "is before the entry date."),
        reason(pl.col("birth_date_parsed") > entry, "birth_date", "is after the entry date."),
        reason(pl.col("exit_date").is_not_null() & pl.col("exit_reason").is_null(), "exit_reason",
               "is required when there is an exit date."),
        reason(pl.col("exit_reason").is_not_null() & pl.col("exit_date").is_null(), "exit_date",
               "is required when there is an exit reason."),
        reason(pl.col("first_line") < pl.col("line"), "row",
               pl.lit("is the same enrollment (district, local student id, school, school year, entry date) as line ")
               + pl.col("first_line").cast(pl.String) + pl.lit(".")),
    ]
    return checks


def _ready(good: pl.DataFrame) -> pl.DataFrame:
    """The columns to store: database ids for the district and school, dates as dates, text never null (the
    registry's blank text is ''), and a hash of the data that tells the next feed what changed."""
    text = [column for column in COLUMNS if column not in DATE_COLUMNS and column not in ("district_id", "school_id")]
    return good.select(
        "line",
        pl.col("district_pk").alias("district_id"),
        pl.col("school_pk").alias("school_id"),
        *(pl.col(column).fill_null("") for column in text),
        *(pl.col(f"{column}_parsed").alias(column) for column in DATE_COLUMNS),
    ).with_columns(row_hash=pl.struct(DATA_FIELDS).hash().reinterpret(signed=True))
