"""Redaction of what the proxy records."""

from __future__ import annotations

from vatanwa_mock.proxy.redaction import finish, mask_phones, redact_headers, redact_value


def test_phone_numbers_keep_their_last_four_digits() -> None:
    assert mask_phones("+905459260314") == "+********0314"
    assert mask_phones("905459260314:97@s.whatsapp.net") == "********0314:97@s.whatsapp.net"
    assert mask_phones("+905459260314, 903222450353") == "+********0314, ********0353"
    assert mask_phones("send_speed 4, code 1234567") == "send_speed 4, code 1234567"


def test_identifiers_stay_and_credentials_go() -> None:
    value = {
        "reg_id": "3641473184",
        "regId": "3641473184",
        "callback_data": "12345678",
        "phone": 905459260314,
        "n_to_n": [{"to": "+905459260314", "message": "Ara: 05321234567"}],
        "api_token": "abc",
        "client_secret": "xyz",
    }
    assert redact_value(value) == {
        "reg_id": "3641473184",
        "regId": "3641473184",
        "callback_data": "12345678",
        "phone": "********0314",
        "n_to_n": [{"to": "+********0314", "message": "Ara: *******4567"}],
        "api_token": "***",
        "client_secret": "***",
    }


def test_headers_and_echoes() -> None:
    headers = redact_headers(
        [
            ("Client-Secret", "s3cret-value"),
            ("client-id", "acct"),
            ("Cookie", "a=b"),
            ("X-Phone", "+905459260314"),
            ("Accept", "*/*"),
            ("Accept", "text/plain"),
        ]
    )
    assert headers == {
        "client-secret": "***",
        "client-id": "***",
        "cookie": "***",
        "x-phone": "+********0314",
        "accept": "*/*, text/plain",
    }
    record = {"body": {"description": "bad key S3CRET/VALUE (s3cret%2Fvalue)"}}
    assert finish(record, ["s3cret/value"]) == {"body": {"description": "bad key *** (***)"}}
