"""Small accessors on pymarc records that the checks, the sandbox and the writer share."""

from __future__ import annotations

import pymarc

# The National Library's supplier prefix for records from Biblioteksentralen (since
# 2020-11-01); Bokbasen, the earlier supplier, used (NO-OsBAS). research/marc.md §4.2.
OSBA_PREFIX = "(NO-OsBA)"


def control_number(record: pymarc.Record) -> str | None:
    fields = record.get_fields("001")
    return fields[0].data if fields else None


def osba_number(record: pymarc.Record) -> str | None:
    """The 035 $a (NO-OsBA)... that identifies a national delivery record, if any."""
    for field in record.get_fields("035"):
        for value in field.get_subfields("a"):
            if value.startswith(OSBA_PREFIX):
                return value
    return None
