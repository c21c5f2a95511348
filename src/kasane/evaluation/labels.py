"""Words for the keys of computations' breakdowns and figures: the codes are those of the
records' choices (channels, domains, statuses…), shown with the choices' own labels."""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from kasane.cases.models import CaseStatus, ReferralStatus, Triage
from kasane.core.models import Domain
from kasane.intake.models import Channel, NeedType, Requester
from kasane.outreach.models import CloseReason, Stage
from kasane.participation.models import MatchEndReason, MatchStage, OpportunityKind
from kasane.plans.models import ClosureReason, ReviewKind

CHOICES: tuple[type[TextChoices], ...] = (
    Channel,
    Requester,
    Domain,
    CaseStatus,
    Triage,
    ReferralStatus,
    ClosureReason,
    ReviewKind,
    Stage,
    CloseReason,
    MatchStage,
    MatchEndReason,
    OpportunityKind,
)

EXTRA = {
    "untriaged": _("not triaged"),
    "none": _("no main need"),
    "cases": _("cases"),
    "agencies": _("agencies"),
    "median_days_to_answer": _("median days to answer"),
    "mean_agencies_per_case": _("mean agencies per case"),
    "goals_achieved_share": _("share closed with goals achieved"),
}


def key_labels() -> dict[str, str]:
    """Every known key with its label (one query, for the need taxonomy)."""
    labels: dict[str, str] = {}
    for choices in CHOICES:
        labels.update({value: str(label) for value, label in choices.choices})
    labels.update(dict(NeedType.objects.values_list("code", "name")))
    labels.update({k: str(v) for k, v in EXTRA.items()})
    return labels
