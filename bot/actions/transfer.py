"""Transfer money (form): from-account, payee or own account, amount, read-back, execute once.

Corrections ("make it 50", "no, from savings") simply overwrite a slot, which re-runs the checks
and the read-back. The transfer's idempotency key is derived from the form instance (its
activation event), so a repeated confirmation or a retried action call posts at most once.
"""
from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.choosing import (
    describe_account,
    find_account,
    find_payee,
    largest_recent_payment,
    sent_today,
)
from bot.actions.common import (
    amount_problem,
    call,
    entities,
    first_value,
    format_money,
    intent,
    short_answer,
    text,
    yes_or_no,
)
from bot.actions.finishing import FinishForm
from bot.actions.forms import BankForm
from bot.actions.stepup import STEPUP_SLOT, StepupValidation
from bot.actions.transfer_dates import date_problem, transfer_day, when
from bot.bankcore.port import Account, BankError, InsufficientFunds, LimitExceeded
from nlu.entities import extract_entities

SLOTS = ("payee", "from_account", "amount", "transfer_date", "transfer_confirmed")
SENDING_KINDS = ("checking", "savings")
# a date in a message with one of these intents is the transfer's date
DATE_INTENTS = {"transfer_money", "inform", "affirm", "deny", "nlu_fallback"}


def form_instance_key(tracker: Tracker, form: str) -> str:
    """Idempotency key of this run of ``form``: conversation id + the form's activation time."""
    started = next((e.get("timestamp") for e in reversed(tracker.events)
                    if e.get("event") == "active_loop" and e.get("name") == form), None)
    digest = hashlib.sha256(f"{tracker.sender_id}:{form}:{started}".encode()).hexdigest()[:40]
    return f"{form}:{digest}"


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def later_day(tracker: Tracker) -> date | None:
    """The transfer's date when it is after today (a scheduled transfer), else None."""
    value = tracker.get_slot("transfer_date")
    day = date.fromisoformat(value) if value else None
    return day if day and day > utc_today() else None


def target_of(value: str | None) -> tuple[str, int] | None:
    """Slot value "payee:12" / "account:3" -> ("payee", 12)."""
    if not value or ":" not in value:
        return None
    kind, _, ident = value.partition(":")
    return (kind, int(ident)) if ident.isdigit() else None


