"""課題整理 → プラン作成 → モニタリング → 終結: assessment, versioned support plans, reviews
and closure, following the インテーク・アセスメントシート, the プラン兼利用申込書 and the
評価シート."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kasane.core.models import TimeStampedModel


class LifeArea(models.TextChoices):
    HEALTH = "health", pgettext_lazy("life area", "health")
    MONEY = "money", _("money")
    HOUSING = "housing", _("housing")
    WORK_SCHOOL = "work_school", _("work or school")
    FAMILY = "family", _("family relations")
    SOCIAL = "social", _("social ties")
    DAILY_LIVING = "daily_living", _("daily living")
    RIGHTS = "rights", _("rights and decision-making")
    SAFETY = "safety", _("safety")


class Severity(models.IntegerChoices):
    NONE = 0, _("no problem")
    MILD = 1, _("some difficulty")
    SERIOUS = 2, _("serious")
    URGENT = 3, _("urgent")


class Assessment(TimeStampedModel):
    """アセスメント of a household on a day; per member where ``person`` is set."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assessments")
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    assessed_on = models.DateField(_("assessed on"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    strengths = models.TextField(_("strengths"), blank=True, max_length=4000)
    interests = models.TextField(_("interests"), blank=True, max_length=4000)
    wishes = models.TextField(_("wishes (in the person's words)"), blank=True, max_length=4000)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.case_id} {self.assessed_on}"


class AssessmentArea(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="areas")
    area = models.CharField(_("life area"), max_length=20, choices=LifeArea.choices)
    situation = models.TextField(_("situation"), blank=True, max_length=4000)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.NONE
    )

    class Meta:
        ordering = ["assessment", "id"]
        verbose_name = _("life area")
        verbose_name_plural = _("life areas")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area"], name="assessment_area_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.area}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")
    SUPERSEDED = "superseded", _("superseded")


class AgreementMethod(models.TextChoices):
    SIGNED = "signed", _("signed")
    ORAL = "oral", _("orally")
    PROXY = "proxy", _("by a proxy")


class SupportPlan(TimeStampedModel):
    """支援プラン: one version of a case's plan. A new version never overwrites the old."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField(_("version"))
    # Counts the saves of this row, for optimistic locking (kasane.core.row_version): not the
    # plan's 版, which is ``version``.
    row_version = models.PositiveIntegerField(_("row version"), default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    participation_requested = models.BooleanField(
        _("participation support requested"), default=False
    )
    outreach_requested = models.BooleanField(_("outreach requested"), default=False)
    agreed_on = models.DateField(_("agreed by the person on"), null=True, blank=True)
    agreement_method = models.CharField(
        _("how the person agreed"), max_length=10, choices=AgreementMethod.choices, blank=True
    )
    approved_at = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("approved at"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_plans",
    )
    review_due_on = models.DateField(_("next review"), null=True, blank=True)
    # The meeting's own record of the approval (a plan-approval decision on the agenda item).
    approval_decision = models.OneToOneField(
        "meetings.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_plan",
    )

    class Meta:
        ordering = ["case", "-version"]
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="plan_version_once"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="approved"), name="plan_one_approved"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="plan_approved_at_meeting",
            ),
        ]
        indexes = [models.Index(fields=["status", "review_due_on"], name="plan_review_due")]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version}"


class GoalTerm(models.TextChoices):
    LONG = "long", _("long term")
    SHORT = "short", _("short term")


class PlanGoal(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="goals")
    term = models.CharField(_("term"), max_length=10, choices=GoalTerm.choices)
    text = models.TextField(_("goal (in the person's words)"), max_length=2000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The same goal across versions: a new version copies it with its lineage, so two
    # versions can be compared goal by goal.
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.text[:40]


class PlanAction(models.Model):
    """役割分担: what, by which agency (on the team), which staff member, by when."""

    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField(_("what"), max_length=2000)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("by"), null=True, blank=True)
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["goal", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.what[:40]


class ReviewKind(models.TextChoices):
    REVIEW = "review", _("review")
    CLOSURE = "closure", _("closure")


class Review(TimeStampedModel):
    """モニタリング, or the evaluation at closure (評価シート)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="reviews")
    plan = models.ForeignKey(
        SupportPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReviewKind.choices)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    held_on = models.DateField(_("held on"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    person_view = models.TextField(_("the person's own view"), blank=True, max_length=4000)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    meeting_item = models.ForeignKey(
        "meetings.AgendaItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.held_on}"


class GoalResult(models.TextChoices):
    ACHIEVED = "achieved", _("achieved")
    PARTLY = "partly", _("partly achieved")
    NOT = "not", _("not achieved")


class GoalEvaluation(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="goal_results")
    goal = models.ForeignKey(PlanGoal, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=10, choices=GoalResult.choices)

    class Meta:
        verbose_name = _("goal evaluation")
        verbose_name_plural = _("goal evaluations")
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="goal_evaluation_once")
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.goal_id} {self.result}"


class Trend(models.TextChoices):
    BETTER = "better", _("better")
    SAME = "same", _("same")
    WORSE = "worse", _("worse")


class AreaEvaluation(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="area_results")
    area = models.CharField(_("life area"), max_length=20, choices=LifeArea.choices)
    trend = models.CharField(_("trend"), max_length=10, choices=Trend.choices)

    class Meta:
        verbose_name = _("life area evaluation")
        verbose_name_plural = _("life area evaluations")
        constraints = [
            models.UniqueConstraint(fields=["review", "area"], name="area_evaluation_once")
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.area} {self.trend}"


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("goals achieved")
    TRANSFERRED = "transferred", _("moved to another agency's support")
    MOVED_AWAY = "moved_away", _("moved out of the city")
    DIED = "died", _("died")
    REFUSED = "refused", _("the person refused")
    UNREACHABLE = "unreachable", _("could not be reached")
    OTHER = "other", _("other")


class Closure(TimeStampedModel):
    """終結: why, decided where (a 重層的支援会議, or the lead agency for cases without
    支援決定), with the closing evaluation."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="closure")
    reason = models.CharField(_("reason"), max_length=20, choices=ClosureReason.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    decided_at = models.ForeignKey(
        "meetings.AgendaItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    evaluation = models.OneToOneField(
        Review, on_delete=models.PROTECT, null=True, blank=True, related_name="closure"
    )

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return f"{self.case_id} {self.reason}"
