"""The index is built once, reused while the data is unchanged, and survives a bad rebuild."""
from __future__ import annotations

import json
import shutil

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from knowledge_graph.answerer import KnowledgeAnswerer
from knowledge_graph.api import router
from knowledge_graph.build import artifact_dir, build_knowledge
from knowledge_graph.errors import KnowledgeDataError
from tests.knowledge.conftest import make_settings


def test_build_is_persisted_and_reused_while_data_is_unchanged(built):
    folder = artifact_dir(built)
    assert {"manifest.json", "faq.faiss", "faq.json", "graph_phrases.npy", "graph_phrases.json", "source"} \
        <= {p.name for p in folder.iterdir()}
    report = build_knowledge(built)
    assert not report.rebuilt and report.faq_entries >= 400


def test_bad_data_fails_the_build_and_the_last_good_index_keeps_serving(built, tmp_path, caplog):
    settings = make_settings(tmp_path, built.data_dir / "knowledge")
    shutil.copytree(artifact_dir(built), artifact_dir(settings))
    before = (artifact_dir(settings) / "manifest.json").read_text()
    cards = settings.data_dir / "knowledge" / "graph" / "cards.yaml"
    cards.write_text(cards.read_text().replace("annual_fee: 1200", "annual_fee: lots"))
    with pytest.raises(KnowledgeDataError) as info:
        build_knowledge(settings)
    assert f"{cards}:" in str(info.value) and "'annual_fee' must be a money" in str(info.value)
    assert (artifact_dir(settings) / "manifest.json").read_text() == before
    answerer = KnowledgeAnswerer.load(settings)  # logs the error, serves the last good build
    assert "serving the last good build" in caplog.text
    assert answerer.answer("What's the annual fee on the Platinum card?").result == ["CNY 1,200"]


def test_changed_data_is_rebuilt_and_answered(built, tmp_path):
    settings = make_settings(tmp_path, built.data_dir / "knowledge")
    first = build_knowledge(settings)
    cards = settings.data_dir / "knowledge" / "graph" / "cards.yaml"
    cards.write_text(cards.read_text().replace("annual_fee: 1200", "annual_fee: 999"))
    second = build_knowledge(settings)
    assert first.rebuilt and second.rebuilt and first.fingerprint != second.fingerprint
    manifest = json.loads((artifact_dir(settings) / "manifest.json").read_text())
    assert manifest["fingerprint"] == second.fingerprint
    answer = KnowledgeAnswerer.load(settings).answer("What's the annual fee on the Platinum card?")
    assert answer.result == ["CNY 999"]
    assert not list(artifact_dir(settings).parent.glob(".knowledge-build-*"))


def test_http_answer_returns_text_kind_and_sources(answerer):
    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    assert client.post("/knowledge/answer", json={"text": "hi"}).status_code == 503
    app.state.knowledge = answerer
    body = client.post("/knowledge/answer", json={"text": "Which cards have no foreign transaction fee and lounge access?"}).json()
    assert body["kind"] == "graph" and set(body["sources"]) == {"card.platinum_credit", "card.voyager_credit"}
    assert client.post("/knowledge/answer", json={"text": ""}).status_code == 422
