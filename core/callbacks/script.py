"""CB-10: the call script shown during a call, as catalog keys (core/locales/*/callscreen.toml).

Every call follows the same steps (introduce yourself, state the purpose, verify identity, collect
mileage/plate/contact, ask about usage, ask for suggestions, offer care, close with thanks, let the
customer hang up first); each CB-2 kind adds its own question right after the usage question, e.g.
an after-repair call asks about the repair, a complaint call asks whether the complaint was handled.
A callback without a purpose of its own is explained by its kind's purpose."""

from __future__ import annotations

from db.enums import CallbackKind

STEPS = ("introduce", "purpose", "verify", "collect", "usage", "suggestions", "care", "thanks", "hang_up")
ASKED_AFTER = "usage"


def prompts(kind: CallbackKind) -> tuple[str, ...]:
    """CB-10: the script's catalog keys for a callback of this kind, in the order they are said."""
    keys: list[str] = []
    for step in STEPS:
        keys.append(f"callscreen.script.{step}")
        if step == ASKED_AFTER:
            keys.append(f"callscreen.ask.{CallbackKind(kind).value}")
    return tuple(keys)


def purpose_key(kind: CallbackKind) -> str:
    """CB-2: what a callback of this kind is for, when it carries no purpose of its own."""
    return f"callscreen.purpose.{CallbackKind(kind).value}"
