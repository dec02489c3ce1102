"""rasa-sdk custom actions served by the app's action webhook: one small class per action."""
