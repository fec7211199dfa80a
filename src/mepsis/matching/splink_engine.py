"""The probabilistic model (Splink 5) and the engines that run it: DuckDB in this process, or Spark.

The model is a Splink settings file with fixed m and u probabilities and blocking rules: the repository's
``linkage_model_v1.json``, or a newer version a state trained on its own data (``mepsis matching train``
writes ``MEPSIS_DATA_DIR/linkage-models/linkage_model_vN.json``); the newest version is used. Its SQL is
plain equality and ``levenshtein`` over the columns ``features.prepare`` makes, which both engines read
alike, so the same model gives the same scores on either.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.conf import settings

SHIPPED_MODEL = Path(__file__).with_name("linkage_model_v1.json")
_VERSION = re.compile(r"linkage_model_v(\d+)\.json$")


@dataclass(frozen=True)
class Model:
    version: int
    path: Path

    def settings(self, **overrides) -> dict:
        return {**json.loads(self.path.read_text()), **overrides}

    def comparisons(self) -> list[str]:
        return [comparison["output_column_name"] for comparison in self.settings()["comparisons"]]


def trained_models_dir() -> Path:
    return settings.DATA_DIR / "linkage-models"


def current_model() -> Model:
    """The newest version: a state's own trained model, else the one shipped with MEPSIS."""
    found = [Model(1, SHIPPED_MODEL)]
    if trained_models_dir().is_dir():
        found += [Model(int(match.group(1)), path) for path in trained_models_dir().iterdir()
                  if (match := _VERSION.search(path.name))]
    return max(found, key=lambda model: model.version)


@contextmanager
def engine(name: str | None = None):
    """A Splink database API for ``name`` (default the ``MEPSIS_LINK_ENGINE`` setting): ``duckdb`` or ``spark``
    (on ``MEPSIS_SPARK_MASTER``), with the function that loads a polars frame into it."""
    name = name or settings.MEPSIS_LINK_ENGINE
    if name == "duckdb":
        from splink import DuckDBAPI

        api = DuckDBAPI()
        yield api, lambda frame, label: api.register(frame.to_arrow(), dataset_display_name=label)
        return
    if name != "spark":
        raise ValueError(f"unknown linkage engine {name!r}: duckdb or spark")
    from splink import SparkAPI

    session = spark_session()
    with tempfile.TemporaryDirectory(prefix="mepsis-link-") as folder:
        def load(frame: pl.DataFrame, label: str):
            # Parquet keeps the column types and lets a cluster read the rows without the driver holding them.
            path = Path(folder) / f"{label}.parquet"
            frame.write_parquet(path)
            # A view of its own: the session (and its views) outlives this call.
            return api.register(session.read.parquet(str(path)), dataset_display_name=label,
                                table_name=f"{label}_{uuid.uuid4().hex}")

        # Splink breaks Spark's long query plans with checkpoints, which need a folder.
        session.sparkContext.setCheckpointDir(f"{folder}/checkpoints")
        api = SparkAPI(spark_session=session, break_lineage_method="persist", register_udfs_automatically=False)
        yield api, load


def spark_session():
    from pyspark.sql import SparkSession

    # On one machine a shuffle into few partitions is fastest; a cluster's own defaults are kept.
    local = settings.MEPSIS_SPARK_MASTER.startswith("local")
    builder = SparkSession.builder.master(settings.MEPSIS_SPARK_MASTER).appName("mepsis-linkage") \
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
    if local:
        builder = builder.config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", "2g")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def predict(left: pl.DataFrame, right: pl.DataFrame, *, model: Model, threshold: float,
            link_type: str = "link_only", engine_name: str | None = None) -> pl.DataFrame:
    """Score the pairs the model's blocking rules make between ``left`` and ``right`` (``features.prepare``d;
    ``link_type="dedupe_only"`` scores ``left`` against itself and ignores ``right``). Gives the pairs at or
    above the match weight ``threshold``: ``id_l, id_r, match_weight, match_key`` (the blocking rule that
    made the pair), and the match weight of each comparison (``mw_NAME``, 0 when a value is missing)."""
    from splink import Linker

    comparisons = model.comparisons()
    empty = pl.DataFrame(schema={"id_l": pl.Int64, "id_r": pl.Int64, "match_weight": pl.Float64,
                                 "match_key": pl.String, **{f"mw_{name}": pl.Float64 for name in comparisons}})
    if left.is_empty() or (link_type == "link_only" and right.is_empty()):
        return empty
    with engine(engine_name) as (api, load):
        tables = [load(left, "children")] if link_type == "dedupe_only" else [load(left, "children"),
                                                                                 load(right, "enrollments")]
        linker = Linker(tables, model.settings(link_type=link_type, retain_intermediate_calculation_columns=True),
                        log_level=None)
        scored = linker.inference.predict(threshold_match_weight=threshold, warning_mode="never")
        columns = ["unique_id_l", "unique_id_r", "match_weight", "match_key", *(f"mw_{name}" for name in comparisons)]
        with tempfile.TemporaryDirectory(prefix="mepsis-scores-") as folder:
            if api.sql_dialect.sql_dialect_str == "duckdb":
                table = api._execute_sql_against_backend(
                    f"SELECT {', '.join(columns)} FROM {scored.physical_name}").pl()
            else:
                scored.as_spark_dataframe().select(*columns).write.parquet(f"{folder}/scores")
                table = pl.read_parquet(f"{folder}/scores/*.parquet") if any(Path(f"{folder}/scores").glob(
                    "*.parquet")) else None
        if table is None or table.is_empty():
            return empty
    return table.select(
        pl.col("unique_id_l").cast(pl.Int64).alias("id_l"), pl.col("unique_id_r").cast(pl.Int64).alias("id_r"),
        pl.col("match_weight").cast(pl.Float64), pl.col("match_key").cast(pl.String),
        *(pl.col(f"mw_{name}").cast(pl.Float64) for name in comparisons),
    )


def blocked_pairs(left: pl.DataFrame, right: pl.DataFrame, *, model: Model) -> list[dict]:
    """How many candidate pairs each blocking rule of the model makes between ``left`` (children) and
    ``right`` (enrollments), both ``features.prepare``d: the rule, the pairs it adds to the rules before it,
    and the running total (exact counts, on DuckDB). Blocking is what keeps a link fast and small."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    with engine("duckdb") as (_, load):
        counts = count_comparisons_from_blocking_rules(
            [load(left, "children"), load(right, "enrollments")], link_type="link_only", record_sample_proportion=1.0,
            blocking_rules=model.settings()["blocking_rules_to_generate_predictions"])
    return [{"rule": count["blocking_rule"], "pairs": count["marginal_comparison_count"],
             "cumulative": count["cumulative_comparison_count"]} for count in counts]


def level_weight(model: Model, comparison: str, label: str) -> float:
    """The match weight of one level of a comparison, found by its label."""
    for item in model.settings()["comparisons"]:
        if item["output_column_name"] == comparison:
            for level in item["comparison_levels"]:
                if level["label_for_charts"] == label:
                    return math.log2(level["m_probability"] / level["u_probability"])
    raise KeyError(f"{comparison}: {label}")


def prior_weight(model: Model) -> float:
    """The match weight every pair starts from (the prior), so that a pair's weights add up to its score."""
    prior = model.settings()["probability_two_random_records_match"]
    return math.log2(prior / (1 - prior))
