"""The graph's type system (node types, edge types, attributes), read from ``schema.yaml``.

Kept in data so an operator can add an attribute or a synonym without touching code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge_graph.errors import DataIssue, KnowledgeDataError
from knowledge_graph.marked_yaml import MarkedDict, load_marked

ATTRIBUTE_KINDS = {"money", "percent", "int", "bool", "text", "list"}
UNLIMITED = "unlimited"


@dataclass(frozen=True)
class AttributeSpec:
    key: str
    kind: str
    label: str
    unit: str = ""
    aliases: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()  # attributes shown alongside this one (fee -> minimum, maximum)
    after_name: tuple[str, ...] = ()  # words naming it right after a product's name ("phone banking number")


@dataclass(frozen=True)
class EdgeType:
    key: str
    label: str
    sources: frozenset[str]
    targets: frozenset[str]


@dataclass(frozen=True)
class NodeType:
    key: str
    label: str
    nouns: tuple[str, ...]
    default_attributes: tuple[str, ...] = ()


@dataclass
class Schema:
    bank_name: str
    node_types: dict[str, NodeType] = field(default_factory=dict)
    edge_types: dict[str, EdgeType] = field(default_factory=dict)
    attributes: dict[str, AttributeSpec] = field(default_factory=dict)

    def check_value(self, key: str, value: Any) -> str | None:
        """Return why ``value`` is not a valid value of attribute ``key``, or None if it is."""
        spec = self.attributes.get(key)
        if spec is None:
            return f"unknown attribute {key!r} (declare it in schema.yaml)"
        ok = {
            "money": lambda v: v == UNLIMITED or _is_number(v) and v >= 0,
            "percent": lambda v: _is_number(v) and 0 <= v <= 100,
            "int": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
            "bool": lambda v: isinstance(v, bool),
            "text": lambda v: isinstance(v, str) and v.strip() != "",
            "list": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
        }[spec.kind](value)
        return None if ok else f"attribute {key!r} must be a {spec.kind}, got {value!r}"

    def format_value(self, key: str, value: Any) -> str:
        """Render a value the way a customer should read it (``CNY 1,200``, ``1.5%``, ``yes``)."""
        spec = self.attributes[key]
        if spec.kind == "money":
            return "no limit" if value == UNLIMITED else f"CNY {_num(value)}"
        if spec.kind == "percent":
            return f"{_num(value)}%"
        if spec.kind == "int":
            return f"{value} {spec.unit}".strip()
        if spec.kind == "bool":
            return "yes" if value else "no"
        if spec.kind == "list":
            return "; ".join(value)
        return str(value)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _num(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0")


def load_schema(path: Path) -> Schema:
    """Read and validate schema.yaml."""
    raw = load_marked(path)
    issues: list[DataIssue] = []

    def need(mapping: Any, key: str, where: MarkedDict | None) -> Any:
        if not isinstance(mapping, dict) or key not in mapping:
            issues.append(DataIssue(path, getattr(where, "line", 0), f"missing {key!r}"))
            return None
        return mapping[key]

    if not isinstance(raw, MarkedDict):
        raise KnowledgeDataError([DataIssue(path, 1, "schema must be a mapping")])
    schema = Schema(bank_name=str(need(raw, "bank_name", raw) or ""))
    for key, spec in (need(raw, "node_types", raw) or {}).items():
        schema.node_types[key] = NodeType(key, spec.get("label", key), tuple(spec.get("nouns", [])),
                                          tuple(spec.get("default_attributes", [])))
    for key, spec in (need(raw, "edge_types", raw) or {}).items():
        line = raw["edge_types"].line_of(key)
        for side in ("sources", "targets"):
            unknown = [t for t in spec.get(side, []) if t not in schema.node_types]
            if unknown or not spec.get(side):
                issues.append(DataIssue(path, line, f"edge type {key!r} {side}: bad node types {unknown}"))
        schema.edge_types[key] = EdgeType(
            key, spec.get("label", key), frozenset(spec.get("sources", [])), frozenset(spec.get("targets", []))
        )
    for key, spec in (need(raw, "attributes", raw) or {}).items():
        line = raw["attributes"].line_of(key)
        if spec.get("kind") not in ATTRIBUTE_KINDS:
            issues.append(DataIssue(path, line, f"attribute {key!r}: kind must be one of {sorted(ATTRIBUTE_KINDS)}"))
            continue
        schema.attributes[key] = AttributeSpec(
            key, spec["kind"], spec.get("label", key), spec.get("unit", ""),
            tuple(a.lower() for a in spec.get("aliases", [])), tuple(spec.get("see_also", [])),
            tuple(a.lower() for a in spec.get("after_name", [])),
        )
    for key, node_type in schema.node_types.items():
        unknown = [k for k in node_type.default_attributes if k not in schema.attributes]
        if unknown:
            issues.append(DataIssue(path, raw["node_types"].line_of(key), f"node type {key!r}: default_attributes names unknown {unknown}"))
    for key, spec in schema.attributes.items():
        unknown = [k for k in spec.see_also if k not in schema.attributes]
        if unknown:
            issues.append(DataIssue(path, raw["attributes"].line_of(key), f"attribute {key!r}: see_also names unknown {unknown}"))
    if issues:
        raise KnowledgeDataError(issues)
    return schema
