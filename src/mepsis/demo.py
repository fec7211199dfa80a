"""The demo: a small sample state that ships with MEPSIS, in its own SQLite file, and the admin to look at it."""

from __future__ import annotations

import os
from pathlib import Path

SAMPLE_DIR = Path(__file__).with_name("sample")
DEMO_ADMIN = ("demo-admin", "demo-admin-password")


def demo_database_url() -> str:
    data_dir = Path(os.environ.get("MEPSIS_DATA_DIR") or "var").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'demo.sqlite3'}"


def load_sample_state(*, actor: str) -> dict:
    """Districts, schools and COEs of the sample state; safe to run again (it changes nothing the second time)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from mepsis.orgs.actions import load_orgs
    from mepsis.reference.actions import load_descriptors
    from mepsis.registry.actions import save_coes
    from mepsis.registry.reading import read_documents

    call_command("migrate", interactive=False, verbosity=0)
    load_descriptors(actor=actor)
    orgs = load_orgs(SAMPLE_DIR / "orgs.csv", actor=actor)
    coes = save_coes(read_documents(str(SAMPLE_DIR / "coes.jsonl")), actor=actor, why="demo sample state")
    username, password = DEMO_ADMIN
    users = get_user_model().objects
    if not users.filter(username=username).exists():
        users.create_superuser(username, password=password)
    return {"orgs": orgs.as_dict(), "coes": coes.as_dict()}
