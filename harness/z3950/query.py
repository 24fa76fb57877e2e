"""Type-1 (RPN) queries: terms with attributes, combined by Boolean and proximity operators.

Z39.50-2003 3.7.1 (type-1 query) and Appendix ATR (Bib-1 attributes, 1.2.840.10003.3.1):
an operand is a term with a list of attributes (type 1 Use, 2 Relation, 3 Position,
4 Structure, 5 Truncation, 6 Completeness) or a result set; operators are AND, OR, AND-NOT
and proximity. :func:`harness.z3950.pqf.parse` reads YAZ's Prefix Query Format into these
values; :meth:`RpnQuery.pqf` writes them back, which is also how evidence shows a query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from harness.z3950.oids import BIB1_ATTRIBUTES, EXP1_ATTRIBUTES

ATTRIBUTE_SET_NAMES: Mapping[str, str] = MappingProxyType({
    "bib-1": BIB1_ATTRIBUTES, "bib1": BIB1_ATTRIBUTES, "exp-1": EXP1_ATTRIBUTES,
})
_SET_NAME_OF = {BIB1_ATTRIBUTES: "bib-1", EXP1_ATTRIBUTES: "exp-1"}

# Bib-1 attribute types (Appendix ATR, ATR.1)
USE, RELATION, POSITION, STRUCTURE, TRUNCATION, COMPLETENESS = 1, 2, 3, 4, 5, 6


@dataclass(frozen=True, slots=True)
class Attribute:
    """One AttributeElement: type and value (numeric, or a string for 'complex' values)."""

    type: int
    value: int | str
    attribute_set: str | None = None  # per-element set OID; None = the query's set

    def pqf(self) -> str:
        value = self.value if isinstance(self.value, int) else _quote(self.value)
        prefix = f"{_SET_NAME_OF.get(self.attribute_set, self.attribute_set)} " if self.attribute_set else ""
        return f"@attr {prefix}{self.type}={value}"

    def to_asn1(self) -> dict[str, Any]:
        value: tuple[str, Any]
        if isinstance(self.value, int):
            value = ("numeric", self.value)
        else:
            value = ("complex", {"list": [("string", self.value.encode("utf-8"))]})
        element: dict[str, Any] = {"attributeType": self.type, "attributeValue": value}
        if self.attribute_set:
            element["attributeSet"] = self.attribute_set
        return element


@dataclass(frozen=True, slots=True)
class Term:
    """A term and its attributes (AttributesPlusTerm).

    ``value`` as ``str`` travels as a ``general`` term in UTF-8 (what every YAZ-based target
    expects), as ``bytes`` exactly as given (to test a target with another charset), as
    ``int`` as a ``numeric`` term. ``kind="characterString"`` sends a str as that choice.
    """

    value: str | bytes | int
    attributes: tuple[Attribute, ...] = ()
    kind: str = "general"

    def attribute(self, type_: int) -> int | str | None:
        """The value of the first attribute of ``type_``, or None."""
        return next((a.value for a in self.attributes if a.type == type_), None)

    def to_asn1(self) -> dict[str, Any]:
        return {"attributes": [a.to_asn1() for a in self.attributes], "term": self._term()}

    def _term(self) -> tuple[str, Any]:
        if isinstance(self.value, int):
            return ("numeric", self.value)
        data = self.value.encode("utf-8") if isinstance(self.value, str) else self.value
        return ("characterString" if self.kind == "characterString" else "general", data)

    def pqf(self) -> str:
        attributes = "".join(f"{a.pqf()} " for a in self.attributes)
        if isinstance(self.value, int):
            return f"{attributes}@term numeric {self.value}"
        text = self.value if isinstance(self.value, str) else self.value.decode("latin-1")
        kind = "@term string " if self.kind == "characterString" else ""
        return f"{attributes}{kind}{_quote(text)}"


@dataclass(frozen=True, slots=True)
class ResultSetRef:
    """A result set as an operand (Operand.resultSet)."""

    name: str

    def pqf(self) -> str:
        return f"@set {_quote(self.name)}"


@dataclass(frozen=True, slots=True)
class Proximity:
    """ProximityOperator: distance, order, relation (1..6) and a known unit (2 = word)."""

    distance: int = 1
    ordered: bool = True
    relation: int = 2  # lessThanOrEqual
    unit: int = 2  # word
    exclusion: bool = False
    known_unit: bool = True

    def to_asn1(self) -> dict[str, Any]:
        return {
            "exclusion": self.exclusion, "distance": self.distance, "ordered": self.ordered,
            "relationType": self.relation,
            "proximityUnitCode": ("known" if self.known_unit else "private", self.unit),
        }

    def pqf(self) -> str:
        which = "k" if self.known_unit else "p"
        return f"@prox {int(self.exclusion)} {self.distance} {int(self.ordered)} {self.relation} {which} {self.unit}"


OPERATORS = ("and", "or", "and-not", "prox")
_PQF_OPERATOR = {"and": "@and", "or": "@or", "and-not": "@not"}


@dataclass(frozen=True, slots=True)
class Operation:
    """Two operands joined by an operator: "and", "or", "and-not" or "prox"."""

    operator: str
    left: Node
    right: Node
    proximity: Proximity | None = None

    def __post_init__(self) -> None:
        if self.operator not in OPERATORS:
            raise ValueError(f"operator must be one of {', '.join(OPERATORS)}, not {self.operator!r}")
        if (self.operator == "prox") != (self.proximity is not None):
            raise ValueError("a proximity operation needs its Proximity, and only it")

    def pqf(self) -> str:
        op = self.proximity.pqf() if self.proximity is not None else _PQF_OPERATOR[self.operator]
        return f"{op} {self.left.pqf()} {self.right.pqf()}"


Node = Term | ResultSetRef | Operation


@dataclass(frozen=True, slots=True)
class RpnQuery:
    """A type-1 query: the attribute set and the tree."""

    root: Node
    attribute_set: str = BIB1_ATTRIBUTES

    def pqf(self) -> str:
        prefix = "" if self.attribute_set == BIB1_ATTRIBUTES else \
            f"@attrset {_SET_NAME_OF.get(self.attribute_set, self.attribute_set)} "
        return prefix + self.root.pqf()

    def to_asn1(self) -> tuple[str, Any]:
        return ("type-1", {"attributeSet": self.attribute_set, "rpn": node_to_asn1(self.root)})


def node_to_asn1(node: Node) -> tuple[str, Any]:
    if isinstance(node, Term):
        return ("op", ("attrTerm", node.to_asn1()))
    if isinstance(node, ResultSetRef):
        return ("op", ("resultSet", node.name.encode("utf-8")))
    operator: tuple[str, Any] = (
        ("prox", node.proximity.to_asn1()) if node.proximity is not None else (node.operator, None)
    )
    return ("rpnRpnOp", {"rpn1": node_to_asn1(node.left), "rpn2": node_to_asn1(node.right), "op": operator})


def query_from_asn1(value: tuple[str, Any]) -> RpnQuery | None:
    """The type-1 (or type-101) query in a Query value; None for other query types."""
    kind, body = value
    if kind not in ("type-1", "type-101"):
        return None
    return RpnQuery(node_from_asn1(body["rpn"]), str(body["attributeSet"]))


def node_from_asn1(value: tuple[str, Any]) -> Node:
    kind, body = value
    if kind == "op":
        operand_kind, operand = body
        if operand_kind == "attrTerm":
            return term_from_asn1(operand)
        if operand_kind == "resultSet":
            return ResultSetRef(bytes(operand).decode("utf-8", "replace"))
        return ResultSetRef(bytes(operand["resultSet"]).decode("utf-8", "replace"))
    op_kind, op_body = body["op"]
    proximity = None
    if op_kind == "prox":
        unit_kind, unit = op_body["proximityUnitCode"]
        proximity = Proximity(op_body["distance"], op_body["ordered"], op_body["relationType"], unit,
                              op_body.get("exclusion", False), unit_kind == "known")
    return Operation(op_kind, node_from_asn1(body["rpn1"]), node_from_asn1(body["rpn2"]), proximity)


def term_from_asn1(value: dict[str, Any]) -> Term:
    """AttributesPlusTerm as a :class:`Term` (a general term that is not UTF-8 stays bytes)."""
    attributes = tuple(_attribute_from_asn1(a) for a in value["attributes"])
    kind, raw = value["term"]
    term: str | bytes | int
    if kind == "numeric":
        term = int(raw)
    elif isinstance(raw, (bytes, bytearray)):
        try:
            term = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            term = bytes(raw)
    else:
        term = str(raw)
    return Term(term, attributes, "characterString" if kind == "characterString" else "general")


def _attribute_from_asn1(element: dict[str, Any]) -> Attribute:
    kind, value = element["attributeValue"]
    if kind == "numeric":
        typed: int | str = int(value)
    else:
        parts = [p[1] for p in value["list"]]
        typed = " ".join(bytes(p).decode("utf-8", "replace") if isinstance(p, (bytes, bytearray)) else str(p)
                         for p in parts)
    return Attribute(int(element["attributeType"]), typed, element.get("attributeSet"))


def _quote(text: str) -> str:
    if text and all(c.isalnum() or c in "-_.:/'" for c in text) and not text.startswith("@"):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
