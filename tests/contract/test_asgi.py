"""schemathesis against the mock in-process: its ASGI app, no socket, every check.

The same contract, settings and hooks as the run over HTTP (``schemathesis.toml``), through
schemathesis' pytest integration: one test per operation over the examples, coverage and fuzzing
phases, and the stateful phase as a Hypothesis state machine that follows the contract's links.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import settings
from schemathesis import GenerationMode

from tests.contract import budget, mock, run_http, spec

# In-process requests carry schemathesis' test host; the path is the contract's base path.
BASE_URL = "http://testserver" + spec.base_path()

# The YAML itself (not what the mock serves), bound to a mock app of its own. Built at import:
# `schema.parametrize()` copies the schema then, and schemathesis' `from_fixture`, which would
# defer it, does not run under pytest 9.
schema = schemathesis.openapi.from_path(spec.SPEC_PATH)


schema.app = mock.FreshMock()


@schema.parametrize()
@settings(budget.hypothesis_settings(30))
def test_every_operation_conforms(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(base_url=BASE_URL)


def test_stateful_links() -> None:
    """The state machine follows every link of the contract, checking every response."""
    taken: set[str] = set()
    stateful = schemathesis.openapi.from_path(spec.SPEC_PATH)
    stateful.app = mock.FreshMock()
    # Valid requests only: under pytest the configured credentials are added to every request,
    # also to one generated without them to test their absence, which then arrives
    # authenticated and would be reported as accepted. The other phases, and the stateful
    # phase of the run over HTTP, send the invalid ones.
    stateful.config.phases.stateful.generation.update(modes=[GenerationMode.POSITIVE])

    class Recording(stateful.as_state_machine()):  # type: ignore[misc]
        def step(self, input: Any) -> Any:
            if input.transition is not None and input.is_applied:
                taken.add(input.transition.id)
            return super().step(input)

    Recording.run(
        settings=settings(
            budget.hypothesis_settings(60),
            # The same scenarios every run, so following every link does not depend on luck; the
            # scenarios depend on the whole contract, so a contract change may need a larger budget
            # (the assertion names the links not followed).
            derandomize=True,
            stateful_step_count=stateful.config.phases.stateful.max_steps,
        )
    )
    assert run_http.declared_links() <= taken, run_http.declared_links() - taken
