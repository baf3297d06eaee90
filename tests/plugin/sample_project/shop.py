"""A shop's notifications: the application code under test, using the SDK as in production."""

from __future__ import annotations

from dataclasses import dataclass

from vatanwa import Vatanwa


@dataclass(frozen=True)
class Order:
    id: int
    phone: str
    #: The shop's WhatsApp device (the ``reg_id`` of its login).
    device: str


def notify_customer(order: Order) -> None:
    """Tell the customer that their order shipped; the report comes back with the order's id."""
    with Vatanwa() as api:  # credentials and URL from the VATANWA_* variables
        api.messages.send(
            order.device, order.phone, f"Your order {order.id} has shipped.", report_id=order.id
        )
