"""Conversations, their transcripts and customer session tokens (the gateway's own state)."""
