"""Defences that cut across the gateway, the actions and the consoles: lock-outs, the secret
vault, security headers."""
