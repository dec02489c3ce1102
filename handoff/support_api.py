"""What an agent needs to help the customer in a held conversation: who the customer is (masked),
suggested answers, and quick actions through the same ``BankCore`` the bot uses.

Mounted inside ``handoff.agent_api.router``. Expects on ``app.state``: ``bankcore`` (the
``BankCore`` port) for the customer view and card actions, and optionally ``knowledge``
(``handoff.assist.KnowledgeSource``) for suggestions; routes answer 503 when theirs is missing.
The bank's own hash-chained audit log names the agent (``actor="agent:<username>"``).
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from handoff.agent_auth import (
    CardId,
    Desk,
    EntryId,
    Me,
    Transcripts,
    audit_action,
    held_entry,
)
from handoff.assist import suggest
from handoff.queue import EntryView
from handoff.transcript import normalize_turn

router = APIRouter()

_BANK_ERRORS = {"NotOwner": 403, "UnknownCard": 404, "UnknownCustomer": 404,
                "InvalidCardStatus": 409}


class AccountOut(BaseModel):
    kind: str
    name: str
    number: str
    currency: str
    balance: str
    available: str


class CardOut(BaseModel):
    id: int
    kind: str
    number: str
    status: str
    expiry: str


class CustomerOut(BaseModel):
    """The customer as the agent may see them: no full account or card numbers, no birth date."""

    verified: bool
    name: str | None = None
    customer_number: str | None = None
    tier: str | None = None
    accounts: list[AccountOut] = []
    cards: list[CardOut] = []
    recent_actions: list[dict[str, Any]] = []
    open_cases: list[str] = []


class SuggestionOut(BaseModel):
    text: str
    question: str
    kind: str
    sources: list[str]


class CardStatusIn(BaseModel):
    status: Literal["active", "frozen", "blocked"]
    reason: str = Field(default="", max_length=200)


def _service(request: Request, name: str, what: str) -> Any:
    service = getattr(request.app.state, name, None)
    if service is None:
        raise HTTPException(503, f"{what} is not configured on this server")
    return service


def _customer_id(entry: EntryView) -> int | None:
    return int(entry.customer_id) if entry.customer_id and entry.customer_id.isdigit() else None


def _card(c: Any) -> CardOut:
    return CardOut(id=c.id, kind=c.kind, number=c.masked_number, status=c.status,
                   expiry=c.expiry.isoformat())


def _customer_view(bank: Any, customer_id: int) -> CustomerOut:
    customer = bank.get_customer(customer_id)
    audit = bank.list_audit(customer_id, 20)
    return CustomerOut(
        verified=True, name=customer.full_name, customer_number=customer.customer_number,
        tier=customer.tier,
        accounts=[AccountOut(kind=a.kind, name=a.name, number=a.masked_number, currency=a.currency,
                             balance=str(a.balance), available=str(a.available_balance))
                  for a in bank.list_accounts(customer_id)],
        cards=[_card(c) for c in bank.list_cards(customer_id)],
        recent_actions=[{"at": r.at, "action": r.action, "actor": r.actor} for r in audit[:10]],
        open_cases=[str(r.details.get("reference")) for r in audit if r.action == "dispute_open"])


@router.get("/conversations/{entry_id}/customer", response_model=CustomerOut)
async def customer(entry_id: EntryId, request: Request, me: Me, desk: Desk) -> CustomerOut:
    """Verified identity, accounts and cards (masked), recent actions and open cases."""
    entry = await held_entry(desk, me, entry_id, "view_customer", must_be_open=False)
    customer_id = _customer_id(entry)
    if customer_id is None:
        await audit_action(desk, me, "view_customer", entry=entry, verified=False)
        return CustomerOut(verified=False)
    bank = _service(request, "bankcore", "the bank core")
    view = await run_in_threadpool(_customer_view, bank, customer_id)
    await audit_action(desk, me, "view_customer", entry=entry, verified=True)
    return view


@router.post("/conversations/{entry_id}/cards/{card_id}/status", response_model=CardOut)
async def set_card_status(entry_id: EntryId, card_id: CardId, body: CardStatusIn, request: Request,
                          me: Me, desk: Desk) -> CardOut:
    """Freeze, unfreeze or block one of this customer's cards; the bank's audit names the agent."""
    entry = await held_entry(desk, me, entry_id, "card_status")
    customer_id = _customer_id(entry)
    if customer_id is None:
        await audit_action(desk, me, "card_status", "denied", entry, why="customer not verified")
        raise HTTPException(409, "the customer is not verified in this conversation")
    bank = _service(request, "bankcore", "the bank core")
    try:
        card = await run_in_threadpool(bank.set_card_status, customer_id, card_id, body.status,
                                       f"agent:{me.username}", body.reason or None)
    except Exception as exc:
        status = _BANK_ERRORS.get(type(exc).__name__)
        if status is None:
            raise
        await audit_action(desk, me, "card_status", "denied", entry, card_id=card_id,
                           why=type(exc).__name__)
        raise HTTPException(status, str(exc)) from exc
    await audit_action(desk, me, "card_status", entry=entry, card_id=card_id, status=body.status)
    return _card(card)


@router.get("/conversations/{entry_id}/suggestions", response_model=list[SuggestionOut])
async def suggestions(entry_id: EntryId, request: Request, me: Me, desk: Desk, transcripts: Transcripts,
                      text: Annotated[str | None, Query(max_length=2000)] = None
                      ) -> list[SuggestionOut]:
    """Top knowledge-graph / FAQ answers to ``text``, or to the customer's latest message."""
    entry = await held_entry(desk, me, entry_id, "assist")
    knowledge = _service(request, "knowledge", "agent assist")
    intent, entities = None, []
    if text is None:
        turns = [normalize_turn(t) for t in transcripts.turns(entry.conversation_id)] \
            if transcripts else []
        last = next((t for t in reversed(turns) if t["sender"] == "user"), None)
        if last is None:
            return []
        text, intent, entities = last["text"] or "", last["intent"], last["entities"]
    found = await run_in_threadpool(suggest, knowledge, text, intent, entities)
    await audit_action(desk, me, "assist", entry=entry, suggestions=len(found))
    return [SuggestionOut(text=s.text, question=s.question, kind=s.kind, sources=list(s.sources))
            for s in found]
