"""評価: the indicators of the 重層的支援体制整備事業, their targets and hand-entered values.

An indicator is computed from Kasane's records by a registered computation
(``kasane.evaluation.computations``) or entered by hand (a resident survey, say).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IndicatorKind(models.TextChoices):
    KGI = "KGI", _("KGI: goal")
    KSI = "KSI", _("KSI: success factor")
    KPI = "KPI", _("KPI: performance")


class IndicatorLevel(models.TextChoices):
    OUTPUT = "output", _("output")
    OUTCOME = "outcome", pgettext_lazy("indicator", "outcome")


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
    value = models.DecimalField(
        pgettext_lazy("indicator", "target"), max_digits=14, decimal_places=3
    )

    class Meta:
        ordering = ["indicator", "fiscal_year"]
        verbose_name = pgettext_lazy("indicator", "target")
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


# --- 包括的な支援体制の自己点検 (seed 001's closing diagram) ------------------------------


class SystemFunction(models.TextChoices):
    """The three functions of a developed 包括的な支援体制."""

    MUTUAL_SUPPORT = "mutual_support", _("① mutual support in the community")
    COLLABORATION = "collaboration", _("② support agencies working together")
    CONNECTION = "connection", _("③ connecting the community and the agencies")


class Score(models.IntegerChoices):
    NOT_STARTED = 0, _("not started")
    PLANNING = 1, _("being planned")
    PARTLY = 2, _("partly in place")
    IN_PLACE = 3, _("in place")


class ChecklistItem(models.Model):
    """One question of the self-assessment, under one of the three functions, with the
    computed indicators that evidence it."""

    function = models.CharField(_("function"), max_length=20, choices=SystemFunction.choices)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    text = models.CharField(_("question"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    evidence = models.ManyToManyField(
        Indicator, verbose_name=_("evidence"), blank=True, related_name="checklist_items"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["function", "order", "code"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.text


class SelfAssessment(models.Model):
    """The municipality's self-assessment of its support system for one 年度."""

    fiscal_year = models.PositiveIntegerField(_("fiscal year"), unique=True)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True, max_length=4000)
    updated_at = models.DateTimeField(_("updated at"))
    # Who scored it last: re-scoring keeps the first scorer and date above.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")

    def __str__(self) -> str:
        return str(self.fiscal_year)


class ChecklistAnswer(models.Model):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(_("score"), choices=Score.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        ordering = ["assessment", "item"]
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "item"], name="evaluation_answer_one_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.item_id}: {self.score}"


class PdcaReview(models.Model):
    """A PDCA record: the review meeting of a 年度, what it found and what will change."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    held_on = models.DateField(_("held on"))
    meeting_name = models.CharField(_("review meeting"), max_length=200)
    participants = models.CharField(_("participants"), max_length=500, blank=True)
    findings = models.TextField(_("findings"), max_length=8000)
    changes = models.TextField(_("what will change"), max_length=8000)
    follow_up_on = models.DateField(_("check again on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-fiscal_year", "-held_on", "-id"]
        verbose_name = _("PDCA review")
        verbose_name_plural = _("PDCA reviews")

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.meeting_name}"


# --- 人員配置の試算 (seed 004 支援策①) ----------------------------------------------------


class WorkloadKind(models.TextChoices):
    """The kinds of work whose monthly hours the staffing estimate adds up."""

    TRIAGE_A = "triage_a", _("coordination case, triage A")
    TRIAGE_B = "triage_b", _("coordination case, triage B")
    TRIAGE_C = "triage_c", _("coordination case, triage C")
    TRIAGE_PENDING = "triage_pending", _("coordination case, not yet triaged")
    # Every open case, in coordination or not: the lead agency carries it (seed 001 §5-3),
    # coordination's part is counted apart by triage.
    CASE = "case", _("open case (the lead agency's casework)")
    OUTREACH = "outreach", _("outreach target")
    MATCH = "match", _("participation match")
    CONSULTATION = "consultation", _("new consultation")


class StaffRole(models.TextChoices):
    COORDINATOR = "coordinator", _("coordinator")
    WORKER = "worker", _("support worker")


class WorkloadAssumption(models.Model):
    """Hours a month that one open item of a kind takes, and who does it."""

    kind = models.CharField(
        _("kind of work"), max_length=20, choices=WorkloadKind.choices, unique=True
    )
    hours_per_month = models.DecimalField(_("hours a month each"), max_digits=6, decimal_places=2)
    done_by = models.CharField(_("done by"), max_length=20, choices=StaffRole.choices)
    note = models.CharField(_("basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("workload assumption")
        verbose_name_plural = _("workload assumptions")

    def __str__(self) -> str:
        return f"{self.kind}: {self.hours_per_month} h"


class StaffingSettings(models.Model):
    """One row: the hours a full-time staff member gives to casework in a month."""

    hours_per_fte_month = models.DecimalField(
        _("casework hours a month per full-time staff member"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("120"),
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staffing settings")
        verbose_name_plural = _("staffing settings")

    def __str__(self) -> str:
        return f"{self.hours_per_fte_month} h"
