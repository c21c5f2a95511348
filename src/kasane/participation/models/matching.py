"""Matching (マッチング), follow-ups (定着支援), loneliness scores and unmet needs (資源開拓)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kasane.core.models import TimeStampedModel
from kasane.participation.models.catalogue import Opportunity, OpportunityKind


class MatchStage(models.TextChoices):
    PROPOSED = "proposed", _("proposed")  # 提案
    VISIT = "visit", _("visit or accompanied first time")  # 見学・同行
    STARTED = "started", _("taking part")  # 参加開始
    SETTLED = "settled", _("settled")  # 定着
    ENDED = "ended", _("ended")  # 終了


MATCH_STAGE_ORDER = [
    MatchStage.PROPOSED,
    MatchStage.VISIT,
    MatchStage.STARTED,
    MatchStage.SETTLED,
    MatchStage.ENDED,
]


class MatchEndReason(models.TextChoices):
    PERSON_DECLINED = "person_declined", _("the person declined")
    NOT_SUITED = "not_suited", _("the place did not suit")
    MOVED_ON = "moved_on", _("moved on (work, school or another place)")
    HOST_ENDED = "host_ended", _("the host could no longer take part")
    MOVED_AWAY = "moved_away", _("moved away")
    OTHER = "other", _("other")


class Match(TimeStampedModel):
    """A person matched to a place to take part, from proposal to settling (or ending)."""

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("place to take part"),
        on_delete=models.PROTECT,
        related_name="matches",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=MatchStage.choices, default=MatchStage.PROPOSED
    )
    stage_since = models.DateField(_("in this stage since"))
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=MatchEndReason.choices, blank=True
    )
    reasons = models.JSONField(_("why it fits"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        indexes = [
            models.Index(fields=["agency", "stage"], name="match_agency_stage"),
            models.Index(fields=["person", "stage"], name="match_person_stage"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage="ended") | Q(end_reason=""), name="match_end_reason_only_ended"
            ),
            models.CheckConstraint(
                condition=~Q(stage="ended") | ~Q(end_reason=""), name="match_ended_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.opportunity_id} ({self.stage})"


class MatchStageChange(models.Model):
    """The history of a match's stage: never overwritten."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="history")
    stage = models.CharField(_("stage"), max_length=20, choices=MatchStage.choices)
    on = models.DateField(_("date"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["match", "on", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.match_id} {self.stage} {self.on}"


class FollowUp(TimeStampedModel):
    """定着支援: a scheduled contact with the person, or with the host organisation."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due on"))
    with_host = models.BooleanField(_("contact with the host organisation"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["match", "due_on", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["done_on", "due_on"], name="follow_up_due")]

    def __str__(self) -> str:
        return f"{self.match_id} {self.due_on}"


class LonelinessAnswer(models.IntegerChoices):
    """UCLA 3-item loneliness scale as in Japan's national survey on loneliness (1–4)."""

    NEVER = 1, _("never")  # 決してない
    HARDLY_EVER = 2, _("hardly ever")  # ほとんどない
    SOMETIMES = 3, _("sometimes")  # 時々ある
    OFTEN = 4, _("often or always")  # 常にある


class LonelinessScore(models.Model):
    """The 3-item UCLA loneliness scale, recorded at the start of taking part and later.

    The total runs from 3 (never lonely) to 12 (often lonely on every item).
    """

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, null=True, blank=True, related_name="loneliness"
    )
    measured_on = models.DateField(_("measured on"))
    lack_companionship = models.PositiveSmallIntegerField(
        _("feels a lack of companionship"), choices=LonelinessAnswer.choices
    )
    left_out = models.PositiveSmallIntegerField(
        _("feels left out"), choices=LonelinessAnswer.choices
    )
    isolated = models.PositiveSmallIntegerField(
        _("feels isolated from others"), choices=LonelinessAnswer.choices
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["person", "measured_on", "id"]
        verbose_name = _("loneliness score")
        verbose_name_plural = _("loneliness scores")
        constraints = [
            models.CheckConstraint(
                condition=Q(lack_companionship__gte=1, lack_companionship__lte=4)
                & Q(left_out__gte=1, left_out__lte=4)
                & Q(isolated__gte=1, isolated__lte=4),
                name="loneliness_answers_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.measured_on} {self.total}"

    @property
    def total(self) -> int:
        return int(self.lack_companionship) + int(self.left_out) + int(self.isolated)


class AgeBand(models.TextChoices):
    CHILD = "child", _("child (under 15)")
    YOUTH = "youth", _("young person (15–39)")
    MIDDLE = "middle", _("middle age (40–64)")
    OLDER = "older", _("older person (65 and over)")
    ANY = "any", _("any age")


class UnmetNeed(TimeStampedModel):
    """資源開拓: a need no place meets, de-identified (kind, area, for whom), and the new place
    developed in answer to it."""

    kind = models.CharField(_("kind of place"), max_length=30, choices=OpportunityKind.choices)
    area = models.ForeignKey(
        "registry.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    age_band = models.CharField(_("for whom (age)"), max_length=10, choices=AgeBand.choices)
    for_whom = models.CharField(
        _("for whom (no names)"), max_length=200, blank=True
    )  # e.g. 「長くひきこもっていた40代男性」
    description = models.TextField(_("what is missing"), max_length=2000)
    recorded_on = models.DateField(_("recorded on"))
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    developed = models.ForeignKey(
        Opportunity,
        verbose_name=_("place developed in answer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers_needs",
    )
    developed_on = models.DateField(_("developed on"), null=True, blank=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name = _("unmet need")
        verbose_name_plural = _("unmet needs")

    def __str__(self) -> str:
        return f"{self.kind} {self.recorded_on}"
