"""Reads of the self-assessment of the support system: a 年度's scores beside the
indicators that evidence them, the history of the scores, and the PDCA records.

No person is ever read here: the evidence is the registry's aggregate counts (or a
hand-entered survey value), and for analysts a count from 1 to 4 is not shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, Prefetch, Q
from django.http import Http404

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.core.dates import current_fiscal_year
from kasane.evaluation.access import aggregates_only, may_edit, may_see
from kasane.evaluation.computations import REGISTRY, compute
from kasane.evaluation.figures import published_figure
from kasane.evaluation.models import (
    ChecklistAnswer,
    ChecklistItem,
    Indicator,
    IndicatorSource,
    ManualValue,
    PdcaReview,
    SelfAssessment,
    SystemFunction,
)
from kasane.evaluation.system.services import FIRST_FISCAL_YEAR

PDCA_PAGE_SIZE = 20
ONE_DECIMAL = Decimal("0.1")


def require(allowed: bool) -> None:
    """Roles without access learn nothing, as for a page that does not exist."""
    if not allowed:
        raise Http404


def fiscal_years_offered() -> list[int]:
    """Newest first, from the current 年度 back to the first under §106-3."""
    return list(range(current_fiscal_year(), FIRST_FISCAL_YEAR - 1, -1))


def parse_fiscal_year(value: str | None) -> int:
    """The 年度 asked for, if it is one the pages offer; else the current one."""
    try:
        year = int(value or "")
    except ValueError:
        return current_fiscal_year()
    return year if year in fiscal_years_offered() else current_fiscal_year()


def average(scores: Iterable[int]) -> Decimal | None:
    values = list(scores)
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(ONE_DECIMAL, ROUND_HALF_UP)


# --- evidence ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """An indicator's value for a 年度 as shown: ``None`` when there is none, ``hidden``
    when it is a small count an analyst may not see."""

    number: Decimal | None
    hidden: bool = False

    @property
    def text(self) -> str:
        if self.hidden or self.number is None:
            return "—"
        return f"{self.number.normalize():f}"


@dataclass(frozen=True)
class Evidence:
    indicator: Indicator
    this_year: Value
    previous_year: Value
    available: bool  # False: a computation not registered in this version of Kasane


def _computed(indicator: Indicator) -> str | None:
    code = indicator.computation or indicator.code
    return code if indicator.source == IndicatorSource.COMPUTED and code in REGISTRY else None


def evidence_values(
    *, actor: Staff, indicators: Iterable[Indicator], years: tuple[int, int]
) -> dict[int, Evidence]:
    """Each indicator's value for the 年度 and the one before, by indicator id: a computed
    one through the registry (once per indicator and year, however many questions cite
    it), a hand-entered one from its value for the year."""
    unique = {i.pk: i for i in indicators}
    manual = {
        (entry.indicator_id, entry.fiscal_year): entry.value
        for entry in ManualValue.objects.filter(
            indicator_id__in=[pk for pk, i in unique.items() if i.source == IndicatorSource.MANUAL],
            fiscal_year__in=years,
        )
    }
    small_hidden = aggregates_only(actor)

    def value(indicator: Indicator, year: int) -> Value:
        code = _computed(indicator)
        if code is None:  # entered by hand: a survey's result, not a count of persons
            return Value(manual.get((indicator.pk, year)), False)
        result = compute(code, year)
        if not small_hidden:
            return Value(result.value, False)
        # Analysts: the dashboard's one rule (counts perturbed by their cell keys, shares
        # from the published counts).
        shown = published_figure(result, indicator.unit)
        return Value(shown.value, shown.hidden)

    result = {}
    for pk, indicator in unique.items():
        available = indicator.source == IndicatorSource.MANUAL or _computed(indicator) is not None
        result[pk] = Evidence(
            indicator,
            value(indicator, years[0]) if available else Value(None),
            value(indicator, years[1]) if available else Value(None),
            available,
        )
    return result


# --- one 年度 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    item: ChecklistItem
    answer: ChecklistAnswer | None
    evidence: list[Evidence]


@dataclass
class FunctionBlock:
    function: SystemFunction
    rows: list[ItemRow] = field(default_factory=list)

    @property
    def average(self) -> Decimal | None:
        return average(r.answer.score for r in self.rows if r.answer is not None)

    @property
    def scored(self) -> int:
        return sum(1 for r in self.rows if r.answer is not None)


@dataclass(frozen=True)
class AssessmentPage:
    fiscal_year: int
    previous_year: int
    assessment: SelfAssessment | None
    blocks: list[FunctionBlock]
    may_edit: bool

    @property
    def item_count(self) -> int:
        return sum(len(b.rows) for b in self.blocks)


def active_items() -> list[ChecklistItem]:
    return list(
        ChecklistItem.objects.filter(is_active=True).prefetch_related(
            Prefetch("evidence", queryset=Indicator.objects.order_by("code"))
        )
    )


def assessment_page(*, actor: Staff, fiscal_year: int) -> AssessmentPage:
    """The 年度's checklist by function: each question's score and comment, the evidence
    indicators' values for the 年度 and the one before, and each function's average.

    Questions retired since still show under a 年度 that scored them."""
    require(may_see(actor))
    assessment = (
        SelfAssessment.objects.select_related("assessed_by", "updated_by")
        .filter(fiscal_year=fiscal_year)
        .first()
    )
    answers: dict[int, ChecklistAnswer] = {}
    if assessment is not None:
        answers = {a.item_id: a for a in assessment.answers.all()}
    items = list(ChecklistItem.objects.filter(Q(is_active=True) | Q(pk__in=list(answers))))
    evidence_of: dict[int, list[Indicator]] = defaultdict(list)
    links = ChecklistItem.evidence.through.objects.filter(
        checklistitem_id__in=[i.pk for i in items]
    ).select_related("indicator")
    for link in sorted(links, key=lambda link: link.indicator.code):
        evidence_of[link.checklistitem_id].append(link.indicator)
    years = (fiscal_year, fiscal_year - 1)
    values = evidence_values(
        actor=actor,
        indicators=[i for group in evidence_of.values() for i in group],
        years=years,
    )
    blocks = {f: FunctionBlock(f) for f in SystemFunction}
    for item in items:
        blocks[SystemFunction(item.function)].rows.append(
            ItemRow(item, answers.get(item.pk), [values[i.pk] for i in evidence_of[item.pk]])
        )
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.SELF_ASSESSMENT,
        object_id=str(fiscal_year),
        detail={"filters": {"fy": fiscal_year}, "indicators": len(values)},
    )
    return AssessmentPage(
        fiscal_year=fiscal_year,
        previous_year=fiscal_year - 1,
        assessment=assessment,
        blocks=list(blocks.values()),
        may_edit=may_edit(actor),
    )


def answers_for_form(fiscal_year: int) -> dict[str, Any]:
    """The 年度's current scores and comments as form initial data."""
    initial: dict[str, Any] = {}
    assessment = SelfAssessment.objects.filter(fiscal_year=fiscal_year).first()
    if assessment is None:
        return initial
    initial["note"] = assessment.note
    for answer in assessment.answers.select_related("item"):
        initial[f"score_{answer.item.code}"] = answer.score
        initial[f"comment_{answer.item.code}"] = answer.comment
    return initial


