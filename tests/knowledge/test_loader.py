"""Bad knowledge files are rejected with the file, the line and the reason."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge_graph.bundle import load_bundle
from knowledge_graph.errors import KnowledgeDataError
from tests.knowledge.conftest import KNOWLEDGE

CARD = """\
nodes:
  - id: card.test
    type: card
    name: Test Card
    aliases: [test card]
    attributes:
      annual_fee: 100
    edges:
      has_procedure: [proc.activate_card]
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    return tmp_path / "knowledge"


def issues_for(data: Path) -> list[str]:
    with pytest.raises(KnowledgeDataError) as info:
        load_bundle(data)
    return [str(i) for i in info.value.issues]


def test_unknown_edge_target_names_file_and_line(data):
    (data / "graph" / "test.yaml").write_text(CARD.replace("proc.activate_card", "proc.activate_crad"))
    assert issues_for(data) == [f"{data / 'graph' / 'test.yaml'}:9: card.test: has_procedure points at unknown node 'proc.activate_crad'"]


def test_wrong_attribute_kind_names_the_attribute_line(data):
    (data / "graph" / "test.yaml").write_text(CARD.replace("annual_fee: 100", "annual_fee: free"))
    [issue] = issues_for(data)
    assert issue.startswith(f"{data / 'graph' / 'test.yaml'}:7:") and "'annual_fee' must be a money" in issue


def test_duplicate_node_id_points_at_both_definitions(data):
    (data / "graph" / "test.yaml").write_text(CARD.replace("card.test", "card.platinum_credit"))
    [issue] = issues_for(data)
    assert f"{data / 'graph' / 'test.yaml'}:2:" in issue and "duplicate id" in issue and "cards.yaml" in issue


def test_yaml_syntax_error_names_the_line(data):
    (data / "graph" / "test.yaml").write_text(CARD.replace("aliases: [test card]", "aliases: [test card"))
    [issue] = issues_for(data)
    assert issue.startswith(f"{data / 'graph' / 'test.yaml'}:") and "YAML error" in issue


def test_every_problem_is_reported_not_just_the_first(data):
    second = CARD.replace("card.test", "card.other").replace("100", "-5").removeprefix("nodes:\n")
    (data / "graph" / "test.yaml").write_text(CARD.replace("type: card", "type: spaceship") + second)
    issues = issues_for(data)
    assert [i.split(": ", 1)[0].rsplit(":", 1)[1] for i in issues] == ["3", "15"]  # the bad type, the negative fee


def test_faq_quoting_an_unknown_graph_value_fails(data):
    faq = data / "faq" / "cards.yaml"
    text = faq.read_text()
    faq.write_text(text.replace("{fee.express_card_delivery:amount}", "{fee.express_card_delivery:price}", 1))
    line = next(i for i, l in enumerate(faq.read_text().splitlines(), 1) if "express_card_delivery:price" in l)
    [issue] = issues_for(data)
    assert issue.startswith(f"{faq}:{line}:") and "unknown graph value" in issue


def test_duplicate_faq_id_fails(data):
    (data / "faq" / "extra.yaml").write_text(
        "groups:\n  - faqs:\n      - id: ecny.what_is\n        question: q?\n        answer: a.\n")
    [issue] = issues_for(data)
    assert issue.startswith(f"{data / 'faq' / 'extra.yaml'}:3:") and "duplicate FAQ id" in issue


def test_alternatives_that_are_not_a_list_of_texts_fail(data):
    (data / "faq" / "extra.yaml").write_text(
        "groups:\n  - faqs:\n      - id: extra.one\n        question: q?\n        alternatives: just one\n"
        "        answer: a.\n")
    [issue] = issues_for(data)
    assert issue.startswith(f"{data / 'faq' / 'extra.yaml'}:5:") and "alternatives must be a list" in issue


def test_retrieval_weight_must_be_a_number(data):
    path = data / "retrieval.yaml"
    path.write_text(path.read_text().replace("lexical_weight: ", "lexical_weight: lots #", 1))
    [issue] = issues_for(data)
    assert "retrieval.yaml" in issue and "lexical_weight must be a positive number" in issue


def test_shipped_data_is_valid_and_complete(bundle):
    assert len(bundle.faq) >= 400
    served = {i.lower().rstrip("?") for e in bundle.faq for i in e.intents}
    banking77 = (Path(__file__).parent / "banking77_intents.txt").read_text().split()
    assert [i for i in banking77 if i.lower().rstrip("?") not in served] == []
    tags = {t for e in bundle.faq for t in e.tags}
    assert {"e-cny", "open banking", "security", "account opening"} <= tags
    assert all("{" not in e.answer for e in bundle.faq), "every graph placeholder is filled"


def test_procedure_intents_are_intents_the_nlu_predicts(bundle):
    """A misspelt intent in a procedure would silently never match what the NLU says."""
    import yaml

    from bot.settings import PROJECT_ROOT
    known = {block["intent"] for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml")
             for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []) if "intent" in block}
    used = {i for n in bundle.graph.graph for i in bundle.graph.node(n)["intents"]}
    assert used and used <= known, used - known
