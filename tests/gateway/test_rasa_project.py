"""The Rasa project assembled from data/: support intents routed by a generated rule."""
from __future__ import annotations

import yaml

from bot.rasa.endpoints import tracker_store_config, write_endpoints
from bot.rasa.project import SUPPORT_ACTION, assemble_project, support_intents
from bot.settings import Settings


def test_every_nlu_intent_missing_from_the_domain_is_a_support_intent(tmp_path):
    settings = Settings(var_dir=tmp_path)
    intents = support_intents(settings)
    assert "card_arrival" in intents and "greet" not in intents
    project = assemble_project(settings)
    rules = yaml.safe_load((project / "data" / "support_rules.yml").read_text())["rules"]
    routed = [step["intent"] for step in rules[0]["steps"][0]["or"]]
    assert routed == intents
    assert rules[0]["steps"][1] == {"action": SUPPORT_ACTION}
    domain = yaml.safe_load((project / "domain" / "support.yml").read_text())
    assert domain["intents"] == intents


def test_endpoints_point_rasa_at_the_app_with_the_shared_token(tmp_path):
    settings = Settings(var_dir=tmp_path, port=8123, internal_token="secret")
    endpoints_file, _ = write_endpoints(settings)
    endpoints = yaml.safe_load(endpoints_file.read_text())
    assert endpoints["nlu"] == {"url": "http://127.0.0.1:8123/nlu", "token": "secret"}
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:8123/actions/webhook"
    assert endpoints["tracker_store"]["dialect"] == "sqlite"


def test_postgres_url_becomes_a_postgres_tracker_store():
    settings = Settings(database_url="postgresql+psycopg://bank:pw@db.internal:6543/ledger")
    config = tracker_store_config(settings)
    assert config == {"type": "SQL", "dialect": "postgresql", "url": "db.internal", "port": 6543,
                      "db": "ledger", "username": "bank", "password": "pw"}
