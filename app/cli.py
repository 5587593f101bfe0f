"""``porthole``: the viewer by default; ``cloud``, ``agent`` and ``demo`` subcommands."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from app import __version__
from app.agent.capture.base import INPUTS, SOURCES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="porthole", description="Reach your own computers.")
    parser.add_argument("--version", action="version", version=f"porthole {__version__}")
    viewer = parser.add_argument_group("viewer")
    viewer.add_argument("--cloud", help="the cloud's URL (default: the last one, or local)")
    viewer.add_argument(
        "--kiosk",
        action="store_true",
        help="show one computer full screen for good (needs --cloud, --email, --computer); "
        "signs in from the keyring or PORTHOLE_PASSWORD",
    )
    viewer.add_argument("--email", help="the account (kiosk)")
    viewer.add_argument("--computer", help="the computer's name (kiosk)")
    viewer.add_argument(
        "--exit-chord",
        metavar="KEYS",
        help="the keys that leave kiosk mode (default: Ctrl+Alt+Shift+Q)",
    )
    viewer.add_argument("--lang", choices=["en", "fr"], help="the language (default: the system's)")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="start the viewer, check its window shows, print 'smoke ok' and quit (~1 s)",
    )
    commands = parser.add_subparsers(dest="command", metavar="{cloud,agent,demo}")

    cloud = commands.add_parser("cloud", help="the cloud service")
    cloud_commands = cloud.add_subparsers(dest="cloud_command", required=True)
    serve = cloud_commands.add_parser("serve", help="serve the API, relay and portal")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8740, help="0 picks a free port")
    serve.add_argument("--certfile", help="serve HTTPS with this PEM certificate chain")
    serve.add_argument("--keyfile", help="... and this PEM private key")
    serve.add_argument(
        "--forwarded-allow-ips",
        metavar="ADDRESSES",
        help="reverse proxies whose X-Forwarded-For/-Proto to believe (e.g. 127.0.0.1)",
    )
    payments = cloud_commands.add_parser("payments", help="the sandbox provider's operator side")
    payment_commands = payments.add_subparsers(dest="payments_command", required=True)
    receive = payment_commands.add_parser(
        "receive", help="mark money received for a PayPal or bank-transfer payment"
    )
    receive.add_argument("reference", help="the payment reference, e.g. PH-ABCD-EFGH")
    receive.add_argument(
        "--amount", type=float, help="amount received in the currency (default: what is due)"
    )
    bundle = cloud_commands.add_parser("bundle", help="subscriptions bundled with other products")
    bundle_commands = bundle.add_subparsers(dest="bundle_command", required=True)
    issue = bundle_commands.add_parser("issue", help="print new single-use bundle codes")
    issue.add_argument("--months", type=int, required=True)
    issue.add_argument("--count", type=int, default=1)
    billing = cloud_commands.add_parser("billing", help="billing jobs")
    billing_commands = billing.add_subparsers(dest="billing_command", required=True)
    billing_commands.add_parser("renew", help="run the renewal job once (it also runs by itself)")
    keys = cloud_commands.add_parser("keys", help="the keys that sign tokens and tickets")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    key_commands.add_parser("list", help="each key: purpose, id, state, when it signs and ends")
    rotate = key_commands.add_parser(
        "rotate",
        help="replace keys: the new ones sign after every process and agent knows them, "
        "the old ones verify until what they signed expires",
    )
    rotate.add_argument(
        "--purpose",
        action="append",
        choices=["access", "web", "ticket", "csrf"],
        help="only these keys (repeatable; default all)",
    )
    rotate.add_argument(
        "--revoke",
        action="store_true",
        help="for a leaked key: the new keys sign now and the old ones stop verifying now "
        "(everyone signs in again; sessions opening in the next minute may be refused)",
    )

    agent = commands.add_parser("agent", help="the agent that makes this computer reachable")
    agent.add_argument(
        "--state-dir", help="where the agent keeps its enrolment (default: user config dir)"
    )
    agent_commands = agent.add_subparsers(dest="agent_command", required=True)
    enroll = agent_commands.add_parser("enroll", help="enrol this computer in an account")
    enroll.add_argument("--cloud", required=True, help="the cloud's URL, e.g. https://…")
    enroll.add_argument("--name", required=True, help="the name people will see")
    how = enroll.add_mutually_exclusive_group(required=True)
    how.add_argument("--code", help="a one-time enrolment code from the app or portal")
    how.add_argument(
        "--email", help="the account's email; the password comes from PORTHOLE_PASSWORD or a prompt"
    )
    run = agent_commands.add_parser("run", help="keep this computer reachable")
    run.add_argument(
        "--source",
        choices=SOURCES,
        help="what sessions show: the X11 display (MIT-SHM, X DAMAGE), a Wayland desktop "
        "through the XDG desktop portal (GNOME, KDE), any screen through mss (Windows, "
        "macOS), or the built-in demo desktop (default on Linux: wayland in a Wayland "
        "session, else x11 where $DISPLAY is set, else demo; mss on Windows and macOS)",
    )
    run.add_argument(
        "--input",
        choices=INPUTS,
        help="how input reaches the computer (default: xtest with x11, the portal's "
        "session with wayland, pynput with mss; none shares the screen for viewing only; "
        "record only records, for tests)",
    )
    run.add_argument(
        "--approve",
        choices=["ask", "auto"],
        help="ask the person at the computer before each session (default where there is "
        "a screen: ask), or let sessions in unasked (unattended computers)",
    )
    run.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help="also accept direct sessions here (e.g. 0.0.0.0:8741); viewers try it first "
        "and fall back to the cloud's relay within 2 s",
    )

    host_ui = agent_commands.add_parser(
        "host-ui", help="the prompt and indicator shown on this computer (started by run)"
    )
    host_ui.add_argument("host_ui_args", nargs=argparse.REMAINDER)

    demo = commands.add_parser("demo", help="run cloud, agent and viewer on this machine")
    demo.add_argument("--port", type=int, default=8740)
    demo.add_argument("--no-viewer", action="store_true", help="cloud and agent only")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.smoke_test and args.command is not None:
        parser.error("--smoke-test checks the viewer; it takes no command")
    level = os.environ.get("PORTHOLE_LOG_LEVEL", "info").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    sys.exit(_dispatch(args))


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "cloud":
        return _cloud(args)
    if args.command == "agent":
        from app.agent.cli import run_agent_command

        return run_agent_command(args)
    if args.command == "demo":
        from app.demo import run_demo

        return run_demo(port=args.port, with_viewer=not args.no_viewer)
    from app.viewer import smoke
    from app.viewer.main import ViewerOptions, run_viewer

    if args.smoke_test:
        smoke.request()
    if args.kiosk and not (args.cloud and args.email and args.computer):
        print("--kiosk needs --cloud, --email and --computer.", file=sys.stderr)
        return 2
    options = ViewerOptions(
        cloud=args.cloud,
        kiosk=args.kiosk,
        email=args.email,
        computer=args.computer,
        exit_chord=args.exit_chord,
        lang=args.lang,
    )
    return run_viewer(options)


def _cloud(args: argparse.Namespace) -> int:
    from app.cloud import operator

    if args.cloud_command == "payments":
        amount = None if args.amount is None else round(args.amount * 100)
        return operator.receive_payment(args.reference, amount)
    if args.cloud_command == "bundle":
        return operator.issue_bundles(args.months, args.count)
    if args.cloud_command == "billing":
        return operator.renew()
    if args.cloud_command == "keys":
        if args.keys_command == "list":
            return operator.list_keys()
        return operator.rotate_keys(args.purpose or [], revoke=args.revoke)
    from app.cloud.server import serve
    from app.cloud.settings import Settings

    overrides: dict[str, object] = {}
    if args.certfile or args.keyfile:
        if not (args.certfile and args.keyfile):
            print("--certfile and --keyfile go together.", file=sys.stderr)
            return 2
        overrides.update(tls_certfile=args.certfile, tls_keyfile=args.keyfile)
    if args.forwarded_allow_ips:
        overrides["forwarded_allow_ips"] = args.forwarded_allow_ips
    return serve(Settings(**overrides), args.host, args.port)  # type: ignore[arg-type]
