"""Human hand-off: triggers, the persistent agent queue, the agent API and console."""
