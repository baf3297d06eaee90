"""Delivery reports: the worker that posts the store's outbox, and its retry policy."""

from mock_server.delivery.policy import RetryPolicy
from mock_server.delivery.worker import DeliveryWorker, running

__all__ = ["DeliveryWorker", "RetryPolicy", "running"]
