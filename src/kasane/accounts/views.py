from uuid import UUID

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kasane.accounts import access_requests as grants
from kasane.accounts.forms import AccessDecisionForm, LoginForm
from kasane.accounts.middleware import two_factor_not_required
from kasane.accounts.models import Staff
from kasane.accounts.notifications import notifications_read as mark_read
from kasane.accounts.notifications import unread_notifications
from kasane.accounts.services import password_change_record
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis
from kasane.core.web import require_role


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


@require_http_methods(["GET"])
def access_requests(request: HttpRequest) -> HttpResponse:
    """Access asked for accounts, waiting for the actor's confirmation (coordinators and the
    agency's approvers; 404 to anyone else)."""
    actor = require_role(request, grants.may_confirm_any)
    rows = grants.pending_for(actor)
    return render(
        request,
        "accounts/access_requests.html",
        {"rows": rows, "form": AccessDecisionForm()},
    )


@require_POST
def access_request_decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Confirm or refuse one request; the refusals of the service come back as messages."""
    actor = require_role(request, grants.may_confirm_any)
    access_request = grants.get_request_for_confirmer(actor, public_id)
    form = AccessDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to confirm or to refuse."))
        return redirect("accounts:access_requests")
    note = form.cleaned_data["note"]
    try:
        if form.cleaned_data["decision"] == "confirm":
            grants.access_request_confirm(actor=actor, request=access_request, note=note)
            messages.success(request, _("Access confirmed; it takes effect at once."))
        else:
            grants.access_request_refuse(actor=actor, request=access_request, note=note)
            messages.success(request, _("Access refused; the account is back where it was."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("accounts:access_requests")
