"""Structured questions are answered from the graph, with the nodes and path they came from."""
from __future__ import annotations

import pytest

from knowledge_graph.graph_qa import GraphQA
from knowledge_graph.linking import EntityLinker
from knowledge_graph.offerings import OfferChecker


@pytest.fixture(scope="module")
def qa(bundle) -> GraphQA:
    linker = EntityLinker(bundle.graph)
    return GraphQA(bundle.graph, linker, OfferChecker(bundle.graph, bundle.not_offered, linker.vocabulary))


def test_attribute_lookup_quotes_the_value_and_its_node(qa):
    answer = qa.answer("What's the annual fee on the Platinum card?")
    assert answer.kind == "graph" and answer.result == ["CNY 1,200"]
    assert answer.sources == ["card.platinum_credit"]
    assert "CNY 1,200" in answer.text and "waived if you spend CNY 200,000" in answer.text
    assert "card.platinum_credit" in answer.text


def test_nlu_entities_link_to_nodes(qa):
    answer = qa.answer("what's the annual fee on it", entities=[{"entity": "card", "value": "Gold card"}])
    assert answer.result == ["CNY 300"] and answer.sources == ["card.gold_credit"]


def test_filter_with_negation_and_two_conditions(qa):
    answer = qa.answer("Which cards have no foreign transaction fee and lounge access?")
    assert sorted(answer.result) == ["card.platinum_credit", "card.voyager_credit"]
    assert "Voyager Travel Credit Card" in answer.text and "Global Debit" not in answer.text


def test_numeric_filter(qa):
    answer = qa.answer("which wallet tiers have a daily payment limit over 50000")
    assert sorted(answer.result) == ["wallet.tier_1", "wallet.tier_2"]


@pytest.mark.parametrize("question, expected", [
    ("Which Mastercard cards do you have?", ["card.cashback_credit", "card.gold_credit", "card.voyager_credit"]),
    ("Which wallets have no annual payment limit?", ["wallet.tier_1", "wallet.tier_2", "wallet.tier_3"]),
    ("Which loans can I apply for in the app?", ["loan.car", "loan.personal"]),
    ("credit cards with a credit limit over 100,000", ["card.platinum_credit", "card.voyager_credit"]),
    ("Which cards have an ATM limit of at least 20,000 a day?", ["card.classic_debit", "card.platinum_credit"]),
    ("Which debit cards charge no foreign transaction fee?", ["card.global_debit"]),
])
def test_list_questions_filter_by_values_channels_and_limits(qa, question, expected):
    answer = qa.answer(question)
    assert answer.kind == "graph" and sorted(answer.result) == expected


def test_a_procedure_named_with_extra_words_is_still_found(qa):
    assert qa.answer("steps to change my card PIN").result == ["proc.change_pin"]
    assert qa.answer("how can I change my address") is None  # no procedure has all of those words


def test_an_attribute_of_a_procedure_comes_from_its_product(qa):
    answer = qa.answer("Minimum age to open a Class II account")
    assert answer.result == ["16 years"] and answer.sources == ["account.class_ii"]


def test_an_unknown_name_before_a_product_noun_is_not_offered(qa):
    assert qa.answer("Tell me about the diamond mortgage").kind == "not_offered"
    assert qa.answer("Tell me about the mortgage").result == ["loan.mortgage"]


def test_documents_follow_product_to_procedure_to_documents(qa):
    answer = qa.answer("What documents do I need to apply for a mortgage?")
    assert "doc.property_purchase_contract" in answer.result and "doc.household_register" in answer.result
    assert "doc.driving_licence" not in answer.result
    answer = qa.answer("what paperwork is needed for a car loan")
    assert "loan.car -has_procedure-> proc.apply_car_loan -requires_document-> doc.driving_licence" in answer.path
    assert answer.sources[:2] == ["loan.car", "proc.apply_car_loan"]


