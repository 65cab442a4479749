"""Signatures under agents' replies to customers: the agent's own, then their ticket's team's (both Markdown)."""

from .models import AgentSignature, ServiceTeam

#: The usual signature separator of e-mail: mail clients fold what follows.
SEPARATOR = "-- "


def agent_signature(user) -> str:
    return AgentSignature.objects.filter(user=user).values_list("text", flat=True).first() or ""


def signed(body: str, *, user, team: ServiceTeam | None) -> str:
    """``body`` with the agent's and the team's signature under it; unchanged when neither has one."""
    parts = [text.strip() for text in (agent_signature(user), team.signature if team else "") if text.strip()]
    if not parts:
        return body
    return f"{body.rstrip()}\n\n{SEPARATOR}\n" + "\n\n".join(parts)
