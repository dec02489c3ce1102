"""Content fingerprints that decide whether a trained artefact is still current.

A second ``make run`` must not retrain anything when nothing changed, so every trainer compares a
hash of its inputs with the one stored next to its output.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def fingerprint(paths: Iterable[Path], *extra: str) -> str:
    """sha256 over the names and bytes of ``paths`` plus ``extra`` strings; a folder counts with
    every file below it, named by its path inside the folder."""
    digest = hashlib.sha256()
    named: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_dir():
            named += [(f.relative_to(path).as_posix(), f) for f in sorted(path.rglob("*")) if f.is_file()]
        else:
            named.append((path.name, path))
    for name, file in named:
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    for item in extra:
        digest.update(item.encode())
    return digest.hexdigest()


def is_current(stamp_file: Path, value: str) -> bool:
    """True when ``stamp_file`` records exactly ``value``."""
    return stamp_file.is_file() and stamp_file.read_text().strip() == value


def write_stamp(stamp_file: Path, value: str) -> None:
    stamp_file.parent.mkdir(parents=True, exist_ok=True)
    stamp_file.write_text(value + "\n")
