"""Content fingerprints that decide whether a trained artefact is still current.

A second ``make run`` must not retrain anything when nothing changed, so every trainer compares a
hash of its inputs with the one stored next to its output.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def fingerprint(paths: Iterable[Path], *extra: str) -> str:
    """sha256 over the relative names and bytes of ``paths`` (files or folders) plus ``extra`` strings."""
    digest = hashlib.sha256()
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    for item in extra:
        digest.update(item.encode())
    return digest.hexdigest()


def is_current(stamp_file: Path, value: str) -> bool:
    """True when ``stamp_file`` records exactly ``value``."""
    return stamp_file.is_file() and stamp_file.read_text().strip() == value


def write_stamp(stamp_file: Path, value: str) -> None:
    stamp_file.parent.mkdir(parents=True, exist_ok=True)
    stamp_file.write_text(value + "\n")