class ValidateTransferForm(StepupValidation, BankForm):
    def name(self) -> str:
        return "validate_transfer_form"

    async def form_slots(self, tracker: Tracker, customer_id: int) -> list[str]:
        slots = ["transfer_date", "payee", "from_account", "amount"]  # the date first: the checks use it
        amount = tracker.get_slot("amount")
        if amount and tracker.get_slot(STEPUP_SLOT) != "verified" and await self._unusual(
                customer_id, Decimal(amount)):
            slots.append(STEPUP_SLOT)
        return [*slots, "transfer_confirmed"]

    async def _unusual(self, customer_id: int, amount: Decimal) -> bool:
        policy = self._context.bank_policy
        since = datetime.now(timezone.utc).date() - timedelta(days=policy.unusual_lookback_days)
        largest = await call(largest_recent_payment, self._context.bank, customer_id, since)
        return amount > max(policy.unusual_floor, largest * policy.unusual_factor)

    async def _accounts(self, tracker: Tracker) -> tuple[int, list[Account]]:
        customer_id = await self._context.customer_id(tracker)
        return customer_id, await call(self._context.bank.list_accounts, customer_id)

    async def extract_from_account(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: dict[str, Any]) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot") == "from_account"
        said = first_value(tracker, "account", "from")
        if said is None and requested:
            said = next((e["value"] for e in entities(tracker, "account") if e.get("role") not in ("to", "other")), None)
            said = said or short_answer(tracker)
        customer_id, accounts = await self._accounts(tracker)
        sending = [a for a in accounts if a.kind in SENDING_KINDS]
        target = target_of(tracker.get_slot("payee"))
        if said is None:
            others = [a for a in sending if not (target and target == ("account", a.id))]
            if len(others) == 1 and not tracker.get_slot("from_account") and (target or len(sending) == 1):
                return {"from_account": str(others[0].id)}  # the only account it can come from
            return {}
        account = find_account(sending, said)
        if account is None:
            if not requested and not first_value(tracker, "account", "from"):
                return {}
            names = " or ".join(describe_account(a) for a in sending)
            dispatcher.utter_message(text=f"I can send money from {names}.")
            return {"from_account": None}
        if target == ("account", account.id):
            dispatcher.utter_message(text="That's the account the money is going to.")
            return {"from_account": None}
        problem = await self._funds_problem(customer_id, account, tracker.get_slot("amount"),
                                            later_day(tracker))
        if problem:
            dispatcher.utter_message(text=problem)
            return {"from_account": str(account.id), "amount": None}
        return {"from_account": str(account.id)}

    async def extract_payee(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: dict[str, Any]) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot") == "payee"
        own = first_value(tracker, "account", "to") or (
            requested and next((e["value"] for e in entities(tracker, "account")
                                if e.get("role") not in ("from", "other")), None))
        said = first_value(tracker, "payee") or await self._saved_payee_in_message(tracker)
        said = re.sub(r"['’]s$", "", said) if said else said  # "to Alice Morgan's checking account"
        if not own and not said and requested and short_answer(tracker):
            said = re.sub(r"^(?:to|pay|it'?s|send it to)\s+", "", short_answer(tracker), flags=re.I)
        if re.search(r"\bto\s+(?:account\s+)?(?:number\s+)?\d{6,}", text(tracker), re.I) or (
                said and re.search(r"\d{6,}", said)):
            dispatcher.utter_message(text="For your security I can only send money to your saved payees "
                                          "or your own accounts, not to an account number. You can add a "
                                          "new payee first by saying \"add a payee\".")
            return {"payee": None}
        if not own and not said:
            return {}
        customer_id, accounts = await self._accounts(tracker)
        if own:
            account = find_account(accounts, own)
            if account is None:
                dispatcher.utter_message(text="I couldn't tell which of your accounts you mean.")
                return {"payee": None}
            if tracker.get_slot("from_account") == str(account.id):
                dispatcher.utter_message(text="The money can't go to the account it comes from.")
                return {"payee": None}
            return {"payee": f"account:{account.id}"}
        payees = await call(self._context.bank.list_payees, customer_id)
        payee = find_payee(payees, said)
        if payee is None and not requested and tracker.get_slot("payee"):
            return {}  # a name in passing ("how long does a transfer to Jim take?") is not a correction
        if payee is None:
            names = ", ".join(p.name for p in payees) or "none yet"
            shown = said if len(said) <= 40 and re.fullmatch(r"[\w .'&-]+", said) else "that name"
            dispatcher.utter_message(text=f"I couldn't find a saved payee called {shown}. "
                                          f"Your payees are: {names}.")
            return {"payee": None}
        if payee.name.lower() != said.strip().lower():
            dispatcher.utter_message(text=f"I take it you mean {payee.name} ({payee.masked_account}).")
        return {"payee": f"payee:{payee.id}"}

    async def _saved_payee_in_message(self, tracker: Tracker) -> str | None:
        """The NLU does not know this customer's payees; look for them (fuzzily) in the text here,
        including names the NLU took for merchants ("Greenway Lettings")."""
        customer_id = await self._context.customer_id(tracker)
        names = [p.name for p in await call(self._context.bank.list_payees, customer_id)]
        found = [e for e in extract_entities(text(tracker), payees=names) if e["entity"] == "payee"]
        return next((e["value"] for e in found if e["value"] in names), None)

    async def extract_amount(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: dict[str, Any]) -> dict[str, Any]:
        found = entities(tracker, "amount")
        message = text(tracker)
        plain = re.fullmatch(r"\s*[$£€]?\s*(\d[\d,]*(?:\.\d+)?)\s*", message)
        if not found and plain and tracker.get_slot("requested_slot") == "amount":
            # the answer is just a number the extractor would not call money (long, sub-cent)
            found = [{"value": plain.group(1).replace(",", ""), "start": plain.start(1)}]
        if not found:
            if tracker.get_slot("requested_slot") == "amount" and re.search(r"-\s*\d|\b(?:minus|negative)\b", message, re.I):
                dispatcher.utter_message(text="The amount has to be more than zero.")
                return {"amount": None}
            return {}
        if len(found) > 1 and len({e["value"] for e in found}) > 1:
            corrected = self._context.language.last_correction(message)  # "60, no sorry, make it 50"
            found = [e for e in found if corrected is not None and e["start"] >= corrected][:1]
            if not found:
                dispatcher.utter_message(text="I heard more than one amount.")
                return {"amount": None}
        entity = found[0]
        negative = re.search(r"(?:-|\bminus\s+|\bnegative\s+)\s*[$£€]?\s*$", message[:entity["start"]], re.I)
        value = str(entity["value"])
        problem = "The amount has to be more than zero." if negative else amount_problem(value)
        customer_id, accounts = await self._accounts(tracker)
        account = next((a for a in accounts if str(a.id) == tracker.get_slot("from_account")), None)
        currency = (entity.get("additional_info") or {}).get("currency")
        if not problem and account and currency and currency != account.currency:
            problem = f"{describe_account(account)} is in {account.currency}, so I can only send {account.currency}."
        if not problem and account:
            problem = await self._funds_problem(customer_id, account, value, later_day(tracker))
        if problem:
            dispatcher.utter_message(text=problem)
            return {"amount": None}
        return {"amount": value}

    async def _funds_problem(self, customer_id: int, account: Account, amount: str | None,
                             later: date | None = None) -> str | None:
        """Proactive care: refuse an overdraw or a limit breach before confirming, with an
        alternative. A transfer for a later day is checked against the balance on that day."""
        if not amount:
            return None
        value = Decimal(amount)
        if later is not None:
            if value <= account.daily_transfer_limit:
                return None
            return (f"That's over the daily limit of {format_money(account.daily_transfer_limit, account.currency)} "
                    f"for {describe_account(account)}, so it can't go out in one day.")
        if value > account.available_balance:
            accounts = await call(self._context.bank.list_accounts, customer_id)
            richer = [a for a in accounts if a.id != account.id and a.kind in SENDING_KINDS and a.balance >= value]
            tip = (f" You could send it from {describe_account(richer[0])} instead, or send up to "
                   f"{format_money(max(account.available_balance, Decimal(0)), account.currency)}."
                   if richer else f" You could send up to "
                   f"{format_money(max(account.available_balance, Decimal(0)), account.currency)}.")
            return (f"That would overdraw {describe_account(account)}: only "
                    f"{format_money(account.available_balance, account.currency)} is available.{tip}")
        used = await call(sent_today, self._context.bank, customer_id, account.id)
        if used + value > account.daily_transfer_limit:
            left = max(account.daily_transfer_limit - used, Decimal(0))
            return (f"That's over the daily limit of {format_money(account.daily_transfer_limit, account.currency)} "
                    f"for {describe_account(account)}; {format_money(left, account.currency)} is left today. "
                    f"You could send that much now and the rest tomorrow.")
        return None

    async def extract_transfer_date(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> dict[str, Any]:
        """Today unless the customer names a day; a later day makes it a scheduled transfer. A
        past or too distant day is refused and asked for again."""
        today = utc_today()
        requested = tracker.get_slot("requested_slot") == "transfer_date"
        found = entities(tracker, "date")
        at_readback = tracker.get_slot("requested_slot") == "transfer_confirmed"
        if found and not (requested or at_readback) and intent(tracker) not in DATE_INTENTS:
            found = []  # a date in a question on the side ("what did I spend last Friday?")
        if not found:
            if not requested and not tracker.get_slot("transfer_date") and self._context.language.schedules(text(tracker)):
                return {}  # "schedule a payment to Lakeside": ask when
            if requested and not re.search(r"\b(?:now|today|asap|straight away|right away|immediately)\b",
                                           text(tracker), re.I):
                dispatcher.utter_message(text="I didn't catch a date (for example \"tomorrow\", \"next Friday\" "
                                              "or \"1 December\").")
                return {"transfer_date": None}
            if requested or not tracker.get_slot("transfer_date"):
                return {"transfer_date": today.isoformat()}
            return {}
        entity = found[-1]  # the last day said wins: "not today - next Friday please"
        said = text(tracker)[entity.get("start", 0):entity.get("end", 0)] or str(entity["value"])
        day = transfer_day(said, str(entity["value"]), today)
        problem = "I didn't understand that date." if day is None else date_problem(
            day, today, self._context.bank_policy.schedule_days_ahead)
        if problem:
            dispatcher.utter_message(text=problem)
            return {"transfer_date": None}
        return {"transfer_date": day.isoformat()}

    async def extract_transfer_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: dict[str, Any]) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "transfer_confirmed":
            return {}
        if any(entities(tracker, name) for name in ("amount", "account", "payee", "date")):
            return {}  # a correction: the other extractors take it and the read-back repeats
        answer = yes_or_no(tracker)
        if answer is None:
            return {}
        return {"transfer_confirmed": True} if answer else {"form_cancelled": True}


