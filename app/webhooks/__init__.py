"""Webhooks: subscriptions, an outbox of signed deliveries, and the worker that sends them."""
