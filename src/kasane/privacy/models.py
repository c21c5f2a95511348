"""Consents (同意) and emergency access (break-glass): what the access policy reads besides
the case team. The audit log is ``kasane.audit``."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kasane.audit.models import LegalBasis


class ConsentPurpose(models.TextChoices):
    """What a consent allows: the purposes named on the 相談受付・申込票 (with consent)."""

    INFORMATION_SHARING = "information_sharing", _("sharing information among agencies")
    INTEGRATED_MEETING = "integrated_meeting", _("integrated support meeting")
    PARTICIPATION = "participation", _("participation support")
    OUTREACH = "outreach", _("outreach")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("in writing")
    ORAL = "oral", _("orally")
    PROXY = "proxy", _("by a proxy")


class Consent(models.Model):
    """同意: a person's consent to share, for named agencies (or agency types) and purposes.

    Withdrawal takes effect at once: the access policy reads ``withdrawn_at``.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    purposes = models.JSONField(_("purposes"), default=list)
    agencies = models.ManyToManyField(
        "accounts.Agency", verbose_name=_("agencies"), blank=True, related_name="+"
    )
    agency_types = models.JSONField(_("agency types"), default=list, blank=True)
    method = models.CharField(_("how obtained"), max_length=10, choices=ConsentMethod.choices)
    proxy_name = models.CharField(_("proxy"), max_length=100, blank=True)
    proxy_relation = models.CharField(_("proxy's relation"), max_length=50, blank=True)
    obtained_on = models.DateField(_("obtained on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_note = models.CharField(_("note on withdrawal"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-obtained_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(method="proxy") | ~models.Q(proxy_name=""),
                name="consent_proxy_named",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("obtained_on")),
                name="consent_expires_after_obtained",
            ),
        ]
        indexes = [models.Index(fields=["person", "withdrawn_at"], name="consent_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.obtained_on}"

    @property
    def purpose_labels(self) -> list[str]:
        labels = dict(ConsentPurpose.choices)
        return [str(labels.get(p, p)) for p in self.purposes or []]

    @property
    def agency_type_labels(self) -> list[str]:
        from kasane.accounts.models import AgencyType

        labels = dict(AgencyType.choices)
        return [str(labels.get(t, t)) for t in self.agency_types or []]


class ConsentEventKind(models.TextChoices):
    """What happened to a consent: the 27560 events of its life."""

    GIVEN = "given", _("given")
    NARROWED = "narrowed", _("narrowed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ConsentEvent(models.Model):
    """One event in a consent's history (given, narrowed, withdrawn): append-only.

    ``removed`` holds what a narrowing or a withdrawal took away (agencies by public id and
    name, agency types, purposes); ``cases`` the numbers of the person's households' cases at
    the time, so the history reads without the case records.
    """

    consent = models.ForeignKey(
        Consent, verbose_name=_("consent"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=10, choices=ConsentEventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed = models.JSONField(_("removed"), default=dict, blank=True)
    cases = models.JSONField(_("cases"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")

    def __str__(self) -> str:
        return f"{self.consent_id} {self.kind} {self.at}"


class BreakGlass(models.Model):
    """生命・身体の保護: emergency access to a case for 24 hours, with a reason, reviewed later."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="break_glass")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000)
    started_at = models.DateTimeField(_("started at"))
    expires_at = models.DateTimeField(_("expires at"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.TextField(
        pgettext_lazy("break-glass", "review"), blank=True, max_length=2000
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("started_at")),
                name="break_glass_expires_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.started_at}"


class GrantLevel(models.TextChoices):
    """What an access grant lets its holder read."""

    CASE = "case", _("that the case exists")
    DETAILS = "details", _("the case's details")
    # A basis of a coordinator's agency on a case it knows only through coordination.
    COORDINATED = "coordinated", _("the case's details, through coordination")
    HOUSEHOLD = "household", _("the household")
    PERSON = "person", _("the person")


class AccessGrant(models.Model):
    """閲覧権限: who may read which case, household or person, on which basis, until when.

    Materialised from the records that create or end a basis (team, referral, hand-over,
    coordination, registration, consent, pledged 支援会議, break-glass) by
    ``kasane.privacy.grants``, in the same transaction as the change; every access filter is a
    lookup on this table's indexes. ``holder`` is ``agency:<id>``, ``role:<role>`` or (for a
    break-glass, which is personal) ``staff:<id>``. A row is owned by the household it was
    derived from (``household``), or, for what follows from a person alone (registration, the
    person's consent), by the person with no household.
    ``kasane access_check`` recomputes every row from the records and reports differences.
    """

    holder = models.CharField(_("holder"), max_length=40)
    level = models.CharField(_("level"), max_length=12, choices=GrantLevel.choices)
    # The indexes below serve these keys; Django's own single-column ones would repeat them.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    source = models.CharField(_("source"), max_length=40)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        indexes = [
            models.Index(
                fields=["holder", "level", "case", "valid_from", "valid_until"],
                name="grant_case",
                condition=models.Q(case__isnull=False),
            ),
            models.Index(
                fields=["holder", "household", "valid_from", "valid_until"],
                name="grant_household",
                condition=models.Q(level="household"),
            ),
            models.Index(
                fields=["holder", "person", "valid_from", "valid_until"],
                name="grant_person",
                condition=models.Q(level="person"),
            ),
            models.Index(fields=["household"], name="grant_owner_household"),
            models.Index(fields=["case"], name="grant_by_case"),
        ]

    def __str__(self) -> str:
        return f"{self.holder} {self.level} {self.basis}"
