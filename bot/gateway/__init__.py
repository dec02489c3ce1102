"""The customer-facing gateway: chat channels, login, conversations and transcripts."""
