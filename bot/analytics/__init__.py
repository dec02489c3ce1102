"""Service-quality analytics: feedback and complaints storage, SQL figures, missed questions, retention."""
