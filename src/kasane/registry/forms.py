"""Registry forms. They parse and validate input; the services decide and save."""

import dataclasses
import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kasane.core import kana
from kasane.core.forms import DATE_INPUT_FORMATS, DateInput, NameField, OneTimeTokenMixin
from kasane.registry.error_codes import ErrorCode
from kasane.registry.models import Area, AreaKind, Person, RelationKind, Relationship, Sex
from kasane.registry.services import PersonInput
from kasane.registry.validators import (
    normalize_phone,
    validate_birth_date,
    validate_kana_name,
    validate_not_future,
    validate_phone,
)


def town_blocks() -> Any:
    """The town blocks (丁目) to choose an address area from, by code."""
    return Area.objects.filter(kind=AreaKind.BLOCK).select_related("parent").order_by("code")


class AreaChoiceField(forms.ModelChoiceField[Area]):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.parent.name} {obj.name}" if obj.parent else obj.name


def _phone(value: str) -> str:
    return normalize_phone(value)


class PersonFieldsMixin(forms.Form):
    name = NameField(label=_("name"), max_length=100)
    kana = NameField(
        label=_("name in kana"),
        max_length=100,
        validators=[validate_kana_name],
        help_text=_("Katakana or hiragana; half-width is fine."),
    )
    birth_date = forms.DateField(
        label=_("date of birth"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        validators=[validate_birth_date],
        widget=DateInput(),
    )
    sex = forms.ChoiceField(label=_("sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    person_area = AreaChoiceField(
        label=_("area (town block)"), queryset=Area.objects.none(), required=False
    )
    person_phone = forms.CharField(
        label=_("phone"), max_length=20, required=False, validators=[validate_phone]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person_area"].queryset = town_blocks()  # type: ignore[attr-defined]

    def clean_person_phone(self) -> str:
        return _phone(self.cleaned_data.get("person_phone", ""))

    def person_input(self) -> PersonInput:
        data = self.cleaned_data
        return PersonInput(
            name=data["name"],
            kana=data["kana"],
            birth_date=data.get("birth_date"),
            sex=data["sex"],
            area=data.get("person_area"),
            phone=data.get("person_phone", ""),
        )


class DuplicateConfirmMixin(forms.Form):
    confirm_not_duplicate = forms.BooleanField(
        label=_("I have checked: this is not one of the persons listed above."), required=False
    )


class HouseholdFieldsMixin(forms.Form):
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    area = AreaChoiceField(
        label=_("area (town block)"), queryset=Area.objects.none(), required=False
    )
    phone = forms.CharField(
        label=_("phone"), max_length=20, required=False, validators=[validate_phone]
    )
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = town_blocks()  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data.get("phone", ""))


class HouseholdCreateForm(
    OneTimeTokenMixin, HouseholdFieldsMixin, PersonFieldsMixin, DuplicateConfirmMixin
):
    """A new household and its head (世帯主), as on the 相談受付票."""

    started_on = forms.DateField(
        label=_("living here since"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        validators=[validate_not_future],
        widget=DateInput(),
    )

    field_order = [
        "name",
        "kana",
        "birth_date",
        "sex",
        "person_phone",
        "address",
        "area",
        "phone",
        "started_on",
        "note",
    ]


class HouseholdEditForm(HouseholdFieldsMixin):
    pass


class MemberAddForm(OneTimeTokenMixin, PersonFieldsMixin, DuplicateConfirmMixin):
    relationship = forms.ChoiceField(
        label=_("relationship to the head"),
        choices=[c for c in Relationship.choices if c[0] != Relationship.HEAD],
    )
    started_on = forms.DateField(
        label=_("member since"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        validators=[validate_not_future],
        widget=DateInput(),
    )
    field_order = ["name", "kana", "birth_date", "sex", "relationship", "started_on"]


class PersonEditForm(PersonFieldsMixin):
    died_on = forms.DateField(
        label=_("date of death"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        validators=[validate_not_future],
        widget=DateInput(),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born, died = data.get("birth_date"), data.get("died_on")
        if born and died and died < born:
            self.add_error(
                "died_on",
                forms.ValidationError(
                    _("The date of death is before the date of birth."), code=ErrorCode.BEFORE_BIRTH
                ),
            )
        return data

    def person_input(self) -> PersonInput:
        return dataclasses.replace(super().person_input(), died_on=self.cleaned_data.get("died_on"))


class MembershipEndForm(forms.Form):
    ended_on = forms.DateField(
        label=_("left the household on"),
        input_formats=DATE_INPUT_FORMATS,
        validators=[validate_not_future],
        widget=DateInput(),
    )


class RelationForm(forms.Form):
    from_person = forms.ChoiceField(label=_("person"))
    kind = forms.ChoiceField(label=_("relation"), choices=RelationKind.choices)
    to_person = forms.ChoiceField(label=_("related person"))

    def __init__(self, *args: Any, members: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(p.public_id), p.name) for p in members]
        self.fields["from_person"].choices = choices  # type: ignore[attr-defined]
        self.fields["to_person"].choices = choices  # type: ignore[attr-defined]
        self._members = {str(p.public_id): p for p in members}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from_person") and data.get("from_person") == data.get("to_person"):
            raise forms.ValidationError(
                _("Choose two different persons."), code=ErrorCode.SAME_PERSON
            )
        return data

    def persons(self) -> tuple[Person, Person]:
        return (
            self._members[self.cleaned_data["from_person"]],
            self._members[self.cleaned_data["to_person"]],
        )


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("name or kana"),
        max_length=settings.KASANE_SEARCH_MAX_LENGTH,
        error_messages={"required": _("Enter part of a name or its kana.")},
    )

    def clean_q(self) -> str:
        value: str = self.cleaned_data["q"]
        if not kana.query_tokens(value):
            raise forms.ValidationError(
                _("Enter letters of a name; symbols and spaces alone cannot be searched."),
                code=ErrorCode.UNSEARCHABLE,
            )
        return value

    def typed(self) -> str:
        """What was typed, to show again in the box: without control characters (a NUL
        byte is refused, not echoed into the page), and never longer than the box allows."""
        value = str(self["q"].value() or "")[: settings.KASANE_SEARCH_MAX_LENGTH]
        return "".join(c for c in value if unicodedata.category(c) != "Cc")
