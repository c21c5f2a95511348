"""The 相談受付・申込票 as a form: who asked, how, about whom, what, and what happened next."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kasane.accounts.fields import AgencyField, support_agencies
from kasane.accounts.models import Agency
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.core.forms import (
    DATE_INPUT_FORMATS,
    DateInput,
    DateTimeInput,
    NameField,
    OneTimeTokenMixin,
)
from kasane.core.models import Domain
from kasane.core.row_version import RowVersionForm
from kasane.intake.models import Channel, NeedType, Outcome, Requester
from kasane.intake.services import Consenter, NewHousehold, ReferralRequest
from kasane.privacy.consent_services import GivenHow
from kasane.privacy.models import ConsentMethod
from kasane.registry.forms import AreaChoiceField, town_blocks
from kasane.registry.models import Area, Person, Relationship, Sex
from kasane.registry.services import PersonInput
from kasane.registry.validators import validate_birth_date, validate_kana_name, validate_phone


class PersonChoiceField(forms.ModelMultipleChoiceField[Person]):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name}（{obj.kana}）"


class ConsultationForm(OneTimeTokenMixin):
    received_at = forms.DateTimeField(
        label=_("received at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=DateTimeInput(),
    )
    requester = forms.ChoiceField(
        label=_("requester"), choices=Requester.choices, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(
        label=_("channel"), choices=Channel.choices, widget=forms.RadioSelect
    )
    persons = PersonChoiceField(
        label=_("persons concerned"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs = forms.ModelMultipleChoiceField(
        label=_("needs"),
        queryset=NeedType.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one need.")},
    )
    main_need = forms.ModelChoiceField(
        label=_("main complaint"),
        queryset=NeedType.objects.none(),
        error_messages={"required": _("Choose the main complaint.")},
    )
    domains = forms.MultipleChoiceField(
        label=_("domains touched"),
        choices=Domain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label=_("summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    consent_to_share = forms.BooleanField(
        label=_("The person consented to sharing this with the agencies supporting them."),
        required=False,
    )
    consenters = PersonChoiceField(
        label=_("who consented (each consent is the person's own)"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Default: the persons concerned. Members not ticked give no consent."),
    )
    consent_method = forms.ChoiceField(
        label=_("how the consent was given"),
        choices=ConsentMethod.choices,
        initial=ConsentMethod.WRITTEN,
        required=False,
    )
    consent_proxy_name = forms.CharField(label=_("proxy"), max_length=100, required=False)
    consent_proxy_relation = forms.CharField(
        label=_("proxy's relation"),
        max_length=50,
        required=False,
        help_text=_("親権者, 成年後見人, a family member…"),
    )
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    referral_to = AgencyField(label=_("refer to"), queryset=Agency.objects.none(), required=False)
    referral_reason = forms.CharField(
        label=_("reason for the referral"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    referral_request = forms.CharField(
        label=_("what you ask of them"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    coordination_reason = forms.CharField(
        label=_("why coordination is needed"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, agency_id: int | None, members: list[Person] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        needs = NeedType.objects.filter(is_active=True).order_by("sort_order", "code")
        self.fields["needs"].queryset = needs  # type: ignore[attr-defined]
        self.fields["main_need"].queryset = needs  # type: ignore[attr-defined]
        self.fields["referral_to"].queryset = support_agencies(exclude=agency_id)  # type: ignore[attr-defined]
        if members:
            self.fields["persons"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
                pk__in=[p.pk for p in members]
            ).order_by("id")
            self.fields["consenters"].queryset = self.fields["persons"].queryset  # type: ignore[attr-defined]
        else:
            del self.fields["persons"]
            del self.fields["consenters"]
        if not self.is_bound:
            self.initial.setdefault(
                "received_at", timezone.localtime().replace(second=0, microsecond=0)
            )

    def clean_received_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["received_at"]
        if value > timezone.now() + datetime.timedelta(minutes=5):
            raise forms.ValidationError(
                _("The date cannot be in the future."), code=CoreCode.FUTURE
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs = data.get("needs")
        main = data.get("main_need")
        if needs is not None and main is not None and main not in needs:
            self.add_error("main_need", _("The main complaint must be one of the needs."))
        if data.get("outcome") == Outcome.REFERRED:
            if not data.get("referral_to"):
                self.add_error("referral_to", _("Choose the agency you refer to."))
            if not data.get("referral_reason", "").strip():
                self.add_error("referral_reason", _("Write the reason for the referral."))
            if not data.get("referral_request", "").strip():
                self.add_error("referral_request", _("Write what you ask of the other agency."))
        if (
            data.get("consent_to_share")
            and "consenters" in self.fields
            and not data.get("consenters")
            and not data.get("persons")
        ):
            self.add_error("consenters", _("Say which member consented to sharing (and how)."))
        if (
            data.get("outcome") == Outcome.COORDINATION
            and not data.get("coordination_reason", "").strip()
        ):
            self.add_error(
                "coordination_reason", _("Say why the case needs multi-agency coordination.")
            )
        return data

    def how(self) -> GivenHow:
        data = self.cleaned_data
        return GivenHow(
            method=data.get("consent_method") or ConsentMethod.WRITTEN,
            proxy_name=data.get("consent_proxy_name", ""),
            proxy_relation=data.get("consent_proxy_relation", ""),
        )

    def consenters_given(self, rows: BasePersonRowFormSet | None) -> list[Consenter] | None:
        """The members ticked as having consented (None: the default, the persons
        concerned or the new household's head), each with how they gave it."""
        how = self.how()
        if rows is not None:
            ticked = [i for i, f in enumerate(rows.rows()) if f.cleaned_data.get("consented")]
            return [Consenter(row=i, how=how) for i in ticked or [0]]
        chosen = list(self.cleaned_data.get("consenters") or [])
        if not chosen and how == GivenHow():
            return None
        persons = chosen or list(self.cleaned_data.get("persons") or [])
        return [Consenter(person=p, how=how) for p in persons]

    def referral(self) -> ReferralRequest | None:
        data = self.cleaned_data
        if data.get("outcome") != Outcome.REFERRED or not data.get("referral_to"):
            return None
        return ReferralRequest(
            to_agency=data["referral_to"],
            reason=data["referral_reason"],
            request=data["referral_request"],
        )


class ConsultationEditForm(RowVersionForm):
    """Correcting the 相談受付票, opened at the consultation's ``row_version``: the same fields
    as the form that took it (each form instance gets its own copy)."""

    received_at = ConsultationForm.base_fields["received_at"]
    requester = ConsultationForm.base_fields["requester"]
    channel = ConsultationForm.base_fields["channel"]
    domains = ConsultationForm.base_fields["domains"]
    summary = ConsultationForm.base_fields["summary"]

    def record_initial(self, record: Any) -> dict[str, Any]:
        values = super().record_initial(record)
        values["received_at"] = timezone.localtime(record.received_at).replace(
            second=0, microsecond=0
        )
        return values


class NewHouseholdForm(forms.Form):
    """The household met for the first time: address and the confirmation of 名寄せ."""

    address = forms.CharField(label=_("address"), max_length=200, required=False)
    area = AreaChoiceField(
        label=_("area (town block)"), queryset=Area.objects.none(), required=False
    )
    phone = forms.CharField(
        label=_("phone"), max_length=20, required=False, validators=[validate_phone]
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("I have checked: these are not persons already registered (listed above)."),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = town_blocks()  # type: ignore[attr-defined]


class PersonRowForm(forms.Form):
    """One member of a new household; the first row is the head (世帯主)."""

    name = NameField(label=_("name"), max_length=100)
    kana = NameField(label=_("name in kana"), max_length=100, validators=[validate_kana_name])
    birth_date = forms.DateField(
        label=_("date of birth"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        validators=[validate_birth_date],
        widget=DateInput(),
    )
    sex = forms.ChoiceField(label=_("sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    relationship = forms.ChoiceField(label=_("relationship"), choices=Relationship.choices)
    consented = forms.BooleanField(label=_("consented"), required=False)

    def person_input(self, area: Area | None) -> PersonInput:
        data = self.cleaned_data
        return PersonInput(
            name=data["name"],
            kana=data["kana"],
            birth_date=data.get("birth_date"),
            sex=data["sex"],
            area=area,
        )


class BasePersonRowFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        # The first row is the head; the others start as "child", the commonest case.
        kwargs = super().get_form_kwargs(index)
        first = index == 0
        kwargs["initial"] = {"relationship": Relationship.HEAD if first else Relationship.CHILD}
        return kwargs

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        rows = [f for f in self.forms if f.has_changed() and f.cleaned_data]
        if not rows:
            raise forms.ValidationError(_("Enter at least the head of the household."))
        heads = [f for f in rows if f.cleaned_data.get("relationship") == Relationship.HEAD]
        if len(heads) != 1:
            raise forms.ValidationError(
                _("A household has exactly one head (世帯主): choose it in one row.")
            )

    def rows(self) -> list[PersonRowForm]:
        rows = [f for f in self.forms if f.has_changed() and f.cleaned_data]
        rows.sort(key=lambda f: f.cleaned_data["relationship"] != Relationship.HEAD)
        return rows

    def new_household(self, household_form: NewHouseholdForm) -> NewHousehold:
        area = household_form.cleaned_data.get("area")
        head, *others = self.rows()
        return NewHousehold(
            head=head.person_input(area),
            address=household_form.cleaned_data.get("address", ""),
            area=area,
            phone=household_form.cleaned_data.get("phone", ""),
            members=[(f.person_input(area), f.cleaned_data["relationship"]) for f in others],
        )


PersonRowFormSet = forms.formset_factory(
    PersonRowForm, formset=BasePersonRowFormSet, extra=5, max_num=10, validate_max=True
)
