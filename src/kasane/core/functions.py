"""The five functions of the program (社会福祉法 §106-4) and where Kasane stands on each."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ProgramFunction:
    slug: str
    title: Promise
    summary: Promise
    # The issue that builds it, shown plainly while the function is not there yet.
    planned_in: str
    # The page of the function once it is built.
    url_name: str = ""
    # Roles besides those who work cases that use the function (its page decides what
    # each sees): volunteers file concern reports; analysts read the community aggregates.
    also_for: frozenset[str] = frozenset()


FUNCTIONS: tuple[ProgramFunction, ...] = (
    ProgramFunction(
        "intake",
        _("Comprehensive consultation"),
        _("Take any consultation, whatever its domain, and record it once."),
        "#3",
        "intake:start",
    ),
    ProgramFunction(
        "coordination",
        _("Multi-agency coordination"),
        _("Cases, lead agencies, referrals and the coordinator's board."),
        "#3",
        "cases:case_list",
    ),
    ProgramFunction(
        "outreach",
        _("Outreach"),
        _("Reach people who never ask: concern reports, contact attempts and stages."),
        "#5",
        "outreach:index",
        frozenset({"volunteer"}),
    ),
    ProgramFunction(
        "participation",
        _("Participation support"),
        _("Connect people to places where they can take part."),
        "#5",
        "participation:opportunity_list",
    ),
    ProgramFunction(
        "community",
        _("Community building"),
        _("Places and activities by area, and the area's issues without names."),
        "#5",
        "community:area_view",
        frozenset({"analyst", "volunteer"}),
    ),
)

FUNCTIONS_BY_SLUG = {f.slug: f for f in FUNCTIONS}
