"""評価: the indicators of the 重層的支援体制整備事業, their targets and hand-entered values.

An indicator is computed from Kasane's records by a registered computation
(``kasane.evaluation.computations``) or entered by hand (a resident survey, say).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorKind(models.TextChoices):
    KGI = "KGI", _("KGI: goal")
    KSI = "KSI", _("KSI: success factor")
    KPI = "KPI", _("KPI: performance")


class IndicatorLevel(models.TextChoices):
    OUTPUT = "output", _("output")
    OUTCOME = "outcome", _("outcome")


class Project(models.TextChoices):
    """The six projects of the 重層的支援体制整備事業."""

    COMPREHENSIVE_CONSULTATION = "comprehensive_consultation", _("comprehensive consultation")
    PARTICIPATION = "participation", _("participation support")
    COMMUNITY = "community", _("community building")
    OUTREACH = "outreach", _("outreach")
    COORDINATION = "coordination", _("multi-agency coordination")
    PLANS = "plans", _("support plans")


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", _("computed from records")
    MANUAL = "manual", _("entered by hand")


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=3, choices=IndicatorKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=IndicatorLevel.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    project = models.CharField(_("project"), max_length=30, choices=Project.choices)
    source = models.CharField(_("source"), max_length=10, choices=IndicatorSource.choices)
    computation = models.CharField(_("computation"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=4000)

    class Meta:
        ordering = ["project", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Target(models.Model):
    """目標値 of an indicator for one 年度."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=3)

    class Meta:
        ordering = ["indicator", "fiscal_year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"], name="evaluation_target_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.fiscal_year}: {self.value}"


class ManualValue(models.Model):
    """The value of a hand-entered indicator for one 年度 (a resident survey, say)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="manual_values")
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        ordering = ["indicator", "fiscal_year"]
        verbose_name = _("hand-entered value")
        verbose_name_plural = _("hand-entered values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"], name="evaluation_manual_value_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.fiscal_year}: {self.value}"
