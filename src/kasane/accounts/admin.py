"""Django's admin manages agencies and staff only — never households, persons or cases."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# django-otp's own admin pages show each device's secret and QR code: an administrator could
# copy anyone's second factor. Import them here so they are registered, then take them out;
# the Staff page below resets a device, which is all an administrator needs.
from django_otp.plugins.otp_static import admin as _otp_static_admin  # noqa: F401
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as _otp_totp_admin  # noqa: F401
from django_otp.plugins.otp_totp.models import TOTPDevice

from kasane.accounts import access_requests, two_factor
from kasane.accounts.models import Agency, Role, Staff
from kasane.accounts.services import login_locked_until, login_unlock
from kasane.accounts.sites import is_administrator
from kasane.audit import services as audit
from kasane.audit.changes import form_changes
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.privacy import grants

admin.site.unregister(Group)
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)


def _field_labels(message: object) -> list[str]:
    """The fields named in the admin's change message: which ones changed, never their values."""
    labels: list[str] = []
    if isinstance(message, list):
        for part in message:
            for verb in ("added", "changed"):
                labels += [str(f) for f in part.get(verb, {}).get("fields", [])]
    return labels


class AdministratorOnly:
    """Access by role, not by Django's per-model permissions (Kasane assigns none): the
    administrator role manages agencies and staff in full, every other role not at all.

    Every change also goes to Kasane's hash-chained audit log, beside Django's own admin
    history: a role changed or a password reset there is how one account could come to read
    another's cases, and the auditor must see it.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_administrator(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_administrator(request)

    def audit_detail(self, obj: Any) -> dict[str, object]:
        """What the audit row says of the record beside the fields changed (no personal data)."""
        return {}

    # Master data (agencies, the need taxonomy, watch agreements) holds no personal data:
    # its admin pages log each changed field's value before and after, not only its name.
    audit_values = False

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        if self.audit_values:
            form.instance._audit_changed = form_changes(form)
        return super().construct_change_message(request, form, formsets, add)  # type: ignore[misc]

    def _audit(self, request: HttpRequest, action: AuditAction, obj: Any, message: object) -> None:
        detail: dict[str, object] = {"via": "admin", "fields": _field_labels(message)}
        if self.audit_values and action != AuditAction.DELETE:
            detail["changed"] = getattr(obj, "_audit_changed", {})
        audit.record(
            actor=request.user if isinstance(request.user, Staff) else None,
            action=action,
            legal_basis=LegalBasis.SYSTEM,
            object_type=ObjectType(obj._meta.model_name),
            object_id=str(obj.public_id),
            detail={**detail, **self.audit_detail(obj)},
        )

    def log_addition(self, request: HttpRequest, obj: Any, message: object) -> Any:
        self._audit(request, AuditAction.CREATE, obj, message)
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Any, message: object) -> Any:
        self._audit(request, AuditAction.UPDATE, obj, message)
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            self._audit(request, AuditAction.DELETE, obj, None)
        return super().log_deletions(request, queryset)  # type: ignore[misc]


@admin.register(Agency)
class AgencyAdmin(AdministratorOnly, admin.ModelAdmin[Agency]):
    audit_values = True
    list_display = ["name", "agency_type", "area", "confidentiality_basis", "is_active"]
    list_filter = ["agency_type", "is_active"]
    search_fields = ["name"]
    fields = [
        "name",
        "agency_type",
        "domains",
        "area",
        "confidentiality_basis",
        "confidentiality_note",
        "is_active",
    ]

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        # A consent may name agencies by type: a new agency, or one of another type, is
        # covered (or no longer covered) by those consents from this save on.
        super().save_model(request, obj, form, change)
        before = form.initial.get("agency_type") if change else None
        if before != obj.agency_type:
            for agency_type in {str(before or ""), obj.agency_type} - {""}:
                grants.refresh_agency_type(agency_type)


@admin.register(Staff)
class StaffAdmin(AdministratorOnly, UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "display_name", "agency", "role", "is_active", "last_login"]
    list_filter = ["role", "agency", "is_active"]
    list_select_related = ["agency"]
    search_fields = ["username", "display_name"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Staff member"),
            {"fields": ("display_name", "email", "agency", "role", "access_approver")},
        ),
        (_("Access"), {"fields": ("is_active", "access_request_status", "sign_in_status")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "display_name",
                    "agency",
                    "role",
                    "access_approver",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    readonly_fields = ["sign_in_status", "access_request_status"]
    actions = ["unlock_sign_in", "reset_two_factor"]

    @admin.display(description=_("sign-in"))
    def sign_in_status(self, obj: Staff) -> str:
        """Whether the account is locked after failed sign-ins, and its second factor."""
        if obj.pk is None:
            return ""
        parts: list[str] = []
        until = login_locked_until(obj)
        if until is not None:
            parts.append(
                gettext(
                    "Locked after repeated failed sign-ins until %(time)s "
                    "(or until unlocked with the action on the staff list)."
                )
                % {"time": formats.time_format(timezone.localtime(until), "H:i")}
            )
        else:
            parts.append(gettext("Not locked."))
        device = two_factor.authenticator_for(obj)
        if device is not None:
            parts.append(
                gettext("Authenticator app enrolled on %(date)s; %(left)d recovery codes left.")
                % {
                    "date": formats.date_format(timezone.localtime(device.created_at).date()),
                    "left": two_factor.recovery_codes_left(obj),
                }
            )
        else:
            parts.append(gettext("No authenticator app enrolled."))
        return " ".join(parts)

    @admin.display(description=_("confirmation"))
    def access_request_status(self, obj: Staff) -> str:
        """Whether the account's access waits for a second person's confirmation."""
        since = access_requests.requested_since(obj) if obj.pk is not None else None
        if since is None:
            return gettext("Nothing waiting for confirmation.")
        return gettext(
            "Access requested on %(date)s waits for confirmation by a municipal coordinator "
            "or the agency's approver; until then the account reads nothing."
        ) % {"date": formats.date_format(timezone.localtime(since).date())}

    def audit_detail(self, obj: Any) -> dict[str, object]:
        return {
            "role": obj.role,
            "agency": obj.agency.name if obj.agency is not None else "",
            "access_approver": obj.access_approver,
        }

    @admin.action(description=_("Unlock sign-in after failed attempts"))
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[Staff]) -> None:
        actor = request.user
        assert isinstance(actor, Staff)
        for staff in queryset:
            login_unlock(staff=staff, actor=actor)
        self.message_user(
            request,
            gettext("Sign-in unlocked for %(count)d staff members.") % {"count": len(queryset)},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Reset two-factor authentication (lost phone): sign out and enrol again")
    )
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[Staff]) -> None:
        actor = request.user
        assert isinstance(actor, Staff)
        for staff in queryset:
            # An administrator resetting their own: this session lives on (unverified, so
            # the next page asks for a new enrolment), the others end.
            two_factor.two_factor_reset(
                staff=staff, actor=actor, keep_session=request.session.session_key
            )
        self.message_user(
            request,
            gettext(
                "Two-factor authentication reset for %(count)d staff members. They are signed "
                "out, and enrol a new authenticator app at their next sign-in."
            )
            % {"count": len(queryset)},
            messages.SUCCESS,
        )

    def save_model(self, request: HttpRequest, obj: Staff, form: Any, change: bool) -> None:
        # Entering this site follows the role: an administrator added here can use it at
        # once, and one moved to another role loses it in the same save.
        obj.is_staff = obj.role == Role.ADMIN
        # Access to personal data is only asked for here: a second person confirms it
        # (kasane.accounts.access_requests). Until then the account waits and reads nothing.
        before = access_requests.Access.saved(obj.pk) if change else None
        after = access_requests.Access.of(obj)
        kind = access_requests.grant_kind(before, after)
        if kind is not None:
            access_requests.hold(obj)
        super().save_model(request, obj, form, change)
        if kind is not None:
            actor = request.user
            assert isinstance(actor, Staff)
            access_requests.access_request_open(
                account=obj, actor=actor, kind=kind, before=before, after=after
            )
            self.message_user(
                request,
                gettext(
                    "The access asked for takes effect when a municipal coordinator or the "
                    "agency's approver confirms it; until then the account reads nothing."
                ),
                messages.WARNING,
            )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """The administrator sets a password: the account enrols its second factor again, and
        (when it reads personal data) waits for a second person's confirmation."""
        with transaction.atomic():
            response: HttpResponse = super().user_change_password(request, id, form_url)
            saved = isinstance(response, HttpResponseRedirect) and (
                response.url != request.get_full_path()
            )
            if request.method == "POST" and saved:
                account = self.get_object(request, id)
                actor = request.user
                if account is not None and isinstance(actor, Staff) and account.pk != actor.pk:
                    access_requests.password_set_by_admin(account=account, actor=actor)
        return response
