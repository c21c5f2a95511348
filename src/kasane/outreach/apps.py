from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "kasane.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from kasane.core.home import register_panel
        from kasane.outreach.views import home_panel

        register_panel("outreach", home_panel, order=40)
