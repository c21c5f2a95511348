"""Template filters every page uses: 和暦 beside ISO dates, 年度 labels."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kasane.core import publication
from kasane.core.dates import age_on, fiscal_year_label, wareki

register = template.Library()


@register.filter
def wareki_date(value: datetime.date | datetime.datetime | None) -> SafeString | str:
    """令和6年5月1日 with the ISO date beside it, in a <time> element."""
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        return format_html(
            '<time datetime="{}">{} {}<span class="iso">（{}）</span></time>',
            local.isoformat(),
            wareki(local.date()),
            local.strftime("%H:%M"),
            local.date().isoformat(),
        )
    return format_html(
        '<time datetime="{}">{}<span class="iso">（{}）</span></time>',
        value.isoformat(),
        wareki(value),
        value.isoformat(),
    )


@register.filter
def fiscal_year(value: int) -> str:
    """2024 → 令和6年度."""
    return fiscal_year_label(value)


@register.filter
def age(value: datetime.date | None) -> str:
    """満年齢 today, e.g. "82歳"."""
    if value is None:
        return ""
    from django.utils.translation import gettext

    return gettext("%(age)d years") % {"age": age_on(value, timezone.localdate())}


@register.filter
def domain_labels(values: list[str] | None) -> str:
    """["elderly", "poverty"] → "高齢、困窮" in the user's language."""
    from kasane.core.models import Domain

    labels = []
    for value in values or []:
        try:
            labels.append(str(Domain(value).label))
        except ValueError:
            labels.append(value)
    return "、".join(labels)


@register.simple_tag
def published_until() -> datetime.date | None:
    """The first day not yet counted in the figures shown (an analyst's publication cut-off,
    ``kasane.core.publication``), or None when they count up to now."""
    instant = publication.until()
    return None if instant is None else timezone.localtime(instant).date()
