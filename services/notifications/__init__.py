"""Notifications: an in-app list per user, e-mail through an outbox, and the payment clock's messages."""
