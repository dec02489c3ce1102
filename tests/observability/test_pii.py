"""PII masking on the kind of messages customers actually type."""
from __future__ import annotations

import re

import pytest

from bot.observability.pii import mask_pii, mask_value

SECRETS = [
    ("my card number is 4111 1111 1111 1111 and it was declined", "4111 1111 1111", "[card ****1111]"),
    ("card 5500-0000-0000-0004 got swallowed by the ATM", "5500-0000-0000", "[card ****0004]"),
    ("amex 378282246310005 please", "378282246310005", "[card ****0005]"),
    ("My PIN is 4821, can you reset it?", "4821", "[pin]"),
    ("pin: 0 0 0 0", "0 0 0 0", "[pin]"),
    ("the one-time code was 482913", "482913", "[code]"),
    ("OTP 771204 didn't work", "771204", "[code]"),
    ("verification code: 12 34 56", "12 34 56", "[code]"),
    ("my account number is 12345678", "12345678", "[account ****5678]"),
    ("acct no. 0012 3456 78 frozen?", "0012 3456 78", "[account ****5678]"),
    ("send it to GB29 NWBK 6016 1331 9268 19", "NWBK 6016", "[account ****6819]"),
    ("iban de89 3704 0044 0532 0130 00 please", "3704 0044", "[account ****3000]"),
    ("sort code 20-00-00 account 55779911", "20-00-00", "[sort code]"),
    ("my SSN is 078-05-1120", "078-05-1120", "[national id]"),
    ("national insurance number QQ 12 34 56 C", "12 34 56", "[national id]"),
    ("passport number 533380006 for ID", "533380006", "[national id]"),
    ("call me on +44 7700 900123 after 5", "7700 900123", "[phone]"),
    ("my mobile is 07700 900123", "07700 900123", "[phone]"),
    ("US number (202) 555-0143 works", "555-0143", "[phone]"),
    ("or 202-555-0143", "202-555-0143", "[phone]"),
    ("reference 9876543210123 on the statement", "9876543210123", "****0123"),
]


@pytest.mark.parametrize(("text", "secret", "token"), SECRETS)
def test_secrets_are_masked(text: str, secret: str, token: str) -> None:
    masked = mask_pii(text)
    assert secret not in masked
    assert token in masked


@pytest.mark.parametrize("text", [
    "what's my balance?",
    "I want to transfer 250 pounds to savings on 2026-11-24",
    "how much is the fee for a £1,500.00 transfer",
    "my card ending 4242 is blocked",
    "I was charged 3 times at 10:45",
    "top up 10000 please",
    "GET /conversations/cc053d3170436acb17282d213de21a70/tracker",
    "conversation 025ac2b6ff4a2ed2f74d3172ab649e30: Rasa unreachable",
])
def test_harmless_text_is_untouched(text: str) -> None:
    assert mask_pii(text) == text


def test_no_long_digit_run_survives_a_mixed_message() -> None:
    text = ("Hi, I'm locked out. Card 4000 0566 5566 5556, PIN 9931, code 551203, "
            "phone +1 202 555 0143, SSN 219-09-9999, account 87654321.")
    masked = mask_pii(text)
    assert not re.search(r"\d{5,}", re.sub(r"[ -]", "", masked).replace("****", "")), masked
    assert "9931" not in masked and "551203" not in masked


def test_mask_value_masks_nested_entities() -> None:
    entities = [{"entity": "account", "value": "12345678"}, {"entity": "amount", "value": 50}]
    assert mask_value(entities) == [{"entity": "account", "value": "[account ****5678]"},
                                    {"entity": "amount", "value": 50}]
