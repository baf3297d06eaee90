"""The generated client's operation modules, imported in one place.

openapi-python-client 0.29.1 writes ``body: A | B | Unset = UNSET`` for an operation whose
required request body has several content types, without importing ``Unset``
(openapi-generators/openapi-python-client#1451), so the three send modules fail to import with
``NameError``. They are loaded here with ``Unset`` provided; once the generator is fixed, the
plain import succeeds and the workaround is never used.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import TYPE_CHECKING

from vatanwa_client.types import Unset


def _import_api_module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except NameError as exc:
        if exc.name != "Unset":
            raise
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot find the generated module {name}")
    module = importlib.util.module_from_spec(spec)
    module.Unset = Unset  # type: ignore[attr-defined]
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


if TYPE_CHECKING:
    from vatanwa_client.api.devices import list_devices
    from vatanwa_client.api.login import (
        login_check,
        login_check_active,
        login_phone,
        login_qr,
        logout,
    )
    from vatanwa_client.api.messages import (
        send_message,
        send_message_n_to_n,
        send_message_one_to_n,
    )
    from vatanwa_client.api.profile import get_profile_picture
else:
    list_devices = _import_api_module("vatanwa_client.api.devices.list_devices")
    login_check = _import_api_module("vatanwa_client.api.login.login_check")
    login_check_active = _import_api_module("vatanwa_client.api.login.login_check_active")
    login_phone = _import_api_module("vatanwa_client.api.login.login_phone")
    login_qr = _import_api_module("vatanwa_client.api.login.login_qr")
    logout = _import_api_module("vatanwa_client.api.login.logout")
    send_message = _import_api_module("vatanwa_client.api.messages.send_message")
    send_message_n_to_n = _import_api_module("vatanwa_client.api.messages.send_message_n_to_n")
    send_message_one_to_n = _import_api_module("vatanwa_client.api.messages.send_message_one_to_n")
    get_profile_picture = _import_api_module("vatanwa_client.api.profile.get_profile_picture")

__all__ = [
    "get_profile_picture",
    "list_devices",
    "login_check",
    "login_check_active",
    "login_phone",
    "login_qr",
    "logout",
    "send_message",
    "send_message_n_to_n",
    "send_message_one_to_n",
]