class ActionAskTransferConfirmed(Action):
    """The read-back before any money moves."""

    def __init__(self, context) -> None:
        self._context = context

    def name(self) -> str:
        return "action_ask_transfer_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        customer_id = await self._context.customer_id(tracker)
        accounts = await call(self._context.bank.list_accounts, customer_id)
        source = next(a for a in accounts if str(a.id) == tracker.get_slot("from_account"))
        amount = Decimal(tracker.get_slot("amount"))
        target = await describe_target(self._context, customer_id, tracker.get_slot("payee"), accounts)
        later = later_day(tracker)
        warning = ""
        if later and amount > source.available_balance:
            warning = (f" Note: only {format_money(source.available_balance, source.currency)} is available "
                       "today; I'll check the balance again on the day.")
        elif amount > source.balance:
            warning = (f" Note: this takes {source.name} into its overdraft "
                       f"(balance {format_money(source.balance, source.currency)}).")
        day = when(later, utc_today()) if later else "today"
        dispatcher.utter_message(text=f"Please confirm: send {format_money(amount, source.currency)} to "
                                      f"{target} from {describe_account(source)}, {day}.{warning} "
                                      f"Shall I go ahead? (yes / no, or change any detail)")
        return []


async def describe_target(context, customer_id: int, value: str | None, accounts: list[Account]) -> str:
    target = target_of(value)
    if target and target[0] == "account":
        return describe_account(next(a for a in accounts if a.id == target[1]))
    payees = await call(context.bank.list_payees, customer_id)
    payee = next(p for p in payees if target and p.id == target[1])
    return f"{payee.name} ({payee.masked_account})"


