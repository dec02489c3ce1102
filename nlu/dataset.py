"""Load Rasa NLU YAML training data (a file or every *.yml/*.yaml in a folder) as examples.

Operators edit the YAML; this is the one reader of it, so training, evaluation and tests see the
same examples. Entity annotations like ``[fifty quid](amount)`` are reduced to their plain text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

# [text](entity), [text]{"entity": ...} and [text]("entity":"value") -> text
_ENTITY_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+?)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Example:
    """One training utterance and its intent."""

    text: str
    intent: str


def yaml_files(path: Path) -> list[Path]:
    """The YAML files under ``path`` (or ``path`` itself), sorted for determinism."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix in {".yml", ".yaml"} and p.is_file())


def strip_annotations(text: str) -> str:
    return _ENTITY_ANNOTATION.sub(lambda m: m.group("text"), text)


def _example_lines(examples: str | list) -> list[str]:
    """Rasa allows a literal block of '- text' lines or a list of {'text': ...} items."""
    if isinstance(examples, list):
        return [str(e["text"] if isinstance(e, dict) else e) for e in examples]
    lines = []
    for line in str(examples).splitlines():
        line = line.strip()
        if line.startswith("- "):
            lines.append(line[2:])
        elif line == "-":
            continue
        elif line:
            lines.append(line)
    return lines


def load_file(path: Path) -> list[Example]:
    """Intent examples from one Rasa NLU YAML file; other blocks (synonyms, regexes) are skipped."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for block in doc.get("nlu") or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue
        for line in _example_lines(block.get("examples") or ""):
            text = strip_annotations(line).strip()
            if text:
                out.append(Example(text=text, intent=str(block["intent"])))
    return out


def load_examples(path: Path) -> list[Example]:
    """All intent examples in a file or folder, in a stable order."""
    examples = []
    for file in yaml_files(path):
        examples.extend(load_file(file))
    return examples
