"""Textual widgets. They read core models and post messages; no NATS I/O in event handlers."""
