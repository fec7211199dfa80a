"""``/api/docs/``: the API's documentation as a plain page, rendered on the server from its OpenAPI schema (no
script from a CDN: the state's network may not reach one, and a page of records must not load other sites'
code). The schema itself is at ``/api/schema/``."""

from __future__ import annotations

import functools

from django.shortcuts import render
from django.utils.translation import get_language
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


def api_docs(request):
    schema = _schema(get_language())
    operations = [
        {"method": method.upper(), "path": path, **operation,
         "request": _ref_name(operation.get("requestBody", {}).get("content", {}).get("application/json", {})),
         "responses": [{"code": code, "description": response.get("description", ""),
                        "schema": _ref_name(response.get("content", {}).get("application/json", {}))}
                       for code, response in operation.get("responses", {}).items()]}
        for path, item in schema["paths"].items() for method in METHODS if (operation := item.get(method))
    ]
    components = {name: {"description": component.get("description", ""), "required": component.get("required", []),
                         "properties": {field: _type(spec) for field, spec in component.get("properties", {}).items()}}
                  for name, component in sorted(schema.get("components", {}).get("schemas", {}).items())}
    return render(request, "api/docs.html", {"info": schema["info"], "operations": operations,
                                             "components": components})


@functools.cache
def _schema(language: str) -> dict:
    """The schema does not change while the server runs (its descriptions are in the page's language)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _ref_name(media: dict) -> str:
    spec = media.get("schema", {})
    if "items" in spec:
        return f"[{_ref_name({'schema': spec['items']})}]"
    return spec.get("$ref", "").rsplit("/", 1)[-1] or spec.get("type", "")


def _type(spec: dict) -> str:
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "allOf" in spec:
        return " ".join(_type(part) for part in spec["allOf"])
    if spec.get("type") == "array":
        return f"[{_type(spec.get('items', {}))}]"
    kind = spec.get("format") or spec.get("type") or "any"
    if "enum" in spec:
        kind += " (" + " | ".join(str(value) for value in spec["enum"] if value is not None) + ")"
    return kind + (", or null" if spec.get("nullable") else "")
