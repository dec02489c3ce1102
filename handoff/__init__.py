"""Human hand-off: triggers, the persistent agent queue, the agent API and console.

How the gateway plugs it in (everything else is internal):

- start-up: ``desk = handoff.setup.build_desk(settings, engine, hooks=...)``; set
  ``app.state.handoff_desk = desk`` and ``app.state.transcripts`` (the transcript store);
  ``app.state.bankcore`` / ``app.state.knowledge`` enable the customer view and agent assist;
  mount ``handoff.agent_api.router``; run ``handoff.setup.run_housekeeping(desk)`` as a task.
- each customer turn: ``triggers.decide(transcript.recent_window(turns), desk.policy)``; on a
  decision pause Rasa (``rasa_events.pause_events()``), ``await desk.escalate(...)`` and tell the
  customer ``notices.queue_notice(status, desk.policy, decision.reason)``.
- while ``await desk.with_human(cid)``: send customer text to ``desk.customer_message`` instead of
  Rasa; relay ``desk.customer_events(cid)`` through ``customer_feed.for_customer`` to the socket.
- hooks (``desk.GatewayHooks``): ``resume_bot`` (append ``rasa_events.resume_events(slots)``) and
  ``record_agent_message`` (write the agent's turn to the transcript).
"""