def test_comparison_lists_what_differs(qa):
    answer = qa.answer("What's the difference between Class I and Class II accounts?")
    assert answer.result == ["account.class_i", "account.class_ii"]
    assert "daily payment limit: no limit vs CNY 10,000" in answer.text
    assert "monthly fee" not in answer.text  # same for both, so not a difference


def test_procedure_gives_ordered_steps(qa):
    answer = qa.answer("How do I activate my e-CNY wallet?")
    assert answer.result == ["proc.activate_ecny_wallet"]
    steps = [line for line in answer.text.splitlines() if line[:2] in {"1.", "2.", "3.", "4.", "5."}]
    assert len(steps) == 5 and "Tier 4" in steps[3]


def test_products_we_do_not_offer_are_not_invented(qa):
    for question in ["What's the annual fee on the Diamond card?", "Do you offer joint accounts?",
                     "Can I trade bitcoin with you?"]:
        answer = qa.answer(question)
        assert answer.kind == "not_offered", question
        assert "doesn't offer" in answer.text and "CNY" not in answer.text


def test_free_form_questions_are_left_to_the_faq(qa):
    assert qa.answer("my card was stolen yesterday and I'm worried") is None
    assert qa.answer("why was my top up reverted") is None


def test_a_product_name_on_the_wrong_kind_of_product_is_not_offered(qa):
    answer = qa.answer("What's the interest rate on the Gold loan?")
    assert answer.kind == "not_offered" and "18.25%" not in answer.text


def test_attribute_words_split_by_the_product_name_still_link(qa):
    assert qa.answer("What is the maximum mortgage amount?").result == ["CNY 10,000,000"]
    assert qa.answer("the replacement card came, do I have to switch it on") is None


@pytest.mark.parametrize("question, value, node", [
    ("what's the phone banking number", "400-820-9595 (from abroad +86 21 6888 9595)", "channel.phone_banking"),
    ("What's the maximum single payment from a tier 4 wallet", "CNY 2,000", "wallet.tier_4"),
    ("how long can I take to pay back a mortgage", "360 months", "loan.mortgage"),
    ("how quickly does an international transfer arrive",
     "1 to 5 business days depending on the destination and intermediary banks", "transfer.international"),
    ("how much does the gold card cost per year", "CNY 300", "card.gold_credit"),
    ("what is the monthly charge on a class i account", "CNY 0", "account.class_i"),
])
def test_everyday_words_for_an_attribute_answer_its_value(qa, question, value, node):
    answer = qa.answer(question)
    assert answer.kind == "graph" and answer.result == [value] and answer.sources == [node]
    assert node in answer.text


def test_my_phone_number_is_not_the_banks_number(qa):
    assert qa.answer("change my phone number") is None


@pytest.mark.parametrize("question, value", [
    ("how much can a tier one wallet hold", "no limit"),
    ("Can I open a class 1 account remotely?", "no"),
    ("can I open a class 2 account online", "yes"),
])
def test_an_attribute_phrase_with_the_product_inside_it(qa, question, value):
    assert qa.answer(question).result == [value]


def test_open_an_account_in_the_app_is_still_the_procedure(qa):
    assert qa.answer("open an account in the app").result == ["proc.open_class_ii_account"]


def test_a_product_named_with_extra_words_answers_its_attribute(qa):
    answer = qa.answer("How fast is a transfer between my own Jade River accounts?")
    assert answer.result == ["instant"] and answer.sources == ["transfer.internal"]


def test_a_waiver_question_answers_the_waiver_not_the_fee(qa):
    answer = qa.answer("Is the Voyager card's annual fee waived?")
    assert answer.result == ["waived in the first year"]
    both = qa.answer("what is the annual fee and the waiver for the gold card")
    assert both.result == ["CNY 300", "waived if you make at least 6 purchases in the card year"]


