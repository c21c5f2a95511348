from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    # This module holds two configurations; "kasane.accounts" in INSTALLED_APPS means this one.
    default = True
    name = "kasane.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in
        from django.core.exceptions import ImproperlyConfigured

        from kasane.accounts.models import Role
        from kasane.accounts.sessions import session_start

        # A mistyped role would silently exempt it from two-factor sign-in: refuse to start.
        unknown = set(settings.KASANE_2FA_REQUIRED_ROLES) - set(Role.values)
        if unknown:
            raise ImproperlyConfigured(
                f"KASANE_2FA_REQUIRED_ROLES names unknown roles: {', '.join(sorted(unknown))}; "
                f"the roles are {', '.join(Role.values)}"
            )
        user_logged_in.connect(session_start, dispatch_uid="kasane.accounts.session_start")

        from kasane.accounts.views import home_panel
        from kasane.core.home import register_panel

        register_panel("notifications", home_panel, order=30)


class KasaneAdminConfig(admin_apps.AdminConfig):
    """Django's admin with Kasane's site: administrators only, throttled sign-in."""

    default = False
    default_site = "kasane.accounts.sites.KasaneAdminSite"
