"""Form fields that choose an agency or a member of staff, shared by the apps' forms."""

from __future__ import annotations

from typing import Any

from django import forms

from kasane.accounts.models import SUPPORT_AGENCY_TYPES, Agency, Staff


def active_agencies(exclude: int | None = None) -> Any:
    agencies = Agency.objects.filter(is_active=True).order_by("agency_type", "name")
    return agencies.exclude(pk=exclude) if exclude else agencies


def support_agencies(exclude: int | None = None) -> Any:
    """Active agencies that give support (``Agency.gives_support``), for the pickers of
    referrals, hand-overs, consents and meeting attendance."""
    return active_agencies(exclude).filter(agency_type__in=SUPPORT_AGENCY_TYPES)


class AgencyField(forms.ModelChoiceField[Agency]):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class StaffField(forms.ModelChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return f"{obj}（{obj.agency}）"
