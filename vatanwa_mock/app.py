"""``create_app(settings)``: the connexion app of the mock, both APIs, all middleware."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

from connexion import AsyncApp
from connexion.jsonifier import Jsonifier
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver

from vatanwa_mock import delivery, dispatcher, errors
from vatanwa_mock.apikeys import HeaderKeysMiddleware
from vatanwa_mock.config import ConfigError, Settings
from vatanwa_mock.examples import ExamplesResolver
from vatanwa_mock.middleware import BODY_OVERHEAD, ChaosMiddleware, TwinMiddleware
from vatanwa_mock.operations import SECURITY_MAP, ValidationMiddleware, install
from vatanwa_mock.proxy import Proxy, ProxyMiddleware, Recorder
from vatanwa_mock.reports import ReportBuilder
from vatanwa_mock.spec import Contract, load_contract, load_control
from vatanwa_mock.store import Store
from vatanwa_mock.twin import STATE_KEY, Twin
from vatanwa_mock.ui import UiMiddleware
from vatanwa_mock.validation import VALIDATOR_MAP, FormURIParser, hide_form_properties

logger = logging.getLogger("vatanwa_mock")
# connexion warns on every request to an operation with two request content types.
logging.getLogger("connexion.operations.openapi3").setLevel(logging.ERROR)

HANDLERS = "vatanwa_mock.handlers"


class TagResolver(Resolver):  # type: ignore[misc]
    """Routes an operation to ``<package>.<its first tag>.<operationId>``."""

    def __init__(self, package: str) -> None:
        super().__init__()
        self.package = package

    def resolve_operation_id(self, operation: Any) -> str:
        tags = operation._operation.get("tags") or ["default"]
        return f"{self.package}.{tags[0]}.{operation.operation_id}"


def create_app(settings: Settings, store: Store | None = None) -> AsyncApp:
    """The mock for ``settings``; ``store`` defaults to one at ``settings.db`` (or in memory).

    The contract is served at its base path (``/api/whatsapp/v1``), the control API at
    ``/_mock``. The app's :class:`~vatanwa_mock.twin.Twin` is its lifespan state: handlers get
    it as their ``twin`` argument. The dispatcher and the delivery worker run while the
    lifespan does; the store is closed at its end.
    """
    contract = load_contract()
    control = load_control()
    if store is None:
        report_body = ReportBuilder(contract.resolved["components"]["schemas"]["DeliveryReport"])
        store = Store(settings.db, report_body=report_body)
    twin = Twin(settings, contract, store)
    proxy = _proxy(settings, contract)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[dict[str, Any]]:
        async with dispatcher.running(twin), delivery.running(twin):
            yield {STATE_KEY: twin}
        twin.store.close()
        if proxy is not None:
            await proxy.aclose()
            print(proxy.recorder.summary_text(), flush=True)

    app = AsyncApp(
        __name__,
        jsonifier=Jsonifier(json, ensure_ascii=False, separators=(",", ":")),
        lifespan=lifespan,
        middlewares=middlewares(contract, proxy, validate_responses=settings.validate_responses),
        validate_responses=settings.validate_responses,
        validator_map=VALIDATOR_MAP,
        security_map=SECURITY_MAP,
        uri_parser_class=FormURIParser,
        # No Swagger UI and no connexion copy of the documents: only documented routes exist,
        # and the control API serves its own document as written.
        swagger_ui_options=SwaggerUIOptions(serve_spec=False, swagger_ui=False),
    )
    install(app)
    contract_resolver: Resolver = (
        ExamplesResolver(contract) if settings.mode == "examples" else TagResolver(HANDLERS)
    )
    app.add_api(
        hide_form_properties(contract.for_connexion()),
        base_path=contract.base_path,
        resolver=contract_resolver,
    )
    app.add_api(
        control.for_connexion(), base_path=control.base_path, resolver=TagResolver(HANDLERS)
    )
    errors.register(app)
    app.twin = twin
    app.proxy = proxy
    return app


def middlewares(contract: Contract, proxy: Proxy | None, *, validate_responses: bool) -> list[Any]:
    """connexion's middleware stack with the mock's own in it, outermost first.

    It is connexion's default stack but for these changes: no Swagger UI middleware (the mock
    serves no Swagger UI, and the layer would only pass every request on), no response
    validation layer unless ``--validate-responses`` asks for it (for the same reason), the
    security check
    by :class:`~vatanwa_mock.apikeys.HeaderKeysMiddleware` (connexion's, in one step for the
    apiKey headers the contract requires), and request validation by
    :class:`~vatanwa_mock.operations.ValidationMiddleware`, connexion's with its per-operation
    answers kept. The mock's middleware sits where ``add_middleware`` would put
    it: the twin, the inspector and the proxy before connexion's exception handling, chaos
    after the security check and before validation.
    """
    return [
        ServerErrorMiddleware,
        partial(TwinMiddleware, max_body_bytes=contract.attachments.max_bytes + BODY_OVERHEAD),
        UiMiddleware,
        *([partial(ProxyMiddleware, proxy=proxy)] if proxy is not None else []),
        ExceptionMiddleware,
        RoutingMiddleware,
        HeaderKeysMiddleware,
        partial(ChaosMiddleware, api_base_path=contract.base_path),
        ValidationMiddleware,
        *([ResponseValidationMiddleware] if validate_responses else []),
        LifespanMiddleware,
        ContextMiddleware,
    ]


def _proxy(settings: Settings, contract: Contract) -> Proxy | None:
    """In proxy mode, the proxy in front of ``settings.upstream`` (:mod:`vatanwa_mock.proxy`)."""
    if settings.mode != "proxy":
        return None
    path = settings.callback_path
    if path == contract.base_path or path.startswith(contract.base_path + "/"):
        raise ConfigError(
            f"--callback-path {path!r} is under the API's base path {contract.base_path}, "
            "where every request is forwarded: choose another, such as /vatansms/callback"
        )
    try:
        recorder = Recorder(violations_path=settings.violations, record_dir=settings.record)
    except OSError as exc:
        raise ConfigError(
            f"--violations {settings.violations} or --record {settings.record} cannot be "
            f"written: {exc.strerror or exc}"
        ) from None
    return Proxy(settings, contract, recorder)
