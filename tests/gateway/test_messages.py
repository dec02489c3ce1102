"""Customer text validation shared by every chat channel."""
from __future__ import annotations

import pytest

from bot.actions.balance import describe_balances, format_money
from bot.gateway.messages import MessageRejected, clean_message


def test_clean_message_strips_and_rejects():
    assert clean_message("  hi \x00 ", 10) == "hi"
    with pytest.raises(MessageRejected) as empty:
        clean_message(" \n ", 10)
    assert empty.value.status == 422
    with pytest.raises(MessageRejected) as long:
        clean_message("x" * 11, 10)
    assert long.value.status == 413


def test_money_is_formatted_for_people():
    from decimal import Decimal

    assert format_money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert format_money(Decimal("-20"), "GBP") == "-£20.00"
    assert format_money(Decimal("3"), "CHF") == "3.00 CHF"
    assert describe_balances([]) == "You don't have any open accounts with us."
