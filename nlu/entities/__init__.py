"""Rule-based entity extraction: normalised values (amounts, accounts, cards, dates, payees,
merchants) in Rasa's entity format, so Rasa slots fill from the external NLU parse."""
from nlu.entities.extractor import extract_entities

__all__ = ["extract_entities"]
