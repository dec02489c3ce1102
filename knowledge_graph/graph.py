"""Load ``data/knowledge/graph/*.yaml`` into a validated, typed networkx MultiDiGraph."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import networkx as nx

from knowledge_graph.errors import DataIssue, KnowledgeDataError
from knowledge_graph.marked_yaml import MarkedDict, MarkedList, load_marked
from knowledge_graph.schema import Schema, load_schema

NODE_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_]+$")
NODE_KEYS = {"id", "type", "name", "aliases", "intents", "attributes", "edges"}


@dataclass
class KnowledgeGraph:
    """The typed graph plus the schema that explains its attributes."""

    graph: nx.MultiDiGraph
    schema: Schema

    def node(self, node_id: str) -> dict[str, Any]:
        return self.graph.nodes[node_id]

    def name(self, node_id: str) -> str:
        return self.graph.nodes[node_id]["name"]

    def attrs(self, node_id: str) -> dict[str, Any]:
        return self.graph.nodes[node_id]["attributes"]

    def of_type(self, node_type: str) -> list[str]:
        return [n for n, d in self.graph.nodes(data=True) if d["type"] == node_type]

    def targets(self, node_id: str, edge_type: str) -> list[str]:
        """Neighbours along ``edge_type`` in file order (procedures' documents keep their order)."""
        edges = [(d["order"], v) for _, v, k, d in self.graph.out_edges(node_id, keys=True, data=True) if k == edge_type]
        return [v for _, v in sorted(edges)]

    def fmt(self, node_id: str, key: str) -> str:
        return self.schema.format_value(key, self.attrs(node_id)[key])


def load_graph(knowledge_dir: Path) -> KnowledgeGraph:
    """Read schema.yaml and graph/*.yaml; raise KnowledgeDataError listing every problem."""
    schema = load_schema(knowledge_dir / "schema.yaml")
    graph = nx.MultiDiGraph()
    issues: list[DataIssue] = []
    pending_edges: list[tuple[Path, int, str, str, str, int]] = []
    files = sorted((knowledge_dir / "graph").glob("*.yaml"))
    if not files:
        raise KnowledgeDataError([DataIssue(knowledge_dir / "graph", 0, "no graph files found")])
    for path in files:
        for node in _node_entries(path, issues):
            _add_node(path, node, schema, graph, issues, pending_edges)
    for path, line, src, etype, dst, order in pending_edges:
        if dst not in graph:
            issues.append(DataIssue(path, line, f"{src}: {etype} points at unknown node {dst!r}"))
            continue
        allowed = schema.edge_types[etype].targets
        if graph.nodes[dst]["type"] not in allowed:
            issues.append(DataIssue(path, line, f"{src}: {etype} cannot point at a {graph.nodes[dst]['type']} ({dst})"))
            continue
        graph.add_edge(src, dst, key=etype, type=etype, order=order)
    _check_aliases(graph, issues)
    if issues:
        raise KnowledgeDataError(issues)
    return KnowledgeGraph(graph, schema)


def _node_entries(path: Path, issues: list[DataIssue]) -> Iterator[MarkedDict]:
    raw = load_marked(path)
    if not isinstance(raw, MarkedDict) or not isinstance(raw.get("nodes"), MarkedList):
        issues.append(DataIssue(path, getattr(raw, "line", 1), "file must be a mapping with a 'nodes' list"))
        return
    for item, line in zip(raw["nodes"], raw["nodes"].item_lines):
        if isinstance(item, MarkedDict):
            yield item
        else:
            issues.append(DataIssue(path, line, "each node must be a mapping with id, type and name"))


def _add_node(path: Path, node: MarkedDict, schema: Schema, graph: nx.MultiDiGraph,
              issues: list[DataIssue], pending: list) -> None:
    def issue(key: str, reason: str) -> None:
        issues.append(DataIssue(path, node.line_of(key), f"{node.get('id', '<no id>')}: {reason}"))

    for key in set(node) - NODE_KEYS:
        issue(key, f"unknown field {key!r} (allowed: {sorted(NODE_KEYS)})")
    node_id, node_type, name = node.get("id"), node.get("type"), node.get("name")
    if not isinstance(node_id, str) or not NODE_ID.match(node_id):
        issue("id", f"id must look like 'kind.name' in lower case, got {node_id!r}")
        return
    if node_id in graph:
        first = graph.nodes[node_id]
        issue("id", f"duplicate id (first defined at {first['file']}:{first['line']})")
        return
    if node_type not in schema.node_types:
        issue("type", f"unknown node type {node_type!r} (known: {sorted(schema.node_types)})")
        return
    if not isinstance(name, str) or not name.strip():
        issue("name", "name must be a non-empty string")
        return
    aliases = node.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        issue("aliases", "aliases must be a list of strings")
        aliases = []
    intents = node.get("intents", [])  # NLU intents that ask for this node (a procedure's "how do I")
    if not isinstance(intents, list) or not all(isinstance(i, str) for i in intents):
        issue("intents", "intents must be a list of NLU intent names")
        intents = []
    attributes = node.get("attributes", {}) or {}
    if not isinstance(attributes, dict):
        issue("attributes", "attributes must be a mapping")
        attributes = {}
    for key, value in attributes.items():
        problem = schema.check_value(key, value)
        if problem:
            issues.append(DataIssue(path, attributes.line_of(key), f"{node_id}: {problem}"))
    edges = node.get("edges", {}) or {}
    if not isinstance(edges, dict):
        issue("edges", "edges must be a mapping of edge type to a list of node ids")
        edges = {}
    for etype, dsts in edges.items():
        line = edges.line_of(etype)
        if etype not in schema.edge_types:
            issues.append(DataIssue(path, line, f"{node_id}: unknown edge type {etype!r}"))
            continue
        if node_type not in schema.edge_types[etype].sources:
            issues.append(DataIssue(path, line, f"{node_id}: a {node_type} cannot have {etype!r} edges"))
            continue
        if not isinstance(dsts, list):
            issues.append(DataIssue(path, line, f"{node_id}: {etype} must be a list of node ids"))
            continue
        for order, (dst, dline) in enumerate(zip(dsts, getattr(dsts, "item_lines", [line] * len(dsts)))):
            pending.append((path, dline if dline else line, node_id, etype, str(dst), order))
    graph.add_node(
        node_id, type=node_type, name=name.strip(), aliases=[a.lower() for a in aliases],
        intents=list(intents), attributes=dict(attributes), file=str(path), line=node.line,
    )


def _check_aliases(graph: nx.MultiDiGraph, issues: list[DataIssue]) -> None:
    """Two nodes sharing an alias would make linking a coin toss, so it is an error."""
    owner: dict[str, str] = {}
    for node_id, data in graph.nodes(data=True):
        for alias in {*data["aliases"], data["name"].lower()}:
            other = owner.setdefault(alias, node_id)
            if other != node_id:
                issues.append(DataIssue(Path(data["file"]), data["line"],
                                        f"{node_id}: alias {alias!r} is already used by {other}"))
