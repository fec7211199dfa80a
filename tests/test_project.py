import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_migrations_describe_the_models_exactly():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_the_rules_engine_imports_nothing_from_the_rest_of_mepsis():
    import ast
    from pathlib import Path

    import mepsis.rules

    for path in Path(mepsis.rules.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert not (node.module or "").startswith(("mepsis", "django")), f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                assert not any(alias.name.startswith(("mepsis", "django")) for alias in node.names), path.name
