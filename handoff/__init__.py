"""Human hand-off: triggers, the persistent agent queue, the agent API and console.

The package never imports the app (``bot/``); the app plugs it in (everything else is internal):

- start-up: ``hooks = bot.gateway.handoff_hooks.RasaGatewayHooks(state.rasa, state.conversations)``,
  ``desk = handoff.setup.build_desk(settings, engine, hooks=hooks)``; set
  ``app.state.handoff_desk = desk`` and ``app.state.transcripts`` (the transcript store);
  ``app.state.bankcore`` / ``app.state.knowledge`` enable the customer view and agent assist;
  mount ``handoff.agent_api.router``; run ``handoff.setup.run_housekeeping(desk)`` as a task.
- each customer turn: ``triggers.decide(transcript.recent_window(turns), desk.policy)``; on a
  decision ``await hooks.pause_bot(cid)``, ``await desk.escalate(...)`` and tell the
  customer ``notices.queue_notice(status, desk.policy, decision.reason)``.
- while ``await desk.with_human(cid)``: send customer text to ``desk.customer_message`` instead of
  Rasa; relay ``desk.customer_events(cid)`` through ``customer_feed.for_customer`` to the socket.
- the desk calls the hooks itself: ``resume_bot`` whenever a hand-off closes (Rasa resume + the
  agent's slots, mode back to ``bot``) and ``record_agent_message`` (the agent's transcript turn).
"""
