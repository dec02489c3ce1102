"""Schemathesis over the running stack's OpenAPI schema, with a bounded budget: generated and
malformed requests to every operation, anonymous and with a customer's and an agent's token, and
not one 5xx. (The socket half of the fuzzing is in ``test_socket_frames.py``.) Hypothesis drives
each operation directly: schemathesis's pytest plugin does not run on this pytest."""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402 - after the importorskip
from schemathesis.checks import not_a_server_error  # noqa: E402

pytestmark = pytest.mark.stack
EXAMPLES_PER_OPERATION = 30  # x 3 callers x ~70 operations: about two minutes against the real stack
LOGOUTS = ("/api/auth/logout", "/agent/logout")


def test_no_request_gets_a_server_error(secure_stack):
    with secure_stack.client() as http:
        customer = http.post("/api/auth/login", json={"username": "erin", "password": "erin-demo-pass"})
        agent = http.post("/agent/login", json={"username": "supervisor", "password": "supervisor-demo-pass"})
    callers = [{}, {"Authorization": f"Bearer {customer.json()['token']}"},
               {"Authorization": f"Bearer {agent.json()['token']}"}]
    schema = schemathesis.openapi.from_url(f"{secure_stack.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40, "the schema lost its operations"
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_server_error(case) -> None:
            for headers in callers:
                # the fuzzer must not log the shared tokens out from under the other operations
                case.call_and_validate(base_url=secure_stack.url, headers={} if case.path in LOGOUTS else headers,
                                       checks=[not_a_server_error], timeout=60)

        try:
            no_server_error()
        except Exception as exc:  # noqa: BLE001 - every operation runs; all failures are reported
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
