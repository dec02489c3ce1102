"""Stand-ins for the gateway's side of the hand-off seams (named fakes: the real ones are the
gateway's transcript store and Rasa resume)."""
from __future__ import annotations


class FakeTranscripts:
    """Stands in for the gateway's transcript store (named as a fake: the real one is the lead's)."""

    def __init__(self) -> None:
        self.by_conversation: dict[str, list[dict]] = {}

    def turns(self, conversation_id: str) -> list[dict]:
        return self.by_conversation.get(conversation_id, [])


class RecordingRasa:
    """Stands in for the Rasa server's tracker-events endpoint."""

    def __init__(self) -> None:
        self.events: list[tuple[str, list[dict]]] = []

    async def add_events(self, sender: str, events: list[dict]) -> None:
        self.events.append((sender, events))


class RecordingHooks:
    def __init__(self) -> None:
        self.resumed: list[tuple[str, dict]] = []
        self.agent_messages: list[tuple[str, str, str]] = []
        self.feedback_asked: list[str] = []

    async def resume_bot(self, conversation_id: str, slots: dict) -> None:
        self.resumed.append((conversation_id, slots))

    async def record_agent_message(self, conversation_id: str, agent_name: str, text: str) -> None:
        self.agent_messages.append((conversation_id, agent_name, text))

    async def ask_feedback(self, conversation_id: str) -> dict | None:
        self.feedback_asked.append(conversation_id)
        return {"text": "How satisfied are you?", "custom": {"survey": {"step": "csat"}}}


class FakeKnowledge:
    """Answers like ``KnowledgeAnswerer.answer`` from a fixed table (the real one needs the encoder)."""

    def __init__(self, answers: dict[str, tuple[str, str, list[str]]]) -> None:
        self.answers = answers  # question -> (kind, text, candidate questions)
        self.asked: list[tuple[str, str | None]] = []

    def answer(self, text, intent=None, entities=None):
        from types import SimpleNamespace

        self.asked.append((text, intent))
        kind, reply, candidates = self.answers.get(text, ("clarify", "Did you mean...?", []))
        return SimpleNamespace(kind=kind, text=reply, sources=[f"src:{text}"],
                               candidates=[SimpleNamespace(question=q) for q in candidates])
