"""Scope is decided in one place (roles.md): no page, API view or command picks the records it shows by
district or region on its own; it starts from ``mepsis.access.scope`` (``scope.children()``, ...).

Narrowing a queryset the scope gave (the district a user chose in a filter) is fine, and so is looking up a
district, region or school by its id. What is caught: a query that starts from a record model's manager
(``Child.objects``, ``get_object_or_404(Alert, ...)``) and filters it by a district or region.
"""

import ast
import re
from pathlib import Path

import mepsis

PACKAGE = Path(mepsis.__file__).parent
# A keyword naming a district or region at any depth of a lookup: district=, district_id=, child__district=,
# enrollments__district__region=, to_district_id__in=, region_id=, ...
ORG_LOOKUP = re.compile(r"(^|__|_)(district|region)(_id)?(__|$)")
QUERY_METHODS = {"filter", "exclude", "get", "get_or_create", "update_or_create"}
QUERY_FUNCTIONS = {"get_object_or_404", "get_list_or_404"}
ORG_MODELS = {"District", "Region", "School"}


def view_layer_files():
    for folder in ("api", "web"):
        yield from sorted((PACKAGE / folder).rglob("*.py"))
    yield from sorted(path for path in PACKAGE.glob("*/management/commands/*.py")
                      if path.parts[-4] != "access")  # managing grants is the access app's own business


def own_scoping(path: Path, shown_as: str) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            child.parent = parent
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_query(node) or _is_q(node):
            for keyword in node.keywords:
                if keyword.arg and ORG_LOOKUP.search(keyword.arg) and _starts_from_a_record_model(node):
                    found.append(f"{shown_as}:{node.lineno} {_name(node)}({keyword.arg}=...)")
    return found


def _name(call):
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def _is_query(node):
    return (isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_METHODS
            or isinstance(node.func, ast.Name) and node.func.id in QUERY_FUNCTIONS)


def _is_q(node):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Q"


def _model_at_root(call):
    """The model whose manager a query chain starts from (``Child`` in ``Child.objects.filter(...)...``)."""
    if isinstance(call.func, ast.Name):  # get_object_or_404(Model, ...)
        first = call.args[0] if call.args else None
        return first.id if isinstance(first, ast.Name) else None
    node = call.func
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr == "objects" and isinstance(node.value, ast.Name):
                return node.value.id
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return None


def _starts_from_a_record_model(call):
    """Whether the query this call belongs to starts from a record model's manager. A subquery inside the
    arguments of a query on a scoped queryset only narrows it: the outermost enclosing query decides."""
    outermost = call if _is_query(call) else None
    node = call
    while hasattr(node, "parent"):
        node, below = node.parent, node
        if isinstance(node, ast.Call) and _is_query(node) and below is not node.func:
            outermost = node
    if outermost is None:
        return True  # a bare Q(district=...) kept for later: where it goes cannot be seen
    model = _model_at_root(outermost)
    return model is not None and model not in ORG_MODELS


def test_no_view_or_command_filters_records_by_district_or_region_itself():
    found = [finding for path in view_layer_files()
             for finding in own_scoping(path, str(path.relative_to(PACKAGE.parent)))]
    assert found == [], "start from mepsis.access.scope instead:\n" + "\n".join(found)


def test_the_check_tells_scoping_apart_from_narrowing(tmp_path):
    view = tmp_path / "view.py"
    view.write_text(
        "def view(request, code):\n"
        "    a = Child.objects.filter(enrollments__district__district_id=code)\n"
        "    b = get_object_or_404(Alert, district_id=3)\n"
        "    c = Coe.objects.exclude(Q(to_district_id__in=codes))\n"
        "    d = scope.children().filter(enrollments__district=d)\n"
        "    e = District.objects.filter(region__name='North')\n"
        "    f = scope.children().filter(pk__in=Enrollment.objects.filter(district=d).values('child_id'))\n"
        "    g = Child.objects.filter(pk__in=Enrollment.objects.filter(district=d).values('child_id'))\n"
        "    h = get_object_or_404(scope.alerts(), district_id=3)\n")
    assert [finding.split(" ", 1)[1] for finding in own_scoping(view, "view.py")] == [
        "filter(enrollments__district__district_id=...)", "get_object_or_404(district_id=...)",
        "Q(to_district_id__in=...)", "filter(district=...)"]
