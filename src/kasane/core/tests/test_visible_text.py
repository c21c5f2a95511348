"""Names hold visible characters only; a NUL is named as a NUL (issue 14, Why 8).

U+202E in a name made it display reversed; a NUL got Django's Japanese "何か文字を入力して
ください。" (its catalogue's translation of "Null characters are not allowed.").
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kasane.api.tests.conftest import ApiClient
from kasane.core.text import validate_visible_text
from kasane.registry.forms import HouseholdCreateForm
from kasane.registry.models import Person

BIDI = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
]
OTHER_INVISIBLE = ["\u200b", "\u200d", "\ufeff", "\u2060", "\u00ad", "\t", "\n", "\u2028"]


@pytest.mark.parametrize("char", BIDI + OTHER_INVISIBLE)
def test_invisible_characters_are_refused_and_named(char: str) -> None:
    with pytest.raises(ValidationError) as refused, translation.override("ja"):
        validate_visible_text(f"山田\u3000{char}花子")
    assert refused.value.code == "invisible_character"
    message = refused.value.messages[0]
    assert f"U+{ord(char):04X}" in message
    assert "見えない" in message


@pytest.mark.parametrize(
    "name", ["山田 花子", "髙橋 﨑子", "葛\U000e0100城 太郎", "O'Brien-Smith", "ヤマダ ハナコ"]
)
def test_names_people_write_are_accepted(name: str) -> None:
    validate_visible_text(name)  # 異体字 (an ideographic variation selector) included


def test_a_nul_is_named_as_such() -> None:
    with pytest.raises(ValidationError) as refused, translation.override("ja"):
        validate_visible_text("山田\x00花子")
    assert refused.value.code == "nul_character"
    assert "NUL" in refused.value.messages[0]
    assert "何か文字を入力" not in refused.value.messages[0]


def _household_form(name: str) -> HouseholdCreateForm:
    return HouseholdCreateForm(
        data={"name": name, "kana": "ヤマダ ハナコ", "sex": "unknown", "started_on": ""}
    )


@pytest.mark.django_db
def test_the_registration_form_refuses_a_reversed_name_and_names_a_nul() -> None:
    with translation.override("ja"):
        reversed_name = _household_form("\u202e子花 田山")
        assert not reversed_name.is_valid()
        assert "U+202E" in reversed_name.errors["name"][0]
        nul = _household_form("山田\x00花子")
        assert not nul.is_valid()
        assert nul.errors["name"] == [nul.errors["name"][0]]  # one message, not two
        assert "NUL" in nul.errors["name"][0]
        assert "何か文字を入力" not in str(nul.errors)
        # Any other text field: Django's NUL message, translated by Kasane's catalogue.
        note = HouseholdCreateForm(
            data={"name": "山田 花子", "kana": "ヤマダ ハナコ", "sex": "unknown", "note": "a\x00"}
        )
        assert not note.is_valid()
        assert "何か文字を入力" not in str(note.errors["note"])
        assert "NUL" in str(note.errors["note"])


@pytest.mark.django_db
def test_the_api_refuses_a_reversed_name_and_names_a_nul(caseworker: Any) -> None:
    from kasane.api.services import api_token_create

    client = ApiClient(api_token_create(staff=caseworker, name="t")[1])
    head = {"name": "\u202e子花 田山", "kana": "ヤマダ ハナコ"}
    response = client.post("/households", {"head": head})
    assert response.status_code == 422, response.content
    errors = response.json()["fields"]["head.name"]
    assert errors[0]["code"] == "invisible_character"
    assert "U+202E" in errors[0]["message"] and "見えない" in errors[0]["message"]

    response = client.post("/households", {"head": {**head, "name": "山田\x00花子"}})
    assert response.status_code == 422, response.content
    message = response.json()["fields"]["head.name"][0]["message"]
    assert "NUL" in message
    assert not Person.objects.exists()
