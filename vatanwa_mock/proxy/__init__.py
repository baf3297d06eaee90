"""Proxy mode (``vatanwa-mock --mode proxy``): the contract meets the live service.

Every request of the contract is forwarded to ``--upstream`` and answered with the upstream's
answer, unchanged; both sides are checked against ``openapi/vatanwa.yaml``, and what breaks it
is recorded as a violation, redacted. Delivery reports posted by the provider to
``--callback-path`` are checked and forwarded too.
"""

from vatanwa_mock.proxy.contract import ContractChecker, Problem
from vatanwa_mock.proxy.forward import CONTEXT_KEY, Proxy, ProxyMiddleware, ViolationsView
from vatanwa_mock.proxy.recorder import Exchange, Owner, Recorder

__all__ = [
    "CONTEXT_KEY",
    "ContractChecker",
    "Exchange",
    "Owner",
    "Problem",
    "Proxy",
    "ProxyMiddleware",
    "Recorder",
    "ViolationsView",
]
