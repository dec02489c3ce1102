"""Balance enquiry: one account ("and my savings?") or all of them, from the ledger."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.choosing import find_account
from bot.actions.common import call, first_value, format_money
from bot.actions.gate import AccountAction
from bot.bankcore.port import Account


def describe_balances(accounts: list[Account]) -> str:
    """One line per account, masked numbers only (never a full account number)."""
    if not accounts:
        return "You don't have any open accounts with us."
    lines = [
        f"{account.name} ({account.masked_number}): {format_money(account.balance, account.currency)}"
        + (f", available {format_money(account.available_balance, account.currency)}"
           if account.available_balance != account.balance else "")
        for account in accounts
    ]
    head = "Here is your balance:\n" if len(accounts) == 1 else "Here are your balances:\n"
    return head + "\n".join(lines)


class ActionCheckBalance(AccountAction):
    def name(self) -> str:
        return "action_check_balance"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        accounts = await call(self._context.bank.list_accounts, customer_id)
        said = first_value(tracker, "account")
        chosen = find_account(accounts, said)
        if said and chosen is None:
            dispatcher.utter_message(text="I couldn't find that account, so here are all of them.")
        dispatcher.utter_message(text=describe_balances([chosen] if chosen else accounts))
        return [SlotSet("last_topic", "balance")]
