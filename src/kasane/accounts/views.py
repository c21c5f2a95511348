from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator

from kasane.accounts.forms import LoginForm
from kasane.accounts.models import Staff
from kasane.privacy.audit import audit_record
from kasane.privacy.models import AuditAction, LegalBasis


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if isinstance(request.user, Staff):
            audit_record(actor=request.user, action=AuditAction.LOGOUT, legal_basis=LegalBasis.NONE)
        return super().post(request, *args, **kwargs)
