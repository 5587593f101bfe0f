"""An enrolled agent's parts put together: its sessions and its control link to the cloud
(which offers sessions, carries their reports, tells the current ticket keys, takes the
network adapters and asks for the magic packets that wake another computer)."""

from __future__ import annotations

from pathlib import Path

from app.agent.approval import HostUI
from app.agent.link import ControlLink
from app.agent.session import AgentSessions
from app.agent.state import AgentState
from app.agent.wake import chosen_interfaces, local_adapters, send_wake
from app.protocol.secure import StaticKey
from app.protocol.wake import WakeSend


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
    chosen = chosen_interfaces()
    link = ControlLink(
        state.cloud_url,
        token,
        on_offer=sessions.offer,
        endpoint_url=endpoint,
        session_key=session_key.public_text,
        on_ticket_keys=sessions.learn_ticket_keys,
        adapters=lambda: local_adapters(chosen),
        on_wake=lambda request: _wake(request, chosen),
    )
    sessions.on_report = link.report
    return link


def _wake(request: WakeSend, chosen: frozenset[str] | None) -> None:
    """Another computer of the account, woken from here: its magic packets on our networks."""
    send_wake(request, local_adapters(chosen))
