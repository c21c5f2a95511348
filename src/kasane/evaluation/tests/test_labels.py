"""Every key of every computation's breakdown and figures reads as words on the dashboard and
in the workbook — no code like ``on_time`` or ``settled_of_started`` left for the reader —
and a key that means something else in one computation gets that computation's word."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone, translation

from kasane.core.dates import fiscal_year
from kasane.demo.activity import build_demo_activity
from kasane.demo.city import build_demo_city
from kasane.evaluation.computations import REGISTRY, Scope
from kasane.evaluation.labels import key_labels, label

pytestmark = pytest.mark.django_db


def test_every_key_of_the_demo_year_has_words(db: Any) -> None:
    build_demo_city(households=40)
    today = timezone.localdate()
    build_demo_activity(seed=1, today=today)
    year = fiscal_year(today)
    with translation.override("ja"):
        labels = key_labels()
        unlabelled: dict[str, set[str]] = {}
        for code, entry in REGISTRY.items():
            for scope in (Scope(year), Scope(year - 1)):
                result = entry.function(scope)
                for key in [*result.breakdown, *result.figures]:
                    word = label(labels, code, key)
                    # A name (an agency, a school district, the need "8050") is its own label.
                    if word == key and key.isascii() and not key.isdigit():
                        unlabelled.setdefault(code, set()).add(key)
                    elif word.isascii() and not word.isdigit():
                        unlabelled.setdefault(code, set()).add(f"{key} → {word}")
        assert unlabelled == {}
        assert label(labels, "concern_reports", "volunteer") == "民生委員・児童委員"
        assert label(labels, "places_by_kind", "volunteer") == labels["volunteer"]
