"""The same model on DuckDB and on Spark gives the same links (Spark on local[*]: slow, but it runs in CI)."""

import pytest

from mepsis import synth
from mepsis.enrollments.models import IngestRun
from mepsis.matching import probabilistic, splink_engine

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def small_state(mepsis, tmp_path, settings):
    """A generated state of a few hundred certified children and a 3,000-row feed linked by the exact pass."""
    orgs = synth.make_orgs(5, districts=8, regions=2)
    synth.write_orgs_csv(orgs, tmp_path / "orgs.csv")
    ids = [row["district_id"] for row in orgs if not row["school_id"]]
    coes = list(synth.make_coes(5, 250, district_ids=ids, year=2025, statuses={"approved": 9, "submitted": 1},
                                today="2026-03-01", cities=synth.district_cities(orgs)))
    synth.write_jsonl(coes, tmp_path / "coes.jsonl")
    feed = tmp_path / "feed.csv"
    with feed.open("w", newline="", encoding="utf-8") as handle:
        import csv

        writer = csv.DictWriter(handle, fieldnames=synth.FEED_COLUMNS)
        writer.writeheader()
        writer.writerows(row for row, _ in synth.make_feed(5, coes=coes, orgs=orgs, rows=3000))
    settings.MEPSIS_LINK_STAGES = ["mepsis.matching.exact.link_exact"]
    assert mepsis("orgs", "load", tmp_path / "orgs.csv").code == 0
    assert mepsis("coe", "import", tmp_path / "coes.jsonl").code in (0, 1)
    assert mepsis("enrollments", "ingest", feed).code == 0
    return IngestRun.objects.get()


@pytest.fixture
def spark():
    """Spark's JVM holds a gigabyte or two: stopped after the test, not at the end of the test run."""
    yield
    splink_engine.spark_session().stop()


def test_duckdb_and_spark_make_the_same_links_and_worklist(small_state, spark):
    model = splink_engine.current_model()

    on_duckdb = probabilistic.score_run(small_state, since=None, model=model, engine_name="duckdb")
    on_spark = probabilistic.score_run(small_state, since=None, model=model, engine_name="spark")

    def pairs(frame):
        return sorted((row["enrollment_id"], row["child_id"], round(row["match_weight"], 6))
                      for row in frame.iter_rows(named=True))

    assert on_duckdb.links.height >= 3, "the exact pass leaves work for the probabilistic one"
    assert pairs(on_spark.links) == pairs(on_duckdb.links)
    assert pairs(on_spark.review) == pairs(on_duckdb.review)
    assert sorted(on_spark.merges.select("child_id", "other_child_id").rows()) == sorted(
        on_duckdb.merges.select("child_id", "other_child_id").rows())
