"""The Rasa external-NLU endpoint, called the way RasaNLUHttpInterpreter calls it."""
from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from nlu.api import router


@pytest.fixture(scope="module")
def client(nlu_service) -> TestClient:
    app = FastAPI()
    app.include_router(router)
    app.state.nlu = nlu_service
    return TestClient(app)


def test_parse_returns_rasa_format(client: TestClient) -> None:
    response = client.post(
        "/nlu/model/parse", json={"token": None, "text": "hello there", "message_id": "abc"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["intent"]["name"] == "greet"
    assert {"text", "intent", "intent_ranking", "entities", "out_of_scope"} <= set(body)
    assert body["intent_ranking"][0] == body["intent"]


def test_empty_or_missing_text_falls_back(client: TestClient) -> None:
    for payload in ({"text": ""}, {"text": None, "message_id": None}, {}):
        response = client.post("/nlu/model/parse", json=payload)
        assert response.status_code == 200
        assert response.json()["intent"]["name"] == "nlu_fallback"


def test_malformed_request_is_a_4xx(client: TestClient) -> None:
    assert client.post("/nlu/model/parse", content=b"not json").status_code == 422
    assert client.post("/nlu/model/parse", json={"text": 5}).status_code == 422


def test_unloaded_model_is_503() -> None:
    app = FastAPI()
    app.include_router(router)
    assert TestClient(app).post("/nlu/model/parse", json={"text": "hi"}).status_code == 503