def test_a_free_fee_counts_as_no_fee(qa):
    assert sorted(qa.answer("Which loans have no early repayment fee?").result) == ["loan.car", "loan.education"]
    assert sorted(qa.answer("which loans have an early repayment fee").result) == ["loan.mortgage", "loan.personal"]


@pytest.mark.parametrize("question, named", [
    ("Do you offer pet insurance?", "pet insurance"),
    ("can I get a business credit card", "business banking products"),
    ("What's the interest rate on your business loan?", "business banking products"),
])
def test_unknown_kinds_of_product_are_not_offered(qa, question, named):
    answer = qa.answer(question)
    assert answer.kind == "not_offered" and named in answer.text and "CNY" not in answer.text


def test_insurance_we_do_have_is_still_answered(qa):
    assert qa.answer("Does the Platinum card include travel insurance?").result == ["yes"]


def test_a_kind_of_product_the_faq_talks_about_is_left_to_the_faq(bundle):
    linker = EntityLinker(bundle.graph)
    offers = OfferChecker(bundle.graph, bundle.not_offered, linker.vocabulary,
                          "Deposits are protected by the deposit insurance scheme.")
    assert offers.check("is my money covered by deposit insurance?", set()) is None
    assert offers.check("do you sell pet insurance?", set()) == ("pet insurance", None)


def test_unseen_wording_is_linked_by_meaning_to_the_products_attribute(answerer, qa):
    question = "what penalty applies if I clear my car loan ahead of schedule"
    assert qa.answer(question) is None  # no alias in schema.yaml says this; the exact linker finds no attribute
    answer = answerer.answer(question)
    assert answer.kind == "graph" and answer.result == ["free"] and answer.sources == ["loan.car"]
    assert "early repayment fee" in answer.text and "loan.car" in answer.text


def test_a_question_about_something_else_is_not_forced_onto_an_attribute(answerer):
    answer = answerer.answer("refunding a purchase made with a one-time card")
    assert answer.kind != "graph"  # nearest attribute ("card fee") is not close enough: the FAQ's question


def test_a_question_between_two_close_attributes_is_left_to_the_faq(answerer, monkeypatch):
    question = "spending cap of a class II account"  # as near the yearly cap as the balance cap
    assert answerer.answer(question).kind != "graph"
    monkeypatch.setattr(answerer.graph_qa.semantic, "margin", 0.0)
    assert answerer.answer(question).kind == "graph"  # without the margin it picks one reading


def test_a_plural_naming_several_attributes_is_not_answered_with_one_of_them(answerer):
    answer = answerer.answer("limits on a class two account")  # balance, daily and annual limits
    assert answer.kind != "graph"  # nearest is the balance limit alone ("no limit"), which misleads


@pytest.mark.parametrize("question, value", [
    ("What's the highest interest rate on a personal loan?", ["12%"]),
    ("What's the lowest interest rate on a personal loan?", ["3.6%"]),
    ("what is the interest rate on a personal loan", ["3.6%", "12%"]),
])
def test_highest_or_lowest_answers_one_end_of_a_range(qa, question, value):
    assert qa.answer(question).result == value


@pytest.mark.parametrize("question", ["Do you offer mutual funds?", "can I put my savings into index funds with you",
                                      "do you have any investment products"])
def test_investment_products_are_not_offered(qa, question):
    answer = qa.answer(question)
    assert answer.kind == "not_offered" and "investment products" in answer.text


def test_loans_for_small_businesses_are_not_offered(qa):
    answer = qa.answer("do you lend to small businesses?")
    assert answer.kind == "not_offered" and "business banking products" in answer.text


def test_how_long_a_procedure_takes_is_its_duration(qa):
    answer = qa.answer("How long does it take to open a Class III account in the app?")
    assert answer.result == ["about 3 minutes"] and answer.sources == ["proc.open_class_iii_account"]


