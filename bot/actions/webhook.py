"""The rasa-sdk action webhook Rasa's ``action_endpoint`` points at."""
from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from bot.actions.balance import ActionCheckBalance
from bot.actions.cards import (
    ActionAskCard,
    ActionCardRequest,
    ActionCardStatus,
    ValidateCardForm,
)
from bot.actions.context import ActionContext
from bot.actions.credit_card import (
    ActionAskCardPaymentAmount,
    ActionAskCardPaymentConfirmed,
    ActionPayCreditCard,
    ValidatePayCardForm,
)
from bot.actions.disputes import (
    ActionAskDisputeTransaction,
    ActionOpenDispute,
    ValidateDisputeForm,
)
from bot.actions.follow_up import ActionFollowUp
from bot.actions.gate import ValidateIdentifyForm
from bot.actions.human import ActionRequestHuman
from bot.actions.limits import ActionCheckLimits
from bot.actions.payees import ActionAddPayee, ActionListPayees, ValidateAddPayeeForm
from bot.actions.resume import ActionResumeAfterIdentify
from bot.actions.scheduled import (
    ActionCancelScheduledTransfer,
    ActionListScheduledTransfers,
)
from bot.actions.stepup import ActionAskStepupCode
from bot.actions.support import ActionAnswerSupport
from bot.actions.tasks import ActionAnswerOffer, ActionOfferSwitch
from bot.actions.transactions import ActionSearchTransactions
from bot.actions.transfer import (
    ActionAskTransferConfirmed,
    ActionExecuteTransfer,
    ValidateTransferForm,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/actions", tags=["actions"])

ACTIONS = (ActionCheckBalance, ActionAnswerSupport, ActionRequestHuman,
           ActionSearchTransactions, ActionFollowUp, ValidateIdentifyForm, ActionResumeAfterIdentify,
           ValidateTransferForm, ActionAskTransferConfirmed, ActionExecuteTransfer, ActionAskStepupCode,
           ValidateCardForm, ActionAskCard, ActionCardRequest, ActionCardStatus,
           ValidatePayCardForm, ActionAskCardPaymentAmount, ActionAskCardPaymentConfirmed,
           ActionPayCreditCard, ActionListPayees, ValidateAddPayeeForm, ActionAddPayee,
           ValidateDisputeForm, ActionAskDisputeTransaction, ActionOpenDispute,
           ActionCancelScheduledTransfer, ActionListScheduledTransfers, ActionCheckLimits, ActionOfferSwitch,
           ActionAnswerOffer)


def build_executor(context: ActionContext) -> ActionExecutor:
    """Register every custom action with its ports."""
    executor = ActionExecutor()
    for action in ACTIONS:
        executor.register_action(action(context))
    return executor


@router.post("/webhook")
async def webhook(request: Request) -> dict[str, Any]:
    """Run one custom action for Rasa (rasa-sdk wire format: events + responses)."""
    try:
        action_call = await request.json()
    except ValueError:
        raise HTTPException(400, "invalid JSON body") from None
    executor: ActionExecutor = request.app.state.actions
    try:
        result = await executor.run(action_call)
    except ActionNotFoundException as exc:
        raise HTTPException(404, {"error": exc.message, "action_name": exc.action_name}) from None
    except ActionExecutionRejection as exc:
        raise HTTPException(400, {"error": exc.message, "action_name": exc.action_name}) from None
    if result is None:
        raise HTTPException(400, "no next_action in the request")
    return result.model_dump()


@router.get("/list")
async def list_actions(request: Request) -> list[dict[str, Any]]:
    """Names of the registered custom actions."""
    return [item.model_dump() for item in request.app.state.actions.list_actions()]
