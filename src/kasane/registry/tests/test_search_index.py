"""The person search is served by the bigram index of the database in use, not a scan.

Trigram indexes cannot serve the two-character surnames most people have (ENVIRONMENT.md),
so both databases index the bigrams of the normalised name and kana.
"""

from typing import Any

import pytest
from django.db import connection

from kasane.core import kana
from kasane.registry.models import Person
from kasane.registry.selectors import _index_filter


def _plan(sql: str, params: list[Any]) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # On a table of a few rows the planner prefers a scan; forbid it to see that the
            # index can serve the query at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


@pytest.mark.parametrize("query", ["佐藤", "サト", "藤", "ｻﾄｳﾊﾅｺ"])
def test_search_uses_the_bigram_index(db, query):
    queryset = Person.objects.filter(_index_filter(kana.query_tokens(query))).values("id")
    sql, params = queryset.query.sql_with_params()
    plan = _plan(sql, list(params))
    if connection.vendor == "postgresql":
        assert "registry_person_search_tokens" in plan, plan
    else:
        assert "VIRTUAL TABLE INDEX" in plan and "registry_person_fts" in plan, plan