def test_without_going_to_a_branch_lists_what_other_channels_offer(qa):
    answer = qa.answer("which e-CNY wallets can I get without going into a branch")
    assert sorted(answer.result) == ["wallet.tier_2", "wallet.tier_3", "wallet.tier_4"]
    assert sorted(qa.answer("which wallet tiers can I get at a branch").result) == ["wallet.tier_1"]


@pytest.mark.parametrize("question, expected", [
    ("Is there a fee on the mortgage for paying off early?", ["free after 12 months; 1% of the amount repaid early before that"]),
    ("what are the steps for closing my account", ["proc.close_account"]),
])
def test_inflected_words_link_like_the_alias(qa, question, expected):
    """Aliases are matched by word stems: "paying off early" is "pay off early", "closing" is "close"."""
    answer = qa.answer(question)
    assert answer.kind == "graph" and answer.result == expected


def test_a_plural_lists_the_kind_rather_than_naming_one_product(qa):
    answer = qa.answer("Which debit cards have lounge access?")
    assert answer.kind == "graph" and answer.result == [] and answer.text.startswith("None of our debit cards")


def test_how_many_asks_for_the_count_not_the_yes_or_no(qa):
    assert qa.answer("how many airport lounge visits does the Voyager card give me").result == ["4 visits per year"]


@pytest.mark.parametrize("question, expected", [
    ("Is the Gold card cheaper than the Cashback card?", ["card.cashback_credit", "card.gold_credit"]),
    ("what docs do I need to apply for a car loan", ["doc.down_payment_receipt", "doc.driving_licence", "doc.national_id",
                                                    "doc.proof_of_income", "doc.vehicle_purchase_contract"]),
])
def test_comparison_and_document_words(qa, question, expected):
    answer = qa.answer(question)
    assert answer.kind == "graph" and sorted(answer.result) == expected


def test_the_nlu_intent_names_the_procedure_a_how_question_does_not(qa):
    question = "My new card just came in the post, how do I switch it on?"
    assert qa.answer(question) is None
    assert qa.answer(question, intent="activate_my_card").result == ["proc.activate_card"]
    assert qa.answer("my new card came in the post today", intent="activate_my_card") is None  # no "how"


def test_an_inflected_procedure_name_is_news_unless_asked_how(qa):
    assert qa.answer("you blocked my card yesterday") is None
    assert qa.answer("how do I go about blocking my card").result == ["proc.report_lost_card"]


def test_incoming_international_payments_are_not_the_sending_service(qa):
    answer = qa.answer("how long does an incoming international payment take?")
    assert answer.sources == ["transfer.international_incoming"] and "1 to 3 business days" in answer.result[0]


@pytest.mark.parametrize("question, expected", [
    ("Which e-CNY wallet tiers let me hold more than CNY 15,000?", ["wallet.tier_1", "wallet.tier_2", "wallet.tier_3"]),
    ("which loans let me borrow over 5,000,000", ["loan.mortgage"]),
])
def test_a_verb_with_a_compared_number_names_the_limit(qa, question, expected):
    """"borrow up to" is an alias, so "borrow over N" filters on the same attribute, the range's top end."""
    answer = qa.answer(question)
    assert answer.kind == "graph" and sorted(answer.result) == expected


def test_an_elided_noun_names_the_second_product(qa):
    answer = qa.answer("What's the difference between a domestic transfer and an international one?")
    assert answer.kind == "graph" and sorted(answer.result) == ["transfer.domestic", "transfer.international"]


def test_an_attribute_set_aside_is_not_asked_for(qa):
    answer = qa.answer("What is the maximum fee on an international transfer, not counting the cable fee?")
    assert answer.result == ["CNY 260"]


def test_a_waiver_question_with_the_card_named_in_between_gets_the_waiver(qa):
    answer = qa.answer("How can I avoid paying the Gold card annual fee?")
    assert answer.kind == "graph" and len(answer.result) == 1 and "waived" in answer.result[0]


def test_childrens_accounts_are_not_offered(qa):
    answer = qa.answer("Can I open a junior account for my son?")
    assert answer.kind == "not_offered" and "Class III" in answer.text


