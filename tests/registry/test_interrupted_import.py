import json
import sqlite3
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.database, pytest.mark.slow]

COES = 20_000


def query(url: str, sql: str):
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return connection.execute(sql).fetchone()
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchone()


def count_coes(url: str) -> int:
    try:
        return query(url, "SELECT count(*) FROM registry_coe")[0]
    except Exception:  # the table may not be visible yet while the first batch commits
        return 0


def test_an_import_killed_half_way_leaves_whole_coes_and_running_it_again_finishes_it(
        mepsis_process, scratch_database, example_coe, tmp_path):
    assert mepsis_process("init").returncode == 0
    path = tmp_path / "coes.jsonl"
    with path.open("w") as handle:
        for number in range(COES):
            document = example_coe()
            document["coe_id"] = f"WI-2025-{number:06d}"
            first = dict(document["children"][0], state_student_id=None)
            document["children"] = [first, dict(first, first_name="Mateo", birth_date="2016-09-10")]
            handle.write(json.dumps(document) + "\n")

    process = subprocess.Popen([sys.executable, "-m", "mepsis", "coe", "import", str(path)],
                               env=mepsis_process.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while count_coes(scratch_database) < 2_000 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.kill()
    process.wait()

    saved = count_coes(scratch_database)
    assert 0 < saved < COES, "the import must be stopped half way for this test to mean anything"
    assert query(scratch_database, "SELECT count(*) FROM registry_coeversion")[0] == saved
    assert query(scratch_database, "SELECT count(*) FROM registry_coechild")[0] == 2 * saved
    assert query(scratch_database, "SELECT count(*) FROM registry_child")[0] == 2 * saved
    assert query(scratch_database, "SELECT count(*) FROM access_auditevent WHERE action = 'coe.created'")[0] == saved

    again = mepsis_process("coe", "import", path, "--format", "json")

    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["created"], summary["unchanged"], summary["refused"]) == (COES - saved, saved, 0)
    assert count_coes(scratch_database) == COES
    assert query(scratch_database, "SELECT count(*) FROM registry_child")[0] == 2 * COES
    assert query(scratch_database, "SELECT count(*) FROM access_auditevent WHERE action = 'coe.created'")[0] == COES


def test_export_loaded_into_a_fresh_database_gives_back_the_same_documents(mepsis_process, example_coe, tmp_path,
                                                                           scratch_database):
    """On the PostgreSQL pass this loads PostgreSQL's export into SQLite: the documents must not change."""
    document = example_coe()
    draft = example_coe()
    draft.update(coe_id="WI-2025-000200", status="returned", return_reasons=["Add the employer's statement."])
    draft["children"][0]["state_student_id"] = None
    source = tmp_path / "source.jsonl"
    source.write_text(json.dumps(document) + "\n" + json.dumps(draft) + "\n")
    assert mepsis_process("init").returncode == 0
    assert mepsis_process("coe", "import", source).returncode == 0
    exported = mepsis_process("coe", "export").stdout
    first = tmp_path / "first.jsonl"
    first.write_text(exported)

    elsewhere = {**mepsis_process.env, "MEPSIS_DATABASE_URL": f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"}
    run = lambda *argv: subprocess.run([sys.executable, "-m", "mepsis", *map(str, argv)], env=elsewhere,  # noqa: E731
                                       capture_output=True, text=True)
    assert run("init").returncode == 0
    assert run("coe", "import", first).returncode == 0

    assert run("coe", "export").stdout == exported
    assert [json.loads(line)["status"] for line in exported.splitlines()] == ["approved", "returned"]
