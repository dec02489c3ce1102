"""The FastAPI application: gateway, NLU endpoint and action webhook in one process."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import yaml
from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool

from bot.actions.context import ActionContext
from bot.actions.language import DialogueLanguage
from bot.actions.webhook import build_executor
from bot.actions.webhook import router as actions_router
from bot.analytics import api as analytics_api
from bot.analytics import auth as analytics_auth
from bot.analytics import feedback_api
from bot.analytics import pages as analytics_pages
from bot.analytics.complaints import ComplaintRecogniser, ComplaintRules
from bot.analytics.feedback import ComplaintStore, FeedbackStore
from bot.analytics.survey import FeedbackSurvey
from bot.analytics.timings import ResponseTimes
from bot.bankcore.policy import BankPolicy
from bot.bankcore.scheduler import run_scheduler
from bot.bankcore.sql_bankcore import SqlBankCore
from bot.conversations.store import ConversationStore
from bot.conversations.tokens import TokenStore
from bot.db import create_all, make_engine, make_session_factory
from bot.gateway import (
    accounts_api,
    auth_api,
    conversations_api,
    handoff_api,
    health_api,
    pages,
    rest_channel,
    voice_socket,
    ws_channel,
)
from bot.gateway.body_limit import BodyLimitMiddleware
from bot.gateway.call_transfer import build_call_transfer
from bot.gateway.errors import validation_failed
from bot.gateway.handoff_gate import HandoffGate
from bot.gateway.handoff_hooks import RasaGatewayHooks
from bot.gateway.internal_auth import require_internal_token
from bot.gateway.security_headers import SecurityHeadersMiddleware
from bot.gateway.turns import Secrets, TurnService
from bot.gateway.voice_handler import VoiceTurnHandler
from bot.gateway.voice_handoff import VoiceHandoff
from bot.observability import api as metrics_api
from bot.observability.instrument import (
    ObservedRasaClient,
    StageTimingMiddleware,
    TurnMetrics,
)
from bot.observability.logs import configure_logging
from bot.observability.masked_transcripts import MaskedTranscripts
from bot.observability.metrics import Metrics
from bot.observability.rasa_context import ActionConversationMiddleware
from bot.rasa.project import form_starts, support_intents
from bot.rasa.supervisor import RasaSupervisor
from bot.security.attempts import AttemptGuard, load_rules
from bot.security.sources import TurnSources
from bot.security.vault import SecretVault
from bot.settings import Settings, get_settings
from handoff import agent_api
from handoff.setup import build_desk, run_housekeeping
from knowledge_graph.answerer import KnowledgeAnswerer
from knowledge_graph.api import router as knowledge_router
from nlu.api import router as nlu_router
from nlu.service import NluService
from speech import telephony_api

log = logging.getLogger(__name__)


async def _cancel(task: asyncio.Task) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the lifespan opens the database, loads models and supervises Rasa."""
    settings = settings or get_settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.log_json:
            configure_logging()
        async with contextlib.AsyncExitStack() as cleanup:  # undone in reverse, also on failure
            engine = make_engine(settings.sqlalchemy_url)
            cleanup.callback(engine.dispose)
            create_all(engine)
            sessions = make_session_factory(engine)
            state = app.state
            state.settings = settings
            state.engine = engine
            # Rasa takes the longest to load: start it first so it loads while our models do.
            state.supervisor = RasaSupervisor(settings) if settings.rasa_manage else None
            if state.supervisor:
                await state.supervisor.start()
                cleanup.push_async_callback(state.supervisor.stop)
            policy = yaml.safe_load((settings.data_dir / "bank" / "policy.yml").read_text(encoding="utf-8"))
            bank_policy = BankPolicy.of(policy)
            language = DialogueLanguage.load(settings.data_dir / "language" / "en.yml")
            state.bankcore = SqlBankCore(sessions, policy=bank_policy)
            if settings.scheduled_transfers_interval_s > 0:
                scheduler = asyncio.create_task(run_scheduler(
                    state.bankcore, settings.scheduled_transfers_interval_s), name="scheduled-transfers")
                cleanup.push_async_callback(_cancel, scheduler)
            state.conversations = ConversationStore(sessions)
            state.tokens = TokenStore(sessions, settings.session_ttl_s)
            state.nlu = await run_in_threadpool(NluService.load, settings)
            state.knowledge = await run_in_threadpool(KnowledgeAnswerer.load, settings, False)
            state.rasa = ObservedRasaClient(f"http://127.0.0.1:{settings.rasa_port}",
                                            settings.rasa_timeout_s, settings.internal_token, metrics)
            cleanup.push_async_callback(state.rasa.close)
            state.transcripts = MaskedTranscripts(state.conversations)  # agents see PII masked
            state.feedback = FeedbackStore(sessions)
            survey = FeedbackSurvey(state.feedback, state.conversations, sessions, settings.nps_sample_rate)
            hooks = RasaGatewayHooks(state.rasa, state.conversations, survey)
            state.handoff_desk = desk = build_desk(settings, engine, hooks=hooks)
            cleanup.push_async_callback(desk.bus.close)
            housekeeping = asyncio.create_task(run_housekeeping(desk), name="handoff-housekeeping")
            cleanup.push_async_callback(_cancel, housekeeping)
            state.handoff_gate = gate = HandoffGate(desk, hooks, state.conversations, state.bankcore)
            state.vault = SecretVault(float(policy["secrets"]["held_for_s"]))
            state.identity_attempts = AttemptGuard(sessions, load_rules(policy, "identification"), "identification")
            state.login_attempts = AttemptGuard(sessions, load_rules(policy, "login"), "login")
            state.turn_sources = TurnSources()
            state.twilio_auth_token = settings.twilio_auth_token  # phone streams must be signed with it
            state.complaints = ComplaintStore(sessions)
            complaints = ComplaintRecogniser(
                ComplaintRules.load(settings.data_dir / "analytics" / "complaints.yml"), state.complaints, sessions)
            state.turns = TurnService(
                state.conversations, state.rasa, gate, survey,
                Secrets(state.vault, language.secret_placeholders, state.tokens, state.turn_sources),
                observers=[TurnMetrics(metrics), ResponseTimes(sessions), complaints])
            telephony = httpx.AsyncClient(timeout=10)  # Twilio's REST API, for call transfers
            cleanup.push_async_callback(telephony.aclose)
            state.voice_handler = VoiceTurnHandler(state.conversations, state.turns, VoiceHandoff(
                desk, build_call_transfer(settings, telephony)))
            try:  # the log line names the ASR engine and voice picked for this machine
                state.speech = await run_in_threadpool(telephony_api.SpeechRuntime.from_env)
                state.speech.observe = metrics.observe  # asr and tts stage timings
            except Exception:  # voice is optional: chat keeps working without speech models
                log.exception("speech models failed to load; phone calls will be refused")
                state.speech = None
            metrics.watch_handoffs(engine)
            state.actions = build_executor(ActionContext(
                state.bankcore, state.conversations, state.knowledge, language,
                form_starts(settings.data_dir / "rasa" / "rules.yml"), frozenset(support_intents(settings)),
                state.vault, state.identity_attempts, state.turn_sources, bank_policy))
            yield

    app = FastAPI(
        title="bankbot",
        version="0.1.0",
        description="Conversational customer-service assistant for retail banks.",
        lifespan=lifespan,
    )
    app.state.metrics = metrics
    app.add_exception_handler(RequestValidationError, validation_failed)
    app.add_middleware(ActionConversationMiddleware)
    app.add_middleware(StageTimingMiddleware, metrics=metrics)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,
                       internal_max_bytes=settings.internal_max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    for module in (pages, health_api, auth_api, accounts_api, conversations_api, handoff_api,
                   rest_channel,
                   ws_channel, voice_socket, metrics_api, feedback_api, analytics_auth, analytics_api, analytics_pages, agent_api,
                   telephony_api):
        app.include_router(module.router)
    internal = [Depends(require_internal_token)]
    app.include_router(nlu_router, dependencies=internal)
    app.include_router(actions_router, dependencies=internal)
    app.include_router(knowledge_router, dependencies=internal)  # for tools and agent assist
    return app
