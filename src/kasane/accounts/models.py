"""Agencies (支援関係機関) and their staff (職員), the users of Kasane."""

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kasane.core.models import Domain, TimeStampedModel


class AgencyType(models.TextChoices):
    MUNICIPALITY = "municipality", _("municipal office (coordination)")
    COMMUNITY_GENERAL_SUPPORT = "community_general_support", _("community general support center")
    DISABILITY_SUPPORT = "disability_support", _("disability consultation support office")
    CHILD_FAMILY_CENTER = "child_family_center", _("child and family center")
    SELF_RELIANCE_SUPPORT = "self_reliance_support", _("self-reliance support agency")
    SOCIAL_WELFARE_COUNCIL = "social_welfare_council", _("social welfare council")
    BOARD_OF_EDUCATION = "board_of_education", _("board of education")
    HEALTH_CENTER = "health_center", _("health center")
    NPO = "npo", _("NPO")
    SCHOOL = "school", _("school")
    CLINIC = "clinic", _("clinic")
    PREFECTURAL = "prefectural", _("prefectural agency")
    COMMISSIONED_VOLUNTEERS = "commissioned_volunteers", _("commissioned welfare volunteers")
    WATCH_BUSINESS = "watch_business", _("watch-agreement business")
    # 庁内の管理部門 (情報政策課, 企画課…): staff who run or evaluate the system, no casework.
    ADMINISTRATION = "administration", _("municipal administrative office (no casework)")
    OTHER = "other", _("other")


# Agencies that give support: the only ones a referral, a hand-over of the lead, a consent
# or a meeting's attendance may name. Watch-agreement businesses and the 民生委員 council
# report concerns; administrative offices run the system; neither takes on casework.
NON_SUPPORT_AGENCY_TYPES = frozenset(
    {AgencyType.WATCH_BUSINESS, AgencyType.COMMISSIONED_VOLUNTEERS, AgencyType.ADMINISTRATION}
)
SUPPORT_AGENCY_TYPES = tuple(t for t in AgencyType if t not in NON_SUPPORT_AGENCY_TYPES)


class ConfidentialityBasis(models.TextChoices):
    """How an agency's staff are bound to keep what they learn confidential."""

    PUBLIC_SERVANT = "public_servant", _("Local Public Service Act (art. 34)")
    STATUTORY = "statutory", _("statutory duty of the profession or service")
    CONTRACT = "contract", _("confidentiality clause of the commission contract")
    COMMISSIONED_VOLUNTEER = (
        "commissioned_volunteer",
        _("Commissioned Welfare Volunteers Act (art. 15)"),
    )
    PLEDGE = "pledge", _("written pledge only")


