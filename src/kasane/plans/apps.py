from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "kasane.plans"
    label = "plans"
    verbose_name = _("Assessment and plans")

    def ready(self) -> None:
        from kasane.core.home import register_panel
        from kasane.plans.views import home_panel

        register_panel("plans", home_panel, order=20)