def test_an_attribute_only_one_product_has_names_that_product(qa):
    answer = qa.answer("how much foreign currency can I buy each year?")
    assert answer.sources == ["transfer.international"] and answer.result[0].startswith("USD 50,000")


def test_another_companys_app_does_not_stop_a_procedure_being_found(qa):
    answer = qa.answer("How do I stop a budgeting app from seeing my account data?")
    assert answer.result == ["proc.revoke_open_banking_consent"]


@pytest.mark.parametrize("question, expected", [
    ("Which of your credit cards don't charge an annual fee?", ["card.cashback_credit", "card.classic_credit"]),
    ("I can't get to a branch. Which loans can I still apply for?", ["loan.car", "loan.personal"]),
    ("Do any of your Visa cards come with lounge access?", ["card.platinum_credit"]),
])
def test_list_cues_a_few_words_back_and_cannot_as_not(qa, question, expected):
    answer = qa.answer(question)
    assert answer.kind == "graph" and sorted(answer.result) == expected


def test_the_plural_of_a_single_services_name_still_names_it(qa):
    assert qa.answer("what's the cable fee on SWIFT transfers").result == ["CNY 150"]


def test_or_between_two_products_compares_them_even_after_can_i(qa):
    answer = qa.answer("Can I borrow for longer with a car loan or a mortgage?")
    assert sorted(answer.result) == ["loan.car", "loan.mortgage"] and "longest term" in answer.text


def test_a_negation_reaches_back_to_its_own_attribute_only(qa):
    assert qa.answer("Which cards can't be used for contactless payments?").result == ["card.disposable_virtual"]
    answer = qa.answer("Which cards have no annual fee and contactless?")
    assert "card.classic_debit" in answer.result and "card.disposable_virtual" not in answer.result


def test_what_a_channel_can_do_lists_its_procedures(qa):
    answer = qa.answer("What can I do at a branch?")
    assert answer.kind == "graph" and "proc.open_class_i_account" in answer.result
    assert "channel.branch" in answer.sources


def test_a_product_described_by_its_values_is_found(qa):
    answer = qa.answer("my e-CNY wallet only needed my mobile phone number - what's its daily payment limit?")
    assert answer.sources == ["wallet.tier_4"]


def test_irregular_past_forms_link_like_the_present(qa):
    assert qa.answer("a thief stole my wallet with my credit card in it, what do I do?").result == ["proc.report_lost_card"]


def test_a_term_compared_in_years_is_converted_to_months(qa):
    answer = qa.answer("Which loans can I repay over more than 10 years?")
    assert sorted(answer.result) == ["loan.education", "loan.mortgage"]


def test_the_plural_of_a_product_we_do_not_offer_is_refused(qa):
    assert qa.answer("do you have safe deposit boxes?").kind == "not_offered"


def test_a_yearly_cost_is_the_annual_fee_alone(qa):
    assert qa.answer("how much does the Gold card cost me per year?").result == ["CNY 300"]


def test_cut_off_as_a_verb_is_not_the_cut_off_time(qa):
    answer = qa.answer("I linked a budgeting app and want to cut off its access, how do I do that?")
    assert answer.result == ["proc.revoke_open_banking_consent"]


def test_a_typo_in_a_product_name_is_read_as_the_name(qa):
    assert qa.answer("whats the annual fee on the platnium card").result == ["CNY 1,200"]
    assert qa.answer("what's the annual fee on the mortal card").kind == "not_offered"  # no product is that close


def test_a_sentence_before_the_question_is_not_part_of_a_product_name(qa):
    answer = qa.answer("I travel a lot. Which cards don't charge a foreign transaction fee?")
    assert answer.kind == "graph" and "card.global_debit" in answer.result


def test_a_foreign_place_is_abroad(qa):
    assert qa.answer("How do I send money to my daughter who is studying in Australia?").result == \
        ["proc.international_transfer"]


