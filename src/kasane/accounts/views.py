from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kasane.accounts.forms import LoginForm
from kasane.accounts.middleware import two_factor_not_required
from kasane.accounts.models import Staff
from kasane.accounts.notifications import notifications_read as mark_read
from kasane.accounts.notifications import unread_notifications
from kasane.accounts.services import password_change_record
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@method_decorator(two_factor_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if isinstance(request.user, Staff):
            audit.record(
                actor=request.user,
                action=AuditAction.LOGOUT,
                legal_basis=LegalBasis.NONE,
            )
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """A member of staff changes their own password: the current one first, then a new one
    under the NIST rules (settings.AUTH_PASSWORD_VALIDATORS). Other signed-in sessions of the
    account end; this one continues under a new session key."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        assert isinstance(form.user, Staff)
        password_change_record(staff=form.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


def home_panel(request: HttpRequest) -> dict[str, object]:
    """The start page's unread notifications (``kasane.core.home``)."""
    user = request.user
    return {"notifications": unread_notifications(user) if isinstance(user, Staff) else []}


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark the signed-in user's notifications as read."""
    user = request.user
    if isinstance(user, Staff):
        mark_read(user)
    return redirect("core:home")
