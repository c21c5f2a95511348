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
    # たらい回し
    "accepted_later": _("accepted after being passed on"),
    "not_accepted": _("not accepted anywhere yet"),
    # UCLA loneliness score
    "better": _("improved"),
    "same": _("unchanged"),
    "worse": _("worsened"),
    "persons": _("persons measured twice"),
    "mean_before": _("mean score before"),
    "mean_after": _("mean score after"),
    # meetings
    "support_meeting": _("support meetings (art. 106-6)"),
    "integrated_meeting": _("integrated support meetings"),
    "cases_support_meeting": _("cases taken up at support meetings"),
    "cases_integrated_meeting": _("cases taken up at integrated support meetings"),
    # unmet needs, places
    "developed": _("met by a place developed"),
    "still_unmet": _("still unmet"),
    "places": _("places"),
    "districts": _("junior high school districts"),
    "districts_without": _("districts without a place"),
    # plans and reviews
    "first": _("first plans"),
    "revised": _("revised plans"),
    "drafts_started": _("drafts started"),
    "on_time": _("on time"),
    "late": _("late"),
    "overdue": _("overdue, not held"),
    "on_time_share": _("share on time"),
    "median_days": _("median days"),
    "p90_days": _("90th percentile of days"),
    "mean_days": _("mean days"),
    # outreach
    "new": _("new"),
    "returned": _("returned"),
    "outreach_channel": _("taken by outreach"),
    "outreach_target": _("on a case an outreach target became"),
    "outreach_consultations": _("consultations reached through outreach"),
    "watch_business": _("businesses with a watch agreement"),
    "to_target": _("became an outreach target"),
    # collaboration, caseload, matches
    "pairs_last_year": _("pairs in the previous fiscal year"),
    "new_pairs": _("pairs new this fiscal year"),
    "open_cases": _("open cases"),
    "staff": _("staff"),
    "settled_of_started": _("settled, of those started"),
    "settlement_rate": _("settlement rate"),
}

# Where one computation's key means something else than the same code in the choices
# (the reporter kind "volunteer" is not a place's kind "volunteer activity").
PER_CODE = {
    ("concern_reports", "volunteer"): _("commissioned welfare volunteers"),
    ("reviews_on_time", "held"): _("reviews held"),
}


def key_labels() -> dict[str, str]:
    """Every known key with its label (one query, for the need taxonomy); a computation's
    own word for a key is under ``"code:key"`` (see :func:`label`)."""
    labels: dict[str, str] = {}
    for choices in CHOICES:
        labels.update({value: str(label) for value, label in choices.choices})
    labels.update(dict(NeedType.objects.values_list("code", "name")))
    labels.update({k: str(v) for k, v in EXTRA.items()})
    labels.update({f"{code}:{key}": str(v) for (code, key), v in PER_CODE.items()})
    return labels


def label(labels: dict[str, str], code: str, key: str) -> str:
    """The word for ``key`` in the breakdown of computation ``code``; the key itself when
    there is none (a name of an agency or a school district is its own label)."""
    return labels.get(f"{code}:{key}") or labels.get(key, key)
