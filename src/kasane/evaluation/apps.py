from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_indicators(sender: AppConfig, **kwargs: Any) -> None:
    """Every database carries the standard indicator of each registered computation, so the
    dashboard of a new installation is not empty; a municipality may rename them."""
    from kasane.evaluation.dashboard.services import seed_indicators

    seed_indicators(using=kwargs.get("using", "default"))


class EvaluationConfig(AppConfig):
    name = "kasane.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        post_migrate.connect(_seed_indicators, sender=self)
