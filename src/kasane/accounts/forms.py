from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kasane.accounts.services import client_address, login_attempt_record, login_throttled


class LoginForm(AuthenticationForm):
    """Django's sign-in form, throttled per account and per address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The user name or password is not correct."),
        "throttled": _(
            "Too many failed sign-ins. Wait 15 minutes and try again, "
            "or ask your system administrator to unlock your account."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else None
        if username and login_throttled(username=username, ip_address=address):
            login_attempt_record(username=username, ip_address=address, user=None, throttled=True)
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            data = super().clean()
        except forms.ValidationError:
            login_attempt_record(username=username, ip_address=address, user=None)
            raise
        login_attempt_record(username=username, ip_address=address, user=self.user_cache)
        return data


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin site's sign-in: throttled and audited like Kasane's, and refusing accounts
    that may not use the admin site (AdminAuthenticationForm's check)."""
