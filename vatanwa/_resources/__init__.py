"""One class per API group (the contract's tags), each with a sync and an async twin."""

from .devices import AsyncDevices, Devices
from .login import AsyncLogin, Login
from .messages import AsyncMessages, Messages
from .profile import AsyncProfile, Profile

__all__ = [
    "AsyncDevices",
    "AsyncLogin",
    "AsyncMessages",
    "AsyncProfile",
    "Devices",
    "Login",
    "Messages",
    "Profile",
]
