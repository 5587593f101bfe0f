"""``porthole agent enroll|run``: usable non-interactively (PORTHOLE_PASSWORD for secrets)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from app.agent.approval import Approve, AutoApprove, DisplayHostUI, HostUI
from app.agent.capture.base import default_source
from app.agent.enroll import EnrolmentFailed, enroll
from app.agent.link import LinkRefused
from app.agent.state import AgentStore, NotEnrolled
from app.agent.wiring import agent_sessions, control_link


def run_agent_command(args: argparse.Namespace) -> int:
    if args.agent_command == "host-ui":
        from app.agent.host_ui import main

        return main(args.host_ui_args)
    store = AgentStore(Path(args.state_dir) if args.state_dir else None)
    if args.agent_command == "enroll":
        return _enroll(store, args)
    source = args.source or default_source()
    host_ui = _host_ui(args.approve or default_approval(source), source)
    return _run(store, source, args.input, args.listen, host_ui)


def default_approval(source: str) -> Approve:
    """Ask where a person may sit at the screen; the demo desktop has nobody to ask."""
    return "auto" if source == "demo" else "ask"


def _host_ui(approve: Approve, source: str) -> HostUI:
    if approve == "auto" or source == "demo":
        return AutoApprove()
    display = os.environ.get("DISPLAY") if source == "x11" else None
    return DisplayHostUI(display)


def _enroll(store: AgentStore, args: argparse.Namespace) -> int:
    password = None
    if args.email:
        password = os.environ.get("PORTHOLE_PASSWORD")
        if password is None:
            if not sys.stdin.isatty():
                print(
                    "Set PORTHOLE_PASSWORD or run from a terminal to type the password.",
                    file=sys.stderr,
                )
                return 2
            password = getpass.getpass(f"Password for {args.email}: ")
    try:
        state = asyncio.run(
            enroll(
                store, args.cloud, args.name, code=args.code, email=args.email, password=password
            )
        )
    except EnrolmentFailed as exc:
        print(str(exc), file=sys.stderr)
        return 1
    where = "the OS keyring" if state.token_store == "keyring" else f"{store.state_dir} (mode 0600)"
    print(f"Enrolled '{state.name}' as computer {state.computer_id}; credential kept in {where}.")
    return 0


def _run(
    store: AgentStore,
    source: str,
    input_backend: str | None,
    listen: str | None,
    host_ui: HostUI,
) -> int:
    try:
        state, token = store.load()
    except NotEnrolled as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"Agent for '{state.name}' linking to {state.cloud_url}", flush=True)

    session_key = store.session_key()
    if source == "x11":
        from app.agent.capture.resolution import give_back_left_fitted

        if give_back_left_fitted(None, store.state_dir):
            print(
                "The monitor an earlier agent had fitted to a viewer has its own resolution back",
                flush=True,
            )

    async def run() -> None:
        sessions = agent_sessions(
            state,
            token,
            session_key,
            source=source,
            host_ui=host_ui,
            input_backend=input_backend,
            state_dir=store.state_dir,
        )
        endpoint = None
        if listen:
            host, _, port = listen.rpartition(":")
            endpoint = await sessions.listen(host or "0.0.0.0", int(port or 0))
            print(f"Direct sessions accepted at {endpoint}", flush=True)
        link = control_link(state, token, sessions, session_key, endpoint)
        try:
            await link.run_forever()
        finally:
            await sessions.close()

    try:
        asyncio.run(run())
    except LinkRefused as exc:
        print(f"The cloud refused this agent: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 0
    return 0
