from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kasane.accounts import two_factor
from kasane.accounts.error_codes import ErrorCode
from kasane.accounts.services import client_address, login_attempt_record, login_throttled

# The same words whether or not the account exists: the lock must not tell a guesser which
# user names are real (unknown names are counted and locked alike).
THROTTLED_MESSAGE = _(
    "Too many failed sign-ins. Wait %(minutes)d minutes and try again, "
    "or ask your system administrator to unlock your account."
)


def throttled_error() -> forms.ValidationError:
    return forms.ValidationError(
        THROTTLED_MESSAGE,
        code=ErrorCode.THROTTLED,
        params={"minutes": settings.KASANE_LOGIN_WINDOW_MINUTES},
    )


class LoginForm(AuthenticationForm):
    """Django's sign-in form, throttled per account and per address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The user name or password is not correct."),
        "throttled": THROTTLED_MESSAGE,
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else None
        if username and login_throttled(username=username, ip_address=address):
            login_attempt_record(username=username, ip_address=address, user=None, throttled=True)
            raise throttled_error()
        try:
            data = super().clean()
        except forms.ValidationError:
            login_attempt_record(username=username, ip_address=address, user=None)
            raise
        user = self.user_cache
        login_attempt_record(
            username=username,
            ip_address=address,
            user=user,
            second_factor_pending=user is not None and two_factor.needs_second_factor(user),
        )
        return data


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin site's sign-in: throttled and audited like Kasane's, and refusing accounts
    that may not use the admin site (AdminAuthenticationForm's check)."""


class CodeForm(forms.Form):
    """The code of the authenticator app, or one recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        help_text=_("After adding Kasane to the app, type the six digits it shows."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class AccessDecisionForm(forms.Form):
    """Confirm or refuse one access request; a refusal says why."""

    decision = forms.ChoiceField(choices=[("confirm", "confirm"), ("refuse", "refuse")])
    note = forms.CharField(
        label=pgettext_lazy("access request", "Note"), max_length=500, required=False
    )
