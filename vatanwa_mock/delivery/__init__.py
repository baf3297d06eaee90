"""Delivery reports: the worker that posts the twin's outbox, and its retry schedule."""

from vatanwa_mock.delivery.policy import DeliverySchedule
from vatanwa_mock.delivery.worker import DeliveryWorker, running

__all__ = ["DeliverySchedule", "DeliveryWorker", "running"]
