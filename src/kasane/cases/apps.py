from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "kasane.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from kasane.cases.views import home_panel
        from kasane.core.home import register_panel

        register_panel("cases", home_panel, order=10)
