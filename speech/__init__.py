"""Voice: streaming speech recognition, speech synthesis and telephony protocol adapters."""