def test_a_complaint_is_left_to_the_faq(qa):
    assert qa.answer("the fee on my Gold card annual statement is wrong") is None


def test_start_from_asks_for_the_low_end(qa):
    assert qa.answer("personal loans start from what interest rate?").result == ["3.6%"]


@pytest.mark.parametrize("question, expected", [
    ("which credit cards cost more than CNY 500 a year in annual fees?", ["card.platinum_credit", "card.voyager_credit"]),
    ("which credit cards can go above a CNY 100,000 credit limit?", ["card.platinum_credit", "card.voyager_credit"]),
    ("which e-CNY wallet tiers can I get in the app, no branch visit?", ["wallet.tier_2", "wallet.tier_3", "wallet.tier_4"]),
    ("i travel a lot, which cards have zero foreign transaction fees?", ["card.global_debit", "card.platinum_credit", "card.voyager_credit"]),
])
def test_comparators_further_back_no_as_not_via_and_filler_before_a_noun(qa, question, expected):
    answer = qa.answer(question)
    assert answer.kind == "graph" and sorted(answer.result) == expected


def test_a_how_question_with_a_complaint_word_still_gets_the_steps(qa):
    answer = qa.answer("typed my PIN wrong three times and now it's blocked, how do I fix it?", intent="pin_blocked")
    assert answer.result == ["proc.change_pin"]


@pytest.mark.parametrize("question, expected", [
    ("Which e-CNY wallet tiers limit a single payment to CNY 5,000 or less?", ["wallet.tier_3", "wallet.tier_4"]),
    ("Which loans can I apply for in the app rather than going to a branch?", ["loan.car", "loan.personal"]),
])
def test_or_less_and_rather_than(qa, question, expected):
    answer = qa.answer(question)
    assert answer.kind == "graph" and sorted(answer.result) == expected


def test_a_fee_named_after_a_channel_still_answers_how_much(qa):
    answer = qa.answer("If I change yuan into euros in the app, what markup do you add?")
    assert answer.sources == ["fee.currency_exchange"]


def test_what_to_provide_is_a_documents_question(qa):
    answer = qa.answer("what do I have to provide when applying for a car loan?")
    assert "doc.driving_licence" in answer.result


def test_in_several_sentences_the_last_one_asks(qa):
    answer = qa.answer("I hate paying fees abroad. Which cards have no foreign transaction fee at all?")
    assert sorted(answer.result) == ["card.global_debit", "card.platinum_credit", "card.voyager_credit"]
    narrative = qa.answer("I opened a class 2 account in the app. How much can I spend from it per day?")
    assert narrative is None or narrative.result != ["yes"]  # not "can it be opened in the app"
    assert qa.answer("The Gold card's annual fee. How much is it?").result == ["CNY 300"]


def test_a_number_ending_a_sentence_is_still_part_of_a_name(qa):
    answer = qa.answer("My wallet is tier 4. What's the yearly payment limit on it?")
    assert answer.sources == ["wallet.tier_4"]


def test_a_procedure_in_other_words_beside_someone_elses_account(qa):
    assert qa.answer("How do I send money to my landlord's bank account in Germany?").result == ["proc.international_transfer"]


@pytest.mark.parametrize("question, expected", [
    ("is the car loan rate lower than the personal loan rate?", ["loan.car", "loan.personal"]),
    ("Does the Voyager card have a higher credit limit than the cashback card?", ["card.cashback_credit", "card.voyager_credit"]),
])
def test_a_comparative_between_two_products_compares_them(qa, question, expected):
    answer = qa.answer(question)
    assert answer.kind == "graph" and sorted(answer.result) == expected and " vs " in answer.text


def test_which_one_after_conditions_asks_for_a_list(qa):
    assert qa.answer("I want a Visa card but I don't want to pay any annual fee - which one?").result == ["card.global_debit"]
