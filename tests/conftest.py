import copy
import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from mepsis.cli import main
from mepsis.enrollments.feed import COLUMNS

FIXTURES = Path(__file__).with_name("fixtures")


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def mepsis(capsys):
    """Run the `mepsis` command line in this process, as a shell would, and give back what it did."""

    def run(*argv: str) -> Ran:
        capsys.readouterr()
        code = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


@pytest.fixture
def example_coe():
    """A fresh copy of the COE document of interfaces.md (approved, one eligible child)."""
    example = json.loads((FIXTURES / "coe_example.json").read_text())
    return lambda: copy.deepcopy(example)


@pytest.fixture
def scratch_database(tmp_path):
    """The URL of a new, empty database of the kind this test run uses, for tests that run `mepsis` in
    another process (a SQLite file, or a PostgreSQL database made for the test and dropped after it)."""
    import os
    import uuid

    import dj_database_url

    url = os.environ.get("MEPSIS_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    import psycopg

    config = dj_database_url.parse(url)
    name = f"mepsis_scratch_{uuid.uuid4().hex[:12]}"
    admin = dict(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"], dbname="postgres",
                 autocommit=True)
    with psycopg.connect(**admin) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def mepsis_process(scratch_database, tmp_path):
    """Run `python -m mepsis` in its own process against the scratch database."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "MEPSIS_DATABASE_URL": scratch_database, "MEPSIS_DATA_DIR": str(tmp_path)}

    def run(*argv: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "mepsis", *map(str, argv)], env=env, capture_output=True,
                              text=True, **kwargs)

    run.env = env
    return run


@pytest.fixture
def mepsis_server(mepsis_process, tmp_path):
    """`mepsis serve` (gunicorn) in its own process on a free port, against the scratch database made ready
    by `mepsis init`; gives the address it answers at. Its log is in ``tmp_path / "server.log"``."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    ready = mepsis_process("init")
    assert ready.returncode == 0, ready.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "mepsis", "serve", "--port", str(port), "--workers", "2"],
                              env=mepsis_process.env, stdout=log, stderr=subprocess.STDOUT)
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a busy machine boots gunicorn's workers slowly
    while server.poll() is None and time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{address}/login/", timeout=10)
            break
        except OSError:  # not listening yet, or no worker answering yet
            time.sleep(0.2)
    else:
        server.terminate()
    assert server.poll() is None, (tmp_path / "server.log").read_text()
    yield address
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.fixture
def feed(tmp_path):
    """Writes enrollment feed rows (dicts of the feed's columns) as a CSV file and gives its path."""
    def write(*rows, name="feed.csv"):
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        return path
    return write
