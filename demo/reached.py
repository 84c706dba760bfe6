"""What a reached call records (CB-5, CB-7) and the complaint callback's quality checklist (CB-9: core's
items, scored by core)."""

from __future__ import annotations

from random import Random
from typing import NamedTuple

from core.callbacks.rules import CB9_ITEMS, qa_score
from db.enums import Channel, Satisfaction
from demo.pools import pick

DISSATISFIED_SHARE = {"complaint": 0.22, "after_repair": 0.09, "recheck": 0.07}
SATISFIED, NEUTRAL = Satisfaction.SATISFIED.value, Satisfaction.NEUTRAL.value
DISSATISFIED = Satisfaction.DISSATISFIED.value
PHONE, QUESTIONNAIRE = Channel.PHONE.value, Channel.QUESTIONNAIRE.value
CHANNELS = ((0.85, Channel.PHONE.value), (0.91, Channel.WECHAT.value), (0.94, Channel.SMS.value),
            (0.97, Channel.EMAIL.value), (1.01, Channel.VISIT.value))


class Call(NamedTuple):
    channel: str
    satisfaction: str
    score: int
    reason: str | None
    questions: str | None
    suggestions: str | None
    notes: str | None
    qa: dict | None
    qa_score: int | None


def reached_call(rng: Random, text: dict, kind: str, quality: float) -> Call:
    """CB-7: satisfaction and a consistent 1-5 score (dissatisfied ⇒ 1-2 and a reason), the
    customer's own words; complaint callbacks (CB-9) also get the checklist and its score."""
    satisfaction, score = _satisfaction(rng, DISSATISFIED_SHARE.get(kind, 0.05))
    reason = pick(rng, text["dissatisfied"]) if satisfaction == DISSATISFIED else None
    qa = {item: rng.random() < quality for item in CB9_ITEMS} if kind == "complaint" else None
    return Call(
        channel=_channel(rng, kind),
        satisfaction=satisfaction,
        score=score,
        reason=reason,
        questions=pick(rng, text["questions"]) if rng.random() < 0.22 else None,
        suggestions=pick(rng, text["suggestions"]) if rng.random() < 0.18 else None,
        notes=pick(rng, text["attempt_notes"]) if rng.random() < 0.1 else None,
        qa=qa,
        qa_score=qa_score(qa),
    )


def _satisfaction(rng: Random, dissatisfied: float) -> tuple[str, int]:
    r = rng.random()
    if r < dissatisfied:
        return DISSATISFIED, 1 + (rng.random() < 0.45)
    if r < dissatisfied + 0.15:
        return NEUTRAL, 3
    return SATISFIED, 5 if rng.random() < 0.62 else 4


def _channel(rng: Random, kind: str) -> str:
    """CB-5; a questionnaire call is mostly answered on the questionnaire itself."""
    if kind == "questionnaire" and rng.random() < 0.5:
        return QUESTIONNAIRE
    if kind in ("recheck", "complaint"):
        return PHONE
    r = rng.random()
    for threshold, channel in CHANNELS:
        if r < threshold:
            return channel
    return PHONE
