"""The models of the API's requests and answers, generated from the contract.

Every value a client method returns, every request body, the delivery report and the error
envelope is one of these classes (``attrs`` classes with ``to_dict`` and ``from_dict``), so type
hints and ``isinstance`` checks need only this module::

    from vatanwa.types import LoginPhoneResponse, SuccessEnvelope

``UNSET`` is the value of an optional field left out of a request (its type is ``Unset``);
``File`` is the attachment of a generated multipart form.
"""

from vatanwa_client.models import (
    ConnectedDevice,
    ConnectionStatus,
    DeliveryReport,
    DeliveryReportStatus,
    Device,
    DevicesResponse,
    ErrorEnvelope,
    ErrorEnvelopeStatus,
    LoginCheckActiveResponse,
    LoginCheckResponse,
    LoginPhoneData,
    LoginPhoneRequest,
    LoginPhoneResponse,
    LoginPhoneUrlencoded,
    LoginQrData,
    LoginQrResponse,
    NToNItem,
    ProfilePicture,
    ProfilePictureResponse,
    RegIdNumberRequest,
    RegIdStringRequest,
    RegIdUrlencoded,
    SendMessageForm,
    SendMessageNToNForm,
    SendMessageNToNRequest,
    SendMessageNToNUrlencoded,
    SendMessageOneToNForm,
    SendMessageOneToNRequest,
    SendMessageOneToNUrlencoded,
    SendMessageRequest,
    SendMessageUrlencoded,
    SuccessEnvelope,
    SuccessEnvelopeCode,
    SuccessEnvelopeStatus,
)
from vatanwa_client.types import UNSET, File, Unset

__all__ = [
    "UNSET",
    "ConnectedDevice",
    "ConnectionStatus",
    "DeliveryReport",
    "DeliveryReportStatus",
    "Device",
    "DevicesResponse",
    "ErrorEnvelope",
    "ErrorEnvelopeStatus",
    "File",
    "LoginCheckActiveResponse",
    "LoginCheckResponse",
    "LoginPhoneData",
    "LoginPhoneRequest",
    "LoginPhoneResponse",
    "LoginPhoneUrlencoded",
    "LoginQrData",
    "LoginQrResponse",
    "NToNItem",
    "ProfilePicture",
    "ProfilePictureResponse",
    "RegIdNumberRequest",
    "RegIdStringRequest",
    "RegIdUrlencoded",
    "SendMessageForm",
    "SendMessageNToNForm",
    "SendMessageNToNRequest",
    "SendMessageNToNUrlencoded",
    "SendMessageOneToNForm",
    "SendMessageOneToNRequest",
    "SendMessageOneToNUrlencoded",
    "SendMessageRequest",
    "SendMessageUrlencoded",
    "SuccessEnvelope",
    "SuccessEnvelopeCode",
    "SuccessEnvelopeStatus",
    "Unset",
]
