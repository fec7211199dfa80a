"""Reference data that ships with MEPSIS and `mepsis init` loads: Ed-Fi descriptor values."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from mepsis.access import audit

from .models import Descriptor

EDFI_DESCRIPTORS = Path(__file__).with_name("edfi_descriptors.json")


def load_descriptors(*, actor: str) -> int:
    """Load the Ed-Fi Data Standard 5.2 descriptor values MEPSIS writes; returns how many were new or changed."""
    data = json.loads(EDFI_DESCRIPTORS.read_text())
    existing = {(d.descriptor, d.code_value): d for d in Descriptor.objects.all()}
    written = 0
    with transaction.atomic():
        for descriptor, entry in data["descriptors"].items():
            for value in entry["values"]:
                fields = {"namespace": value["namespace"], "short_description": value["shortDescription"],
                          "description": value.get("description") or ""}
                current = existing.get((descriptor, value["codeValue"]))
                if current and all(getattr(current, name) == wanted for name, wanted in fields.items()):
                    continue
                Descriptor.objects.update_or_create(descriptor=descriptor, code_value=value["codeValue"],
                                                    defaults=fields)
                written += 1
        if written:
            audit.record(actor, "reference.loaded", "descriptor", "edfi-5.2", after={"values": written})
    return written
