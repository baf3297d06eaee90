"""Callback targets: link-local addresses and odd spellings of addresses are refused, when the
URL is set and again when it is resolved before an attempt; loopback and private stay allowed."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from vatanwa_mock.config import ConfigError, Settings, load_settings, validate_callback_url
from vatanwa_mock.delivery.targets import UnsafeTarget, check_connect, check_url

REFUSED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.1.1:8000/hook",
    "http://[fe80::1]/hook",
    "http://[fe80::1%25eth0]/hook",
    "http://[::ffff:169.254.169.254]/hook",
    "http://0.0.0.0:8000/hook",
    "http://[::]:8000/hook",
    "http://224.0.0.1/hook",
    # non-canonical spellings the C resolver reads as addresses
    "http://0x7f.1/hook",
    "http://2130706433/hook",
    "http://0177.0.0.1/hook",
    "http://127.1/hook",
    "http://0x7f000001:8000/hook",
    "http://0xa9.0xfe.0xa9.0xfe/hook",
]
ALLOWED = [
    "http://127.0.0.1:8000/vatansms/callback",
    "http://[::1]:8000/hook",
    "http://10.0.0.5/hook",
    "http://192.168.1.20:9000/hook",
    "http://172.16.0.1/hook",
    "http://localhost:8000/hook",
    "https://hooks.example.com/vatansms",
    "http://203.0.113.7/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_refused_targets(url: str) -> None:
    with pytest.raises(UnsafeTarget):
        check_url(url)
    with pytest.raises(ConfigError, match="--allow-unsafe-callback-targets"):
        validate_callback_url(url)
    with pytest.raises(ConfigError):
        load_settings(["--callback-url", url], environ={})
    # ...unless explicitly allowed.
    assert validate_callback_url(url, allow_unsafe_targets=True) == url
    allowed = load_settings(["--callback-url", url, "--allow-unsafe-callback-targets"], environ={})
    assert allowed.callback_url == url


@pytest.mark.parametrize("url", ALLOWED)
def test_allowed_targets(url: str) -> None:
    check_url(url)
    assert validate_callback_url(url) == url
    assert Settings(callback_url=url).callback_url == url


def test_a_refusal_does_not_show_the_urls_secrets() -> None:
    with pytest.raises(ConfigError) as caught:
        validate_callback_url("http://me:pa55word@169.254.169.254/x?token=abcdefgh123")
    assert "pa55word" not in str(caught.value)
    assert "abcdefgh123" not in str(caught.value)
    assert "http://***:***@169.254.169.254/x?token=***" in str(caught.value)


def _resolving_to(address: str) -> Any:
    async def getaddrinfo(host: str, port: int, **_kwargs: Any) -> list[Any]:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    return getaddrinfo


@pytest.mark.parametrize(
    ("address", "refused"),
    [("169.254.169.254", True), ("fe80::1", True), ("127.0.0.1", False), ("10.1.2.3", False)],
)
def test_a_name_is_checked_by_what_it_resolves_to(address: str, refused: bool) -> None:
    async def attempt() -> None:
        loop = asyncio.get_running_loop()
        loop.getaddrinfo = _resolving_to(address)  # type: ignore[method-assign]
        await check_connect("http://receiver.internal:8000/hook")

    if refused:
        with pytest.raises(UnsafeTarget, match=address):
            asyncio.run(attempt())
    else:
        asyncio.run(attempt())


def test_a_name_that_does_not_resolve_is_left_to_the_connection() -> None:
    async def attempt() -> None:
        async def failing(*_args: Any, **_kwargs: Any) -> list[Any]:
            raise socket.gaierror("no such name")

        asyncio.get_running_loop().getaddrinfo = failing  # type: ignore[method-assign]
        await check_connect("http://nowhere.invalid/hook")

    asyncio.run(attempt())


def test_the_control_api_refuses_unless_the_setting_allows() -> None:
    from vatanwa_mock.app import create_app
    from vatanwa_mock.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

    auth = {"client-id": DEFAULT_CLIENT_ID, "client-secret": DEFAULT_CLIENT_SECRET}
    url = "http://169.254.169.254/latest/meta-data/"
    with create_app(Settings()).test_client() as client:
        refused = client.put("/_mock/callback", headers=auth, json={"url": url})
        assert refused.status_code == 422
        assert "--allow-unsafe-callback-targets" in refused.json()["description"]
        assert client.get("/_mock/callback", headers=auth).json() == {"url": None}
    allowing = Settings(allow_unsafe_callback_targets=True)
    with create_app(allowing).test_client() as client:
        allowed = client.put("/_mock/callback", headers=auth, json={"url": url})
        assert allowed.status_code == 200
        assert allowed.json() == {"url": url}
