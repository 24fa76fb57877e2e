"""Stable anchors in scorecard.html, so other documents can link to one requirement or check.

``harness compare`` links each cell of its matrix to ``scorecard.html#req-SIP-03`` of that run,
and a procurement memo may quote ``#check-sip2-test_wire.py--test_tls``: an anchor must not
change between runs or with the order of the checks. A requirement's anchor is its id; a
check's is its node id with ``/`` and ``:`` written as ``-``. Node ids with any other character
(pytest parameters such as ``[consortium/nb]``) get a short SHA-256 of the id appended, so two
ids that differ only in such characters never share an anchor.
"""

from __future__ import annotations

import hashlib
import re

_PLAIN = re.compile(r"[A-Za-z0-9_./:]+")
_REPLACED = re.compile(r"[^A-Za-z0-9_.]")


def requirement_anchor(req_id: str) -> str:
    return "req-" + _REPLACED.sub("-", req_id)


def check_anchor(check_id: str) -> str:
    slug = _REPLACED.sub("-", check_id)
    if _PLAIN.fullmatch(check_id):
        return "check-" + slug
    return f"check-{slug}-{hashlib.sha256(check_id.encode('utf-8')).hexdigest()[:8]}"
