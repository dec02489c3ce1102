"""Operations: Prometheus metrics, JSON logs with a conversation id, PII masking."""
