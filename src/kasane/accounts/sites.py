"""Kasane's admin site: Django's, entered by the administrator role only, through the same
throttled and audited sign-in as the rest of Kasane."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from kasane.accounts.forms import AdminLoginForm
from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis


def is_administrator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "role", None) == Role.ADMIN)


class KasaneAdminSite(admin.AdminSite):
    site_header = "Kasane"
    site_title = "Kasane"
    # Django's own admin sign-in form would be a way around the throttle and the audit log.
    login_form = AdminLoginForm

    def has_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request)

    def logout(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        if request.method == "POST" and isinstance(request.user, Staff):
            audit.record(
                actor=request.user,
                action=AuditAction.LOGOUT,
                legal_basis=LegalBasis.NONE,
            )
        return super().logout(request, extra_context)
