"""Labels for codes stored in timeline details."""

from django import template

from kasane.cases.models import CaseStatus

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return value
