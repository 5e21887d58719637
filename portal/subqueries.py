"""Correlated subqueries that several areas annotate their rows with.

A count of related rows as a correlated subquery, rather than a join and GROUP BY, keeps the outer query
free of grouping: the outer rows stay whole (their other annotations and aggregates are not multiplied by
the join) and the count can be summed in an aggregate of its own (the dashboards do)."""

from django.db.models import Aggregate, Count, IntegerField, JSONField, QuerySet, Subquery
from django.db.models.functions import Coalesce, JSONArray


def correlated_count(rows: QuerySet, *, by: str) -> Coalesce:
    """How many of `rows` there are, as an expression to annotate the outer query with: 0 when there are
    none (not NULL).

    `rows` is correlated with the outer query (filtered on an OuterRef) and `by` names the column it is
    correlated on, e.g. `correlated_count(IdeaSupport.objects.filter(idea=OuterRef("pk")), by="idea")`.
    Grouping by that column makes the count one row per outer row, computed by the database in the outer
    query (no query of its own, however many rows the outer query reads). Grouping by anything else could
    give several rows: PostgreSQL refuses such a subquery rather than pick one."""
    counted = rows.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class JSONList(Aggregate):
    """The grouped values as a JSON array (a list in Python): JSON_GROUP_ARRAY on SQLite, JSONB_AGG on
    PostgreSQL (jsonb, which Django reads as JSON text like SQLite's). In no particular order."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def correlated_values(rows: QuerySet, *, by: str, fields: list[str]) -> Subquery:
    """The `fields` of each of `rows`, as a list of lists in no particular order (None, not [], when there
    are none): for an outer row that shows a few related rows, and would otherwise read them with a query
    of its own. `rows` and `by` as for correlated_count. Only for a few rows: they come back in the outer
    row, as JSON."""
    listed = rows.order_by().values(by).annotate(values=JSONList(JSONArray(*fields))).values("values")
    return Subquery(listed, output_field=JSONField())