# --- history -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    fiscal_year: int
    averages: list[Decimal | None]  # in SystemFunction order
    answered: int


def history() -> list[HistoryRow]:
    """Every scored 年度, oldest first, with each function's average score: one aggregate
    query however many years and questions."""
    rows = (
        ChecklistAnswer.objects.values("assessment__fiscal_year", "item__function")
        .annotate(mean=Avg("score"), n=Count("pk"))
        .order_by()
    )
    by_year: dict[int, dict[str, tuple[Decimal, int]]] = defaultdict(dict)
    for row in rows:
        mean = Decimal(str(row["mean"])).quantize(ONE_DECIMAL, ROUND_HALF_UP)
        by_year[row["assessment__fiscal_year"]][row["item__function"]] = (mean, row["n"])
    result = []
    for year in sorted(by_year):
        cells = by_year[year]
        result.append(
            HistoryRow(
                year,
                [cells[f][0] if f in cells else None for f in SystemFunction],
                sum(n for _mean, n in cells.values()),
            )
        )
    return result


# --- PDCA --------------------------------------------------------------------------------


def pdca_list(*, actor: Staff, page: int, fiscal_year: int | None = None) -> Page[PdcaReview]:
    require(may_see(actor))
    reviews = PdcaReview.objects.select_related("recorded_by")
    if fiscal_year is not None:
        reviews = reviews.filter(fiscal_year=fiscal_year)
    return Paginator(reviews, PDCA_PAGE_SIZE).get_page(page)


def reviews_of_year(fiscal_year: int, limit: int = 10) -> list[PdcaReview]:
    """The 年度's latest review records, for the self-assessment page."""
    return list(PdcaReview.objects.filter(fiscal_year=fiscal_year)[:limit])


def get_pdca_review(*, actor: Staff, public_id: UUID) -> PdcaReview:
    require(may_see(actor))
    review = PdcaReview.objects.select_related("recorded_by").filter(public_id=public_id).first()
    if review is None:
        raise Http404
    return review