class Agency(TimeStampedModel):
    """支援関係機関: an organisation whose staff use Kasane."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    agency_type = models.CharField(_("agency type"), max_length=40, choices=AgencyType.choices)
    domains = models.JSONField(_("domains"), default=list, blank=True)
    area = models.ForeignKey(
        "registry.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
    )
    confidentiality_basis = models.CharField(
        _("confidentiality basis"), max_length=30, choices=ConfidentialityBasis.choices
    )
    confidentiality_note = models.CharField(_("confidentiality note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        valid = set(Domain.values)
        if not isinstance(self.domains, list) or any(d not in valid for d in self.domains):
            raise ValidationError({"domains": _("Choose domains from the list.")})

    @property
    def gives_support(self) -> bool:
        """True when the agency may be named in a referral, hand-over, consent or meeting."""
        return self.agency_type not in NON_SUPPORT_AGENCY_TYPES

    def domain_labels(self) -> list[str]:
        labels = dict(Domain.choices)
        return [str(labels[d]) for d in self.domains if d in labels]


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("caseworker")
    COORDINATOR = "coordinator", _("coordinator")
    OUTREACH_WORKER = "outreach_worker", _("outreach worker")
    PARTICIPATION_WORKER = "participation_worker", _("participation support worker")
    VOLUNTEER = "volunteer", _("volunteer")
    ANALYST = "analyst", _("analyst")
    AUDITOR = "auditor", _("auditor")
    ADMIN = "admin", _("system administrator")
    # An account whose access waits for a second person's confirmation (AccessRequest): it
    # is in no list of roles that may read anything, so every page and API answers as to a
    # stranger until a confirmer gives it the role requested.
    PENDING = "pending", _("awaiting confirmation")


# Roles whose work is with households and persons; the others never see a person.
CASE_ROLES = frozenset(
    {Role.CASEWORKER, Role.COORDINATOR, Role.OUTREACH_WORKER, Role.PARTICIPATION_WORKER}
)


class StaffManager(UserManager["Staff"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> "Staff":
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class Staff(AbstractUser):
    """職員: a user of Kasane, belonging to one agency, with one role.

    One role per account keeps duties apart: an administrator's account can never also read
    case content, and an analyst's never sees a name.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    # The agency's own approver: may confirm access requests for accounts of its agency
    # (besides the municipal coordinators). Turning it on is itself a request to confirm.
    access_approver = models.BooleanField(_("confirms accounts of the agency"), default=False)

    objects: ClassVar[StaffManager] = StaffManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.ADMIN) | Q(agency__isnull=False),
                name="staff_agency_required_unless_admin",
                violation_error_message=_(
                    "Every staff member except an administrator belongs to an agency."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_staff=False) | Q(role=Role.ADMIN),
                name="staff_only_admins_enter_django_admin",
                violation_error_message=_("Only administrators may use the administration site."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def works_cases(self) -> bool:
        return self.role in CASE_ROLES


class LoginAttempt(models.Model):
    """One sign-in attempt, kept to throttle guessing per account and per address.

    The account is kept as a keyed hash of the user name as typed, never the text itself:
    people sometimes type their password into the user-name box, and it must not be stored.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    account_key = models.CharField(_("account key"), max_length=64)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("login attempt")
        verbose_name_plural = _("login attempts")
        indexes = [
            models.Index(fields=["account_key", "at"], name="login_attempt_key_at"),
            models.Index(fields=["ip_address", "at"], name="login_attempt_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.account_key[:8]} {self.at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """A message to one staff member: what happened and where to look, never personal data.

    The text names records by their numbers (a case number, a meeting date); the reader
    follows the link and the page applies the access policy as for any other visit.
    """

    recipient = models.ForeignKey(
        Staff,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40)
    message = models.CharField(_("message"), max_length=300)
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        # The table core created before the model moved here; no row moved.
        db_table = "core_notification"

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind}"


class AccessRequestKind(models.TextChoices):
    NEW_ACCOUNT = "new_account", pgettext_lazy("access request", "new account")
    CHANGE = "change", pgettext_lazy("access request", "change of role or agency")
    REACTIVATION = "reactivation", pgettext_lazy("access request", "account reactivated")
    PASSWORD_RESET = (
        "password_reset",
        pgettext_lazy("access request", "password set by the administrator"),
    )


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("access request", "waiting for confirmation")
    CONFIRMED = "confirmed", pgettext_lazy("access request", "confirmed")
    REFUSED = "refused", pgettext_lazy("access request", "refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("access request", "replaced by a later request")


class AccessRequest(models.Model):
    """権限付与の確認: access to personal data asked for an account, taking effect only when a
    second person (a municipal coordinator, or the agency's approver) confirms it — never the
    one who asked, never the account itself. Until then the account's role is
    ``Role.PENDING``; the role, agency and approver flag before and after are kept here."""

    public_id = models.UUIDField(
        pgettext_lazy("access request", "public id"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
    )
    account = models.ForeignKey(
        Staff,
        verbose_name=pgettext_lazy("access request", "account"),
        on_delete=models.CASCADE,
        related_name="access_requests",
    )
    kind = models.CharField(
        pgettext_lazy("access request", "kind"), max_length=20, choices=AccessRequestKind.choices
    )
    status = models.CharField(
        pgettext_lazy("access request", "status"),
        max_length=12,
        choices=AccessRequestStatus.choices,
        default=AccessRequestStatus.PENDING,
    )
    role_before = models.CharField(
        pgettext_lazy("access request", "role before"),
        max_length=30,
        choices=Role.choices,
        blank=True,
    )
    agency_before = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approver_before = models.BooleanField(
        pgettext_lazy("access request", "approver before"), default=False
    )
    role_after = models.CharField(
        pgettext_lazy("access request", "role requested"), max_length=30, choices=Role.choices
    )
    agency_after = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approver_after = models.BooleanField(
        pgettext_lazy("access request", "approver requested"), default=False
    )
    requested_by = models.ForeignKey(
        Staff,
        verbose_name=pgettext_lazy("access request", "requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(pgettext_lazy("access request", "requested at"))
    decided_by = models.ForeignKey(
        Staff,
        verbose_name=pgettext_lazy("access request", "decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(
        pgettext_lazy("access request", "decided at"), null=True, blank=True
    )
    decision_note = models.CharField(
        pgettext_lazy("access request", "note"), max_length=500, blank=True
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = pgettext_lazy("access request", "access request")
        verbose_name_plural = pgettext_lazy("access request", "access requests")
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status="pending"),
                name="access_request_one_pending_per_account",
            ),
            # Four eyes, kept by the database too: neither the requester nor the account
            # decides.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | (~Q(decided_by=models.F("requested_by")) & ~Q(decided_by=models.F("account"))),
                name="access_request_decided_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.status}"
