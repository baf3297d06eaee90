"""Delivery reports: the worker that posts the store's outbox, and its retry policy."""

from vatanwa_mock.delivery.policy import RetryPolicy
from vatanwa_mock.delivery.worker import DeliveryWorker, running

__all__ = ["DeliveryWorker", "RetryPolicy", "running"]
