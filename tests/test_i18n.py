"""English and Spanish ship: every string marked for translation has its Spanish, compiled."""

import gettext as gnu_gettext
import json
import subprocess
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation.template import templatize

import mepsis
from mepsis.rules import check_coe

PACKAGE = Path(mepsis.__file__).parent
CATALOG = PACKAGE / "locale" / "es" / "LC_MESSAGES"
# The keywords Django's makemessages gives xgettext, and N_ (mepsis.rules's marker).
KEYWORDS = ["gettext", "gettext_noop", "gettext_lazy", "ngettext_lazy:1,2", "pgettext:1c,2", "npgettext:1c,2,3",
            "pgettext_lazy:1c,2", "npgettext_lazy:1c,2,3", "_", "N_"]


def templates_as_python(folder: Path) -> list[str]:
    """The pages' templates as Django's makemessages gives them to xgettext: their strings as gettext calls."""
    written = []
    for number, template in enumerate(sorted(PACKAGE.rglob("templates/**/*.html"))):
        path = folder / f"template_{number}.py"
        path.write_text(templatize(template.read_text(), origin=str(template)))
        written.append(str(path))
    return written


def test_every_string_marked_for_translation_has_its_spanish(tmp_path):
    sources = sorted(str(path) for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts)
    sources += templates_as_python(tmp_path)
    template = tmp_path / "mepsis.pot"
    subprocess.run(["xgettext", "--language=Python", "--from-code=UTF-8", "--output", template,
                    *(f"--keyword={keyword}" for keyword in KEYWORDS), *sources], check=True)

    compared = subprocess.run(["msgcmp", CATALOG / "django.po", template], capture_output=True, text=True)

    assert compared.returncode == 0, compared.stderr


def test_the_spanish_catalog_has_no_fuzzy_entry_and_its_placeholders_agree():
    checked = subprocess.run(["msgfmt", "--check", "--output-file=/dev/null", CATALOG / "django.po"],
                             capture_output=True, text=True)

    assert checked.returncode == 0, checked.stderr
    assert "#, fuzzy" not in (CATALOG / "django.po").read_text()


def test_the_compiled_catalog_is_the_catalog(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--output-file", compiled, CATALOG / "django.po"], check=True)

    with compiled.open("rb") as fresh, (CATALOG / "django.mo").open("rb") as shipped:
        assert gnu_gettext.GNUTranslations(shipped)._catalog == gnu_gettext.GNUTranslations(fresh)._catalog


@pytest.fixture
def defective_coe(example_coe):
    document = example_coe()
    document["qualifying_move"]["economic_necessity"] = False
    del document["interview_date"]
    return document


def test_the_rules_speak_spanish_when_spanish_is_active(defective_coe):
    english = check_coe(defective_coe).as_dict(gettext)
    with translation.override("es"):
        spanish = check_coe(defective_coe).as_dict(gettext)

    assert [e["code"] for e in spanish["errors"]] == [e["code"] for e in english["errors"]]
    for mine, theirs in zip(spanish["errors"], english["errors"], strict=True):
        assert mine["message"] != theirs["message"]
    assert "entrevista" in spanish["errors"][0]["message"].lower()


@pytest.mark.django_db
def test_the_command_line_speaks_the_language_it_is_asked_for(mepsis, defective_coe, tmp_path, monkeypatch):
    path = tmp_path / "coe.json"
    path.write_text(json.dumps(defective_coe))
    monkeypatch.setenv("MEPSIS_LANGUAGE", "es")
    try:
        ran = mepsis("coe", "check", path, "--format", "json")
    finally:
        translation.activate("en")

    assert "entrevista" in ran.json()[0]["errors"][0]["message"].lower()
