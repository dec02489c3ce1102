"""Natural-language understanding: intents, entities, sentiment and out-of-scope, in Rasa's parse format."""
