"""Streaming speech recognition: one interface (``base``), Vosk and faster-whisper engines."""
