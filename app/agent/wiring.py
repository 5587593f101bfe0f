"""An enrolled agent's parts put together: its sessions and its control link to the cloud
(which offers sessions, carries their reports and tells the current ticket keys)."""

from __future__ import annotations

from pathlib import Path

from app.agent.approval import HostUI
from app.agent.link import ControlLink
from app.agent.session import AgentSessions
from app.agent.state import AgentState
from app.protocol.secure import StaticKey


def agent_sessions(
    state: AgentState,
    token: str,
    session_key: StaticKey,
    *,
    source: str = "demo",
    host_ui: HostUI | None = None,
    input_backend: str | None = None,
    state_dir: Path | None = None,
) -> AgentSessions:
    return AgentSessions(
        state.cloud_url,
        token,
        state.computer_id,
        state.cloud_public_key,
        cloud_key_id=state.cloud_key_id,
        session_key=session_key,
        source=source,
        host_ui=host_ui,
        input_backend=input_backend,
        state_dir=state_dir,
    )


def control_link(
    state: AgentState,
    token: str,
    sessions: AgentSessions,
    session_key: StaticKey,
    endpoint: str | None = None,
) -> ControlLink:
    link = ControlLink(
        state.cloud_url,
        token,
        on_offer=sessions.offer,
        endpoint_url=endpoint,
        session_key=session_key.public_text,
        on_ticket_keys=sessions.learn_ticket_keys,
    )
    sessions.on_report = link.report
    return link
