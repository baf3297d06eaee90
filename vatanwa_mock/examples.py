"""``--mode examples``: every operation of the contract answers its documented example.

Like ``connexion run --mock``, but the examples are read from the contract once, and the
security check and the error envelope still apply (the handler only runs for a request that
passed both).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from connexion.resolver import Resolution, Resolver

from vatanwa_mock.spec import Contract


class ExamplesResolver(Resolver):  # type: ignore[misc]
    """Resolves each operation to a handler that returns its documented 200 example."""

    def __init__(self, contract: Contract) -> None:
        super().__init__()
        self.contract = contract

    def resolve(self, operation: Any) -> Resolution:
        documented = self.contract.operations[operation.operation_id]
        answer = (documented.example(200), 200)

        async def example(**_: Any) -> tuple[Any, int]:
            return answer

        handler: Callable[..., Awaitable[tuple[Any, int]]] = example
        return Resolution(handler, operation.operation_id)
