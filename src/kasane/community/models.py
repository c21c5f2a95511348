"""地域づくり: the registry of community places and activities by area, and 地域課題 —
issues of an area raised from de-identified aggregates, with their discussion and actions.

Nothing here is personal data. A place is run by a group, not a person; an issue names an
area and a 年度, never a household (the forms say so, and the aggregates it is raised from
never show a count under five).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kasane.core.models import TimeStampedModel


class PlaceKind(models.TextChoices):
    SALON = "salon", _("community salon")
    CHILDREN_CAFETERIA = "children_cafeteria", _("children's cafeteria")
    GATHERING_PLACE = "gathering_place", _("neighbourhood gathering place")
    CIRCLE = "circle", _("circle")
    MULTIGENERATIONAL_HUB = "multigenerational_hub", _("multigenerational hub")
    COMMUNITY_CAFE = "community_cafe", _("community café")
    OTHER = "other", _("other activity")


class Frequency(models.TextChoices):
    """How often the place opens or the activity meets."""

    DAILY = "daily", _("(almost) every day")
    WEEKLY = "weekly", _("weekly")
    TWICE_MONTHLY = "twice_monthly", _("twice a month")
    MONTHLY = "monthly", _("monthly")
    IRREGULAR = "irregular", _("irregular")


class OrganizerType(models.TextChoices):
    """運営主体: who runs it."""

    RESIDENTS = "residents", _("residents' group or neighbourhood association")
    SOCIAL_WELFARE_COUNCIL = "social_welfare_council", _("social welfare council")
    NPO = "npo", _("NPO")
    SOCIAL_WELFARE_CORPORATION = "social_welfare_corporation", _("social welfare corporation")
    BUSINESS = "business", _("business")
    MUNICIPALITY = "municipality", _("municipality")
    OTHER = "other", _("other")


class Place(TimeStampedModel):
    """居場所・地域活動: a サロン, 子ども食堂, 通いの場, サークル or 多世代交流拠点 in an area."""

    name = models.CharField(pgettext_lazy("place", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=PlaceKind.choices)
    area = models.ForeignKey(
        "registry.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="community_places",
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    organizer = models.CharField(_("run by"), max_length=100)
    organizer_type = models.CharField(
        _("kind of organizer"), max_length=30, choices=OrganizerType.choices
    )
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices)
    schedule = models.CharField(_("when"), max_length=100, blank=True)
    audience = models.CharField(_("who is welcome"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    registered_by_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("registering agency"),
        on_delete=models.PROTECT,
        related_name="community_places",
    )

    class Meta:
        ordering = ["area__code", "name", "id"]
        verbose_name = _("community place")
        verbose_name_plural = _("community places")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="place_name_once_per_area"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="place_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IssueStatus(models.TextChoices):
    OPEN = "open", _("under discussion")
    IN_PROGRESS = "in_progress", _("being worked on")
    RESOLVED = "resolved", _("resolved")


class CommunityIssue(TimeStampedModel):
    """地域課題: a problem of an area and 年度, discussed without naming anyone."""

    area = models.ForeignKey(
        "registry.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="community_issues",
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000)
    need_types = models.ManyToManyField(
        "intake.NeedType", verbose_name=_("related needs"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=IssueStatus.choices, default=IssueStatus.OPEN
    )
    raised_on = models.DateField(_("raised on"))
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="community_issues",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-fiscal_year", "-raised_on", "-id"]
        verbose_name = _("community issue")
        verbose_name_plural = _("community issues")
        indexes = [models.Index(fields=["fiscal_year", "area"], name="community_issue_fy_area")]

    def __str__(self) -> str:
        return self.title


class IssueDiscussion(TimeStampedModel):
    """Where and when the issue was discussed (地域ケア会議, 協議体, 自治会…), and what was said."""

    issue = models.ForeignKey(CommunityIssue, on_delete=models.CASCADE, related_name="discussions")
    held_on = models.DateField(_("date"))
    forum = models.CharField(_("forum"), max_length=100)
    summary = models.TextField(pgettext_lazy("discussion", "summary"), max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")

    def __str__(self) -> str:
        return f"{self.forum} {self.held_on:%Y-%m-%d}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")


class IssueAction(TimeStampedModel):
    """An action taken on the issue: who does what, by when, and how far it has got."""

    issue = models.ForeignKey(CommunityIssue, on_delete=models.CASCADE, related_name="actions")
    who = models.CharField(_("who"), max_length=100)
    what = models.CharField(_("what"), max_length=500)
    due_on = models.DateField(_("by when"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ActionStatus.DONE, done_on__isnull=False)
                | (~Q(status=ActionStatus.DONE) & Q(done_on__isnull=True)),
                name="issue_action_done_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.what[:40]
