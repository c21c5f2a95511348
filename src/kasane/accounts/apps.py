from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    # This module holds two configurations; "kasane.accounts" in INSTALLED_APPS means this one.
    default = True
    name = "kasane.accounts"
    label = "accounts"
    verbose_name = _("Accounts")


class KasaneAdminConfig(admin_apps.AdminConfig):
    """Django's admin with Kasane's site: administrators only, throttled sign-in."""

    default = False
    default_site = "kasane.accounts.sites.KasaneAdminSite"