class ActionExecuteTransfer(FinishForm):
    slots = SLOTS
    form = "transfer_form"

    def name(self) -> str:
        return "action_execute_transfer"

    async def finish(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        if tracker.get_slot("transfer_confirmed") is not True:
            dispatcher.utter_message(text="I haven't sent anything.")
            return []
        target = target_of(tracker.get_slot("payee"))
        accounts = await call(self._context.bank.list_accounts, customer_id)
        source = next(a for a in accounts if str(a.id) == tracker.get_slot("from_account"))
        kwargs = {"to_account_id": target[1]} if target[0] == "account" else {"payee_id": target[1]}
        later = later_day(tracker)
        if later:
            return await self._schedule(dispatcher, tracker, customer_id, source, later, kwargs, accounts)
        try:
            result = await call(
                self._context.bank.transfer, customer_id, source.id, amount=tracker.get_slot("amount"),
                currency=source.currency, idempotency_key=form_instance_key(tracker, "transfer_form"),
                actor=f"customer:{customer_id}", **kwargs)
        except InsufficientFunds as exc:
            dispatcher.utter_message(text=f"I couldn't send it: only {format_money(exc.available, exc.currency)} "
                                          "is available. Nothing was sent.")
            return []
        except LimitExceeded as exc:
            dispatcher.utter_message(text=f"I couldn't send it: it's over today's limit "
                                          f"({format_money(exc.remaining, exc.currency)} left). Nothing was sent.")
            return []
        except BankError as exc:
            dispatcher.utter_message(text=f"I couldn't send it ({exc}). Nothing was sent.")
            return []
        target_text = await describe_target(self._context, customer_id, tracker.get_slot("payee"), accounts)
        dispatcher.utter_message(
            text=f"Done: {format_money(result.amount, result.currency)} sent to {target_text}. "
                 f"Reference {result.reference}. {source.name} balance is now "
                 f"{format_money(result.from_balance_after, result.currency)}.")
        return []

    async def _schedule(self, dispatcher: CollectingDispatcher, tracker: Tracker, customer_id: int,
                        source: Account, day: date, target: dict[str, int],
                        accounts: list[Account]) -> list[EventType]:
        """Store a transfer for a later day; the bank checks balance and limit again on the day."""
        try:
            scheduled = await call(
                self._context.bank.schedule_transfer, customer_id, source.id,
                amount=tracker.get_slot("amount"), currency=source.currency, execute_on=day,
                idempotency_key=form_instance_key(tracker, "transfer_form"),
                actor=f"customer:{customer_id}", **target)
        except BankError as exc:
            dispatcher.utter_message(text=f"I couldn't schedule it ({exc}). Nothing was scheduled.")
            return []
        target_text = await describe_target(self._context, customer_id, tracker.get_slot("payee"), accounts)
        dispatcher.utter_message(
            text=f"Scheduled: {format_money(scheduled.amount, scheduled.currency)} to {target_text} from "
                 f"{describe_account(source)} {when(scheduled.execute_on, utc_today())}. "
                 f"Reference {scheduled.reference}. I'll check the balance and the daily limit again on "
                 f"the day; nothing has left your account yet.")
        return []
