"""`in` on integer columns ignores numbers the column cannot hold.

Django already does this for `exact`, `lt`, `gt`… (IntegerFieldOverflow), but not for `in`: a form's
multiple choice of ids posted with a number past 64 bits (`themes=10**30`) made SQLite raise OverflowError, a
500, from ModelMultipleChoiceField's own check. Such a number matches no row on any database, so it is left
out of the list (and a list left empty matches nothing), exactly as `exact` treats it.
"""

from copy import copy

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().process_rhs(compiler, connection)
        low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
        kept = [value for value in self.rhs if _within(value, low, high)]
        if not kept:
            raise EmptyResultSet
        lookup = copy(self)
        lookup.rhs = kept
        return In.process_rhs(lookup, compiler, connection)


def _within(value, low, high) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return True  # not a plain number: the field's own preparation decides
    return (low is None or value >= low) and (high is None or value <= high)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
