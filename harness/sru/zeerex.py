"""The ZeeRex explain record (``http://explain.z3950.org/dtd/2.0/``) as an :class:`ExplainInfo`.

Read leniently: an element in no namespace is taken as ZeeRex too (a common slip), and what
cannot be read is a problem, never an exception. Only what a client needs to plan its
requests is kept: versions, host/port/database, context sets, indexes with their CQL names
and titles, schemas, and configInfo's defaults, settings and supports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from harness.rules import Position, Problem
from harness.sru.model import ZEEREX_NS, ContextSet, ExplainInfo, IndexInfo, SchemaInfo
from harness.sru.rules import problem

_SPLIT = re.compile(r"[\s,]+")
_TRUE = ("true", "1", "yes")


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _elements(el: etree._Element, name: str) -> Iterator[etree._Element]:
    """Children named ``name`` in the ZeeRex namespace or in none."""
    for child in el:
        if isinstance(child.tag, str) and _local(child) == name and etree.QName(child).namespace in (ZEEREX_NS, None):
            yield child


def _first(el: etree._Element, name: str) -> etree._Element | None:
    return next(_elements(el, name), None)


def _text(el: etree._Element | None) -> str:
    return "".join(str(t) for t in el.itertext()).strip() if el is not None else ""


def _flag(el: etree._Element, name: str, default: bool) -> bool:
    value = el.get(name)
    return default if value is None else value.strip().lower() in _TRUE


def _where(el: etree._Element) -> Position:
    line = el.sourceline
    return Position(line if isinstance(line, int) else 0, "line", label=_local(el))


def is_zeerex(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and _local(el) == "explain" and etree.QName(el).namespace in (ZEEREX_NS, None)


def read_explain(root: etree._Element) -> tuple[ExplainInfo, list[Problem]]:
    """The explain record's content and the ZeeRex rules it breaks."""
    problems: list[Problem] = []
    server = _first(root, "serverInfo")
    host = port_text = database = protocol = ""
    versions: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    if server is not None:
        protocol = server.get("protocol", "")
        versions = tuple(v for v in _SPLIT.split(server.get("version", "")) if v)
        methods = tuple(m.upper() for m in _SPLIT.split(server.get("method", "")) if m)
        host, port_text, database = (_text(_first(server, n)) for n in ("host", "port", "database"))
    if not (host and port_text and database):
        problems.append(problem("explain-server-info", "serverInfo must give host, port and database; "
                                f"got host={host!r} port={port_text!r} database={database!r}",
                                _where(server if server is not None else root)))
    port = int(port_text) if port_text.isdigit() else None
    database_info = _first(root, "databaseInfo")
    title = _text(_first(database_info, "title")) if database_info is not None else ""
    sets, indexes = _index_info(_first(root, "indexInfo"), problems)
    schemas = _schema_info(_first(root, "schemaInfo"), problems)
    defaults, settings, supports = _config_info(_first(root, "configInfo"), problems)
    info = ExplainInfo(protocol, versions, host, port, database, title, sets, indexes, schemas, defaults, settings, supports,
                       methods)
    return info, problems


def _index_info(el: etree._Element | None, problems: list[Problem]) -> tuple[tuple[ContextSet, ...], tuple[IndexInfo, ...]]:
    if el is None:
        return (), ()
    sets = tuple(ContextSet(s.get("name", ""), s.get("identifier", "")) for s in _elements(el, "set"))
    declared = {s.name for s in sets}
    indexes = []
    for index in _elements(el, "index"):
        titles = tuple(_text(t) for t in _elements(index, "title"))
        names = tuple((n.get("set", ""), _text(n)) for m in _elements(index, "map") for n in _elements(m, "name"))
        if not names:
            problems.append(problem("explain-index-without-name", f"index {titles[0] if titles else '(untitled)'!r} has no map/name", _where(index)))
        for context, name in names:
            if context and context not in declared:
                problems.append(problem("explain-undeclared-set", f"index name {context}.{name}: set {context!r} is not declared in indexInfo", _where(index)))
        indexes.append(IndexInfo(titles, names, _flag(index, "search", True), _flag(index, "scan", False), _flag(index, "sort", False)))
    return sets, tuple(indexes)


def _schema_info(el: etree._Element | None, problems: list[Problem]) -> tuple[SchemaInfo, ...]:
    if el is None:
        return ()
    schemas = []
    for schema in _elements(el, "schema"):
        identifier = schema.get("identifier", "")
        if not identifier:
            problems.append(problem("explain-schema-without-identifier", f"schema {schema.get('name', '')!r} has no identifier", _where(schema)))
        schemas.append(SchemaInfo(schema.get("name", ""), identifier, _text(_first(schema, "title")),
                                  _flag(schema, "sort", False), _flag(schema, "retrieve", True)))
    return tuple(schemas)


_NUMERIC_CONFIG = ("numberOfRecords", "maximumRecords", "maximumTerms", "numberOfTerms")


def _config_info(el: etree._Element | None, problems: list[Problem]) -> tuple[tuple[tuple[str, str], ...], ...]:
    if el is None:
        return (), (), ()
    groups = []
    for kind in ("default", "setting", "supports"):
        pairs = tuple((e.get("type", ""), _text(e)) for e in _elements(el, kind))
        for key, value in pairs:
            if kind != "supports" and key in _NUMERIC_CONFIG and not value.isdigit():
                problems.append(problem("explain-config-value", f"configInfo {kind} {key} = {value!r} is not a number", _where(el)))
        groups.append(pairs)
    return tuple(groups)
