"""YAML loading that remembers line numbers, so validation errors can name file and line."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from knowledge_graph.errors import DataIssue, KnowledgeDataError


class MarkedDict(dict):
    """A mapping that knows the line it started on and the line of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class MarkedList(list):
    """A sequence that knows the line of each of its items."""

    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry their source lines."""


def _construct_map(loader: _Loader, node: yaml.MappingNode):
    data = MarkedDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in data.key_lines:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        data.key_lines[key] = key_node.start_mark.line + 1
    data.update(loader.construct_mapping(node, deep=True))


def _construct_seq(loader: _Loader, node: yaml.SequenceNode):
    data = MarkedList()
    data.line = node.start_mark.line + 1
    data.item_lines = [child.start_mark.line + 1 for child in node.value]
    yield data
    data.extend(loader.construct_sequence(node, deep=True))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def load_marked(path: Path) -> Any:
    """Parse ``path``; a syntax error becomes a KnowledgeDataError with the file and line."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        reason = f"YAML error: {exc.problem or exc.context}"
        raise KnowledgeDataError([DataIssue(path, line, reason)]) from exc
    except UnicodeDecodeError as exc:
        raise KnowledgeDataError([DataIssue(path, 0, f"not UTF-8 text: {exc}")]) from exc
