"""Build the knowledge artifacts under ``var/models/knowledge`` only when the data changed.

The folder holds a validated snapshot of ``data/knowledge`` plus the FAQ faiss index and a
manifest with the data fingerprint. A new build is written next to it and swapped in only after
it succeeded, so a malformed file never destroys the last good index.
"""
from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from knowledge_graph.bundle import load_bundle
from knowledge_graph.faq_index import FaqIndex
from knowledge_graph.semantic_links import SemanticLinker
from nlu.config import NluSettings
from nlu.encoder import load_encoder
from nlu.fingerprint import fingerprint as content_fingerprint

log = logging.getLogger(__name__)
FORMAT_VERSION = "5"  # 5: embeddings of the graph's alias phrases (semantic_links.py)


@dataclass(frozen=True)
class BuildReport:
    folder: Path
    fingerprint: str
    rebuilt: bool
    faq_entries: int
    graph_nodes: int
    seconds: float


def source_dir(settings: NluSettings) -> Path:
    return Path(settings.data_dir) / "knowledge"


def artifact_dir(settings: NluSettings) -> Path:
    return Path(settings.models_dir) / "knowledge"


def fingerprint(src: Path, encoder_name: str) -> str:
    """Hash of every knowledge file, the encoder name and the artifact format."""
    return content_fingerprint([src], FORMAT_VERSION, encoder_name)


def read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def build_knowledge(settings: NluSettings, force: bool = False) -> BuildReport:
    """Validate data/knowledge, embed the FAQ and the graph's alias phrases, and persist; a no-op when nothing changed.

    Raises KnowledgeDataError (file, line, reason) for bad data, leaving the old artifacts alone.
    """
    src, out = source_dir(settings), artifact_dir(settings)
    fp = fingerprint(src, settings.encoder_model)
    manifest = read_manifest(out)
    if manifest and manifest.get("fingerprint") == fp and not force:
        return BuildReport(out, fp, False, manifest["faq_entries"], manifest["graph_nodes"], 0.0)
    started = time.perf_counter()
    bundle = load_bundle(src)
    encoder = load_encoder(settings.encoder_model)
    index = FaqIndex.build(bundle.faq, encoder)
    phrases = SemanticLinker.build(bundle.graph, encoder)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".knowledge-build-", dir=out.parent))
    try:
        shutil.copytree(src, tmp / "source")
        index.save(tmp)
        phrases.save(tmp)
        seconds = time.perf_counter() - started
        meta = {"fingerprint": fp, "encoder": settings.encoder_model, "format": FORMAT_VERSION,
                "faq_entries": len(bundle.faq), "graph_nodes": bundle.graph.graph.number_of_nodes(),
                "build_seconds": round(seconds, 2), "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        (tmp / "manifest.json").write_text(json.dumps(meta, indent=1))
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("built knowledge index: %d FAQ entries, %d graph nodes in %.1fs", len(bundle.faq),
             meta["graph_nodes"], seconds)
    return BuildReport(out, fp, True, len(bundle.faq), meta["graph_nodes"], seconds)


def _swap(new: Path, out: Path) -> None:
    """Put ``new`` where ``out`` is; the old folder is removed only once the new one is in place."""
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    new.rename(out)
    shutil.rmtree(old, ignore_errors=True)
