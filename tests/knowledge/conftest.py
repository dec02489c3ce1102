"""Shared fixtures: a private copy of the knowledge data and one real build of it per session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from bot.settings import PROJECT_ROOT, Settings
from knowledge_graph.answerer import KnowledgeAnswerer
from knowledge_graph.build import build_knowledge
from knowledge_graph.bundle import load_bundle

KNOWLEDGE = PROJECT_ROOT / "data" / "knowledge"


def make_settings(root: Path, source: Path = KNOWLEDGE) -> Settings:
    """Settings whose data/ and var/ live under ``root``, with a copy of ``source`` as knowledge."""
    shutil.copytree(source, root / "data" / "knowledge")
    return Settings(data_dir=root / "data", var_dir=root / "var")


@pytest.fixture(scope="session")
def bundle():
    return load_bundle(KNOWLEDGE)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Settings:
    """The real data, built once with the real encoder into a temporary var/."""
    torch.set_num_threads(2)
    settings = make_settings(tmp_path_factory.mktemp("kb"))
    build_knowledge(settings)
    return settings


@pytest.fixture(scope="session")
def answerer(built) -> KnowledgeAnswerer:
    return KnowledgeAnswerer.load(built)
