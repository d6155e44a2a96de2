"""UI-free core: asyncio + nats-py only. Nothing here may import textual or rich."""
