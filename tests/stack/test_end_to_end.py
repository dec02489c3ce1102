"""What the parts can do, the customer gets: knowledge in every turn, follow-ups, digressions in
every form, task switches, slots as customers mean them, and no rephrase loops. Each test talks to
the real stack over the REST channel and checks what the customer sees and what the ledger holds."""
from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest
import yaml

from tests.stack.conftest import ROOT, login, run_stack, start, turn

pytestmark = pytest.mark.stack

RESPONSES = yaml.safe_load((ROOT / "data" / "rasa" / "domain.yml").read_text())["responses"]
REPHRASE = RESPONSES["utter_please_rephrase"][0]["text"]
OUT_OF_SCOPE = RESPONSES["utter_out_of_scope"][0]["text"]
ASK_PAYEE = RESPONSES["utter_ask_payee"][0]["text"]
ASK_FROM = RESPONSES["utter_ask_from_account"][0]["text"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    """A stack of its own: these conversations move money the other stack tests count on."""
    with run_stack(tmp_path_factory.mktemp("end-to-end")) as running:
        yield running


class Chat:
    """One customer's conversation; ``say`` returns the bot's messages (text, buttons, custom)."""

    def __init__(self, http: httpx.Client, user: str | None = None) -> None:
        self.http = http
        self.headers = login(http, user, f"{user}-demo-pass") if user else {}
        self.sender = start(http, self.headers)

    def say(self, text: str) -> list[dict]:
        replies, self.headers = turn(self.http, self.sender, text, self.headers)
        return replies

    def text(self, message: str) -> str:
        return "\n".join(m.get("text") or "" for m in self.say(message))

    def balances(self) -> dict[str, Decimal]:
        return {a["name"]: Decimal(str(a["balance"])) for a in self.http.get("/api/accounts", headers=self.headers).json()}


def handoff_status(chat: Chat) -> str:
    response = chat.http.get(f"/api/conversations/{chat.sender}/handoff", headers=chat.headers)
    assert response.status_code == 200, response.text
    return response.json()["status"]


def kinds(messages: list[dict]) -> list[str]:
    return [(m.get("custom") or {}).get("kind") for m in messages if (m.get("custom") or {}).get("kind")]


# --- 1. knowledge in every turn ---------------------------------------------------------------

@pytest.mark.parametrize("question, value", [
    ("what is the annual fee of the platinum card", "CNY 1,200"),
    ("biggest personal loan I can borrow from you?", "CNY 300,000"),
    ("how much can a tier 2 e-CNY wallet pay at once?", "CNY 50,000"),
])
def test_product_questions_get_the_fact_not_a_rephrase(http, question, value):
    text = Chat(http).text(question)
    assert value in text and REPHRASE not in text


def test_a_list_question_names_the_products(http):
    messages = Chat(http).say("which credit cards have no annual fee")
    assert kinds(messages) == ["graph"]
    text = messages[0]["text"]
    assert "Classic Credit Card" in text and "Cashback Credit Card" in text and "Platinum" not in text


@pytest.mark.parametrize("question", ["What's the capital of Australia?", "recipe for pork and chive dumplings",
                                      "who won the football world cup"])
def test_non_banking_questions_are_declined_politely(http, question):
    assert Chat(http).text(question) == OUT_OF_SCOPE


def test_an_unclear_banking_message_gets_topics_as_buttons_then_the_offer_of_a_person(http):
    chat = Chat(http)
    first = chat.say("fees?")
    assert kinds(first) == ["clarify"] and 2 <= len(first[0]["buttons"]) <= 3
    second = chat.say("my card")
    assert "colleague" in second[0]["text"] and [b["payload"] for b in second[0]["buttons"]] == ["yes", "no"]
    assert REPHRASE not in first[0]["text"] + second[0]["text"]


def test_yes_to_the_offer_of_a_person_hands_off(http):
    chat = Chat(http)
    chat.say("fees?")
    chat.say("my card")
    text = chat.text("yes please")
    assert "colleague" in text.lower()
    assert handoff_status(chat) in ("waiting", "assigned")


def test_a_third_unclear_message_hands_off_instead_of_asking_again(http):
    chat = Chat(http)
    chat.say("fees?")
    chat.say("my card")
    third = chat.say("account pls")
    assert any("handoff" in (m.get("custom") or {}) for m in third), third
    assert handoff_status(chat) in ("waiting", "assigned")


def test_a_stream_of_non_banking_questions_never_hands_off(http):
    chat = Chat(http)
    for question in ["what's the weather in Paris", "tell me a joke", "how tall is mount everest", "best pizza near me"]:
        assert chat.text(question) == OUT_OF_SCOPE
    assert handoff_status(chat) == "none"


def test_clicking_a_suggested_topic_answers_it(http):
    chat = Chat(http)
    button = chat.say("fees?")[0]["buttons"][0]
    answer = chat.say(button["payload"])
    assert kinds(answer) in (["faq"], ["graph"])


def test_transfer_fees_are_not_top_up_fees(http):
    messages = Chat(http).say("is there a transfer charge")
    sources = (messages[0].get("custom") or {}).get("sources") or []
    assert sources and not any("top_up" in s for s in sources), messages[0]["text"]


# --- 2. context --------------------------------------------------------------------------------

def test_follow_ups_refer_back_to_the_previous_product(http):
    chat = Chat(http)
    chat.say("I have a Class II account I opened in the app")
    assert "CNY 10,000" in chat.text("how much can I spend from it in a single day?")
    assert "CNY 200,000" in chat.text("what about per year?")


def test_and_for_the_gold_card_keeps_the_question(http):
    chat = Chat(http)
    chat.say("what is the annual fee of the classic credit card")
    assert "CNY 300" in chat.text("and for the gold card?")
    assert "CNY 100,000" in chat.text("what's the highest credit limit on it?")


# --- 3. digressions in every form ---------------------------------------------------------------

FORMS = [  # (user, what starts the form, the question it asks)
    ("alice", "I want to send money", ASK_PAYEE),
    ("alice", "I want to pay my credit card bill", "Would you like to pay the minimum"),
    ("alice", "freeze my card", "Which card"),
    ("alice", "I want to add a new payee", RESPONSES["utter_ask_new_payee_name"][0]["text"]),
    ("alice", "I want to dispute a payment", "Which payment would you like to dispute?"),
    (None, "show me my recent transactions", "customer number"),
]


@pytest.mark.parametrize("user, opener, pending", FORMS)
def test_a_product_question_inside_a_form_is_answered_then_the_form_asks_again(http, user, opener, pending):
    chat = Chat(http, user)
    assert pending in chat.text(opener)
    messages = chat.say("what's the annual fee on the gold card?")
    assert "CNY 300" in messages[0]["text"]
    assert pending in messages[-1]["text"]


@pytest.mark.parametrize("user, opener, pending", FORMS[:5])
def test_a_balance_check_inside_a_form_is_answered_then_the_form_asks_again(http, user, opener, pending):
    chat = Chat(http, user)
    chat.say(opener)
    messages = chat.say("what's my balance?")
    assert "balance" in messages[0]["text"].lower() and re.search(r"\$\d", messages[0]["text"])
    assert pending in messages[-1]["text"]


def test_whats_my_limit_inside_a_transfer_is_answered(http):
    chat = Chat(http, "alice")
    chat.say("I want to send money")
    messages = chat.say("what's my limit?")
    assert "daily transfer limit" in messages[0]["text"] and "left today" in messages[0]["text"]
    assert ASK_PAYEE in messages[-1]["text"]


# --- 4. task switching ----------------------------------------------------------------------------

def test_a_new_task_inside_a_form_asks_first_then_offers_to_go_back(http):
    chat = Chat(http, "alice")
    before = chat.balances()
    chat.say("I want to pay my credit card bill")
    assert ASK_FROM in chat.text("120")
    offer = chat.text("oh wait, I need to send Jane Morgan 20 dollars first")
    assert "switch" in offer.lower() and "paying your credit card bill" in offer
    assert "Which account" in chat.text("yes")  # the transfer, started from what was said
    readback = chat.text("savings")
    assert "Please confirm" in readback and "$20.00" in readback and "Jane Morgan" in readback
    done = chat.text("yes")
    assert "Done" in done and "go back to paying your credit card bill" in done
    assert ASK_FROM in chat.text("yes")  # back to the card payment: its amount kept, the account asked again
    confirm = chat.text("checking")
    assert "Please confirm: pay $120.00" in confirm
    assert "Done" in chat.text("yes")
    after = chat.balances()
    assert after["Rainy Day Savings"] - before["Rainy Day Savings"] == Decimal("-20.00")
    assert after["Everyday Checking"] - before["Everyday Checking"] == Decimal("-120.00")
    assert after["Platinum Credit Card"] - before["Platinum Credit Card"] == Decimal("120.00")


def test_no_to_a_switch_carries_on_with_the_first_task(http):
    chat = Chat(http, "alice")
    chat.say("I want to send money")
    chat.say("Jane Morgan")
    assert "switch" in chat.text("freeze my debit card").lower()
    assert ASK_FROM in chat.text("no, carry on")


def test_cancel_at_the_switch_offer_drops_both_and_moves_nothing(http):
    chat = Chat(http, "alice")
    before = chat.balances()
    chat.say("send $30 to Bob Okafor")
    chat.say("I want to pay my credit card bill")
    assert "stopped both" in chat.text("cancel")
    assert chat.balances() == before


@pytest.mark.parametrize("step_messages, cancel", [
    (["I want to send money"], "never mind"),
    (["I want to send money", "Jane Morgan"], "stop"),
    (["I want to send money", "Jane Morgan", "checking"], "forget it, I'll pay her in cash"),
    (["send $25 to Jane Morgan from checking"], "Wait, never mind, don't send it for now"),
    (["I want to pay my credit card bill"], "cancel"),
    (["I want to pay my credit card bill", "the minimum"], "never mind"),
])
def test_cancel_never_mind_stop_work_at_every_step(http, step_messages, cancel):
    chat = Chat(http, "alice")
    before = chat.balances()
    for message in step_messages:
        chat.say(message)
    assert "Nothing was changed" in chat.text(cancel)
    assert chat.balances() == before


# --- 5. slots as customers mean them ---------------------------------------------------------------

def test_the_recipients_account_type_is_not_the_source(http):
    chat = Chat(http, "bob")
    text = chat.text("Send six hundred and ten dollars to Alice Morgan's checking account")
    assert "That's the account the money is going to" not in text
    assert "Alice Morgan" in text or "come from" in text


def test_amounts_in_words_and_free_confirmation(http):
    chat = Chat(http, "alice")
    before = chat.balances()
    readback = chat.text("send forty five dollars to Jane Morgan from my savings")
    assert "$45.00" in readback and "Jane Morgan" in readback
    assert "Done" in chat.text("yes, go ahead and send it")
    assert chat.balances()["Rainy Day Savings"] - before["Rainy Day Savings"] == Decimal("-45.00")


def test_a_correction_in_the_same_message_takes_the_later_amount(http):
    chat = Chat(http, "alice")
    readback = chat.text("Send Jane Morgan 60 dollars from checking. No sorry, make it 50")
    assert "$50.00" in readback and "$60.00" not in readback


def test_income_is_searched_apart_from_spending(http):
    text = Chat(http, "alice").text("how much did I earn last month")
    assert "Salary" in text and "Total received" in text and "Starbucks" not in text


def test_a_question_about_a_task_is_answered_then_the_task_is_offered(http):
    chat = Chat(http, "carol")
    messages = chat.say("someone stole my wallet with my credit card in it, what do I do?")
    assert kinds(messages)[:1] == ["graph"] and "report" in messages[0]["text"].lower()
    assert "Shall I?" in messages[-1]["text"] and [b["payload"] for b in messages[-1]["buttons"]] == ["yes", "no"]
    # the lost-card request, started from the question: the card it named is taken, the block confirmed
    assert "blocks it for good" in chat.text("yes")


def test_report_lost_with_more_than_yes(http):
    chat = Chat(http, "dave")
    assert "Shall I go ahead" in chat.text("I've lost my debit card")
    assert "blocked" in chat.text("Yes, report it lost")


def test_dispute_by_the_merchant_of_a_listed_payment(http):
    chat = Chat(http, "alice")
    listing = chat.text("I want to dispute a payment on my card")
    assert "Amazon" in listing
    assert "What went wrong" in chat.text("the latest Amazon one")


def test_funds_are_checked_before_the_read_back(http):
    chat = Chat(http, "dave")
    text = chat.text("send $900 to my savings from checking")
    assert "Please confirm" not in text and ("overdraw" in text or "limit" in text)


def test_an_anonymous_request_is_carried_out_after_identification(http):
    chat = Chat(http)
    chat.say("how much did I get paid last time?")
    chat.say("10000004")
    text = chat.text("9753")
    assert "verified" in text and "780.00" in text and "9753" not in text.replace("verified", "")


def test_help_me_make_a_transfer_starts_one(http):
    assert ASK_PAYEE in Chat(http, "alice").text("Can you help me making a transfer?")


def test_put_me_through_to_a_person(http):
    assert "colleague" in Chat(http).text("put me through to a person please").lower()


def test_a_search_by_the_customers_own_word_for_a_payment(http):
    text = Chat(http, "alice").text("how much was my rent last month?")
    assert "1,450.00" in text and "Starbucks" not in text


def test_paying_a_saved_payee_by_name_starts_a_transfer(http):
    assert ASK_FROM in Chat(http, "alice").text("I'd like to pay Greenway Lettings")


def test_a_scheduled_payment_asks_when_and_takes_the_first_of_next_month(http):
    chat = Chat(http, "alice")
    assert "When should the money go" in chat.text("Schedule a payment of 20 dollars to Jane Morgan from checking")
    readback = chat.text("the first of next month")
    assert "Please confirm" in readback and "today" not in readback


def test_a_question_naming_an_account_kind_is_not_the_source_account(http):
    chat = Chat(http, "alice")
    before = chat.balances()
    chat.say("send 25 dollars to Jane Morgan")
    messages = chat.say("by the way, do you offer any fixed-term savings accounts?")
    assert "Please confirm" not in messages[-1]["text"] and ASK_FROM in messages[-1]["text"]
    assert chat.balances() == before


def test_a_question_about_my_own_payment_in_a_period_gets_my_transactions(http):
    text = Chat(http, "carol").text("How much was my mortgage payment last month?")
    assert "4,200.00" in text and "Lakeside" in text


def test_the_only_account_money_can_come_from_is_taken_and_checked_before_the_read_back(http):
    text = Chat(http, "dave").text("send 400 to Campus Housing Office")
    assert "overdraw Student Checking" in text and "checking or savings" not in text
