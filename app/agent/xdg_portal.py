"""The XDG desktop portal on a Wayland desktop: one session of its RemoteDesktop interface
with ScreenCast sources (the screen and the input under one grant, so the person at the
computer answers one dialog), or of ScreenCast alone for a view-only agent.

Spoken over the session bus with jeepney. Each call that needs the person's answer
returns a Request whose Response signal carries it; the signal is subscribed to before
the call so it is never missed. Where the portal can remember a grant (ScreenCast from
version 4, RemoteDesktop from version 2), the restore token it gives is kept in the OS
keyring (else in the agent's state folder, 0600; never logged) and handed back next
time, so a restarted agent needs no click; each Start replaces it with the new one.

Input goes through the same session without waiting for replies (NO_REPLY_EXPECTED):
the bus keeps them in order, and a pointer move never waits for a round trip.

A started session is watched (``watch``) for the desktop going away, whichever way it
goes: the portal closes it (its Closed signal: the sharing was stopped), the portal or
its backend for this desktop leaves the bus (xdg-desktop-portal 1.16 does not close its
sessions when the backend, a client of the compositor, dies with it), the bus itself
drops (the desktop session ended), or PipeWire hangs up. None of these ends the
GStreamer child reading the stream by itself: it would wait for frames forever."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import select
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, HeaderFields, MatchRule, Message, message_bus, new_method_call
from jeepney.io.blocking import DBusConnection, Proxy, open_dbus_connection
from jeepney.low_level import MessageFlag

from app.agent.capture.base import DesktopUnavailable, Withdrawal
from app.identity import KeptSecret
from app.protocol import APPROVAL_WAIT_S

log = logging.getLogger(__name__)
PORTAL = DBusAddress("/org/freedesktop/portal/desktop", bus_name="org.freedesktop.portal.Desktop")
SCREEN_CAST = "org.freedesktop.portal.ScreenCast"
REMOTE_DESKTOP = "org.freedesktop.portal.RemoteDesktop"
#: The file in the agent's state folder holding the portal's restore token.
TOKEN_FILE = "portal-restore-token"
#: The keyring service the restore token is kept under (one entry per state folder).
TOKEN_SERVICE = "porthole-agent-portal"
#: How long the person at the computer has to answer the portal's dialog, then it is
#: withdrawn: less than the viewer waits (``APPROVAL_WAIT_S``), so the viewer hears that
#: nobody answered from here; the portal answers a few seconds after its dialog closes
#: on a busy computer.
ANSWER_WAIT_S = APPROVAL_WAIT_S - 5.0
#: Plain calls (no dialog) answer at once; this only bounds a portal that hangs.
CALL_WAIT_S = 10.0
MONITOR = 1  # ScreenCast source types
KEYBOARD, POINTER = 1, 2  # RemoteDesktop device types
CURSOR_HIDDEN, CURSOR_EMBEDDED = 1, 2
#: persist_mode: until the grant is revoked (the portal's "remember" choice).
PERSIST_UNTIL_REVOKED = 2
#: Portal backends (one per desktop: gnome, kde, …) own names under this.
BACKENDS = "org.freedesktop.impl.portal.desktop."


def _values(options: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    """jeepney gives a{sv} as {key: (signature, value)}: the values alone, nested ones too."""
    return {key: _value(signature, value) for key, (signature, value) in options.items()}


def _value(signature: str, value: Any) -> Any:
    if signature == "a{sv}":
        return _values(value)
    if signature.startswith("a(") and isinstance(value, list):  # streams: a(ua{sv})
        return [
            tuple(_values(part) if isinstance(part, dict) else part for part in item)
            for item in value
        ]
    return value


@dataclass(frozen=True)
class Stream:
    """One PipeWire stream of the session: its node, and where and how large its monitor
    is in the desktop's logical pixels."""

    node: int
    x: int
    y: int
    width: int
    height: int


class TokenStore:
    """The portal's restore token for this agent, by interface (a ScreenCast token means
    nothing to RemoteDesktop). Whoever holds it can share this screen with no dialog, so
    it is kept like the agent's credential: in the OS keyring, or where none works in a
    0600 file of the agent's state folder; never logged."""

    def __init__(self, state_dir: Path | None) -> None:
        self._kept = (
            KeptSecret(
                TOKEN_SERVICE, str(state_dir.resolve()), state_dir / TOKEN_FILE, "portal token"
            )
            if state_dir is not None
            else None
        )

    def load(self, interface: str) -> str | None:
        text = self._kept.read() if self._kept is not None else None
        if text is None:
            return None
        try:
            stored = json.loads(text)
        except ValueError:
            return None
        if not isinstance(stored, dict) or stored.get("interface") != interface:
            return None
        token = stored.get("token")
        return token if isinstance(token, str) and token else None

    def save(self, interface: str, token: str) -> None:
        if self._kept is not None:
            self._kept.write(json.dumps({"interface": interface, "token": token}))

    def forget(self) -> None:
        if self._kept is not None:
            self._kept.delete()


@dataclass(frozen=True)
class Plan:
    """How a session would be asked for: through which interface, whether the portal can
    remember the grant, and the kept token of an earlier one (None: the dialog shows)."""

    interface: str
    persists: bool
    token: str | None


class _Portal:
    """The portal on the session bus: what it offers, before any session."""

    def __init__(self, state_dir: Path | None) -> None:
        try:
            self._conn: DBusConnection = open_dbus_connection("SESSION", enable_fds=True)
        except (OSError, KeyError, ValueError) as exc:
            raise DesktopUnavailable(
                "no_portal",
                "This computer's desktop cannot be reached: no D-Bus session bus "
                f"({type(exc).__name__}). Run the agent inside the desktop session.",
            ) from None
        self._bus = Proxy(message_bus, self._conn)
        self._tokens = TokenStore(state_dir)

    def plan(self, interactive: bool) -> Plan:
        """RemoteDesktop for the screen and input (ScreenCast alone if the portal lacks it
        or input is not wanted), and what it remembers."""
        screen_cast = self._version(SCREEN_CAST)
        if screen_cast is None:
            raise DesktopUnavailable(
                "no_portal",
                "This computer's desktop offers no screen sharing: xdg-desktop-portal with a "
                "backend for this desktop (GNOME, KDE) is needed.",
            )
        remote = self._version(REMOTE_DESKTOP) if interactive else None
        interface = REMOTE_DESKTOP if remote is not None else SCREEN_CAST
        # Which interface can remember a grant: ScreenCast from version 4, RemoteDesktop
        # from version 2 (xdg-desktop-portal 1.16 has version 1: a dialog each time).
        persists = remote >= 2 if remote is not None else screen_cast >= 4
        return Plan(interface, persists, self._tokens.load(interface) if persists else None)

    def _version(self, interface: str) -> int | None:
        """The interface's version, or None where the portal (or its backend) lacks it."""
        value = self._property(interface, "version")
        return int(value) if value is not None else None

    def _property(self, interface: str, name: str) -> Any:
        message = new_method_call(
            PORTAL.with_interface("org.freedesktop.DBus.Properties"),
            "Get",
            "ss",
            (interface, name),
        )
        try:
            reply = self._conn.send_and_get_reply(message, timeout=CALL_WAIT_S)
        except TimeoutError:
            return None
        if _is_error(reply):
            return None  # no portal on this bus, or not this interface
        signature, value = reply.body[0]
        return _value(signature, value)

    def close(self) -> None:
        self._conn.close()


def asks_person(*, interactive: bool, state_dir: Path | None = None) -> bool:
    """Whether a session started now shows the portal's dialog: yes unless the portal can
    remember a grant and a token of one is kept (a grant revoked since still asks). No
    where there is no portal: starting a session says so at once."""
    try:
        portal = _Portal(state_dir)
    except DesktopUnavailable:
        return False
    try:
        return portal.plan(interactive).token is None
    except DesktopUnavailable:
        return False
    finally:
        portal.close()


class PortalSession(_Portal):
    """A started portal session: its streams, whether input goes through it, and the file
    descriptor of the PipeWire remote that carries its frames."""

    def __init__(
        self,
        *,
        interactive: bool,
        state_dir: Path | None = None,
        withdrawal: Withdrawal | None = None,
    ) -> None:
        """Ask the portal for the screen (and, when ``interactive``, the keyboard and
        pointer): shows the portal's dialog unless a kept token restores an earlier grant.
        Raises DesktopUnavailable with what the person at the viewer should read; OSError
        if ``withdrawal`` gave up first."""
        super().__init__(state_dir)
        if withdrawal is not None:
            withdrawal.on_withdraw(self._stop_waiting)
        self._sender = self._conn.unique_name[1:].replace(".", "_")
        self.handle = ""
        self.streams: list[Stream] = []
        self.pipewire_fd = -1
        #: The bus names whose leaving ends the session: the portal and its backends for
        #: screen sharing.
        self._needed: set[str] = set()
        self._watcher: threading.Thread | None = None
        self._sending = threading.Lock()
        self._stop_read, self._stop_write = os.pipe2(os.O_CLOEXEC)
        try:
            self._start(interactive)
        except BaseException:
            self.close()
            raise

    # -- starting ----------------------------------------------------------------------

    def _start(self, interactive: bool) -> None:
        plan = self.plan(interactive)
        interface, persists, token = plan.interface, plan.persists, plan.token
        remote = interface == REMOTE_DESKTOP
        #: Input goes through this session (False: view only).
        self.interactive = remote
        if interactive and not remote:
            log.warning("this desktop's portal has no RemoteDesktop: view only, input refused")
        created = self._request(
            interface,
            "CreateSession",
            "",
            (),
            {"session_handle_token": ("s", _token())},
            CALL_WAIT_S,
        )
        self.handle = str(created["session_handle"])
        remembered: dict[str, tuple[str, Any]] = {}
        if persists:
            remembered["persist_mode"] = ("u", PERSIST_UNTIL_REVOKED)
            if token:
                remembered["restore_token"] = ("s", token)
        if remote:
            available = self._property(REMOTE_DESKTOP, "AvailableDeviceTypes") or 3
            devices = {"types": ("u", int(available) & (KEYBOARD | POINTER)), **remembered}
            self._request(REMOTE_DESKTOP, "SelectDevices", "o", (self.handle,), devices)
        cursors = int(self._property(SCREEN_CAST, "AvailableCursorModes") or CURSOR_HIDDEN)
        sources: dict[str, tuple[str, Any]] = {
            "types": ("u", MONITOR),
            "multiple": ("b", False),
            # The pointer in the picture: the viewer draws no pointer of its own here.
            "cursor_mode": ("u", CURSOR_EMBEDDED if cursors & CURSOR_EMBEDDED else CURSOR_HIDDEN),
        }
        if not remote:
            sources.update(remembered)
        self._request(SCREEN_CAST, "SelectSources", "o", (self.handle,), sources)
        started = self._request(
            interface, "Start", "os", (self.handle, ""), {}, ANSWER_WAIT_S, asks_person=True
        )
        if persists:
            new_token = started.get("restore_token")
            if isinstance(new_token, str) and new_token:
                self._tokens.save(interface, new_token)
            else:  # the person did not let it remember, or the old one was used up
                self._tokens.forget()
        self.streams = [_stream(node, props) for node, props in started.get("streams") or []]
        if not self.streams:
            raise DesktopUnavailable(
                "refused", "The desktop shared no screen: choose a monitor in its dialog."
            )
        if self.interactive and not int(started.get("devices") or 0) & (KEYBOARD | POINTER):
            log.warning("the person did not allow remote input: view only")
            self.interactive = False
        reply = self._call(SCREEN_CAST, "OpenPipeWireRemote", "oa{sv}", (self.handle, {}))
        self.pipewire_fd = reply[0].to_raw_fd()
        self._needed = {PORTAL.bus_name, *self._backends_sharing_screens()}
        owners = MatchRule(
            type="signal",
            sender="org.freedesktop.DBus",
            interface="org.freedesktop.DBus",
            member="NameOwnerChanged",
        )
        owners.add_arg_condition(0, "org.freedesktop", "namespace")
        self._bus.AddMatch(owners)

    def _backends_sharing_screens(self) -> list[str]:
        """The portal backends on the bus that implement screen sharing (GNOME's; a
        desktop's other backends, such as GTK's file chooser, may come and go)."""
        found = []
        for name in self._bus.ListNames()[0]:
            if not name.startswith(BACKENDS):
                continue
            message = new_method_call(
                DBusAddress(PORTAL.object_path, name, "org.freedesktop.DBus.Introspectable"),
                "Introspect",
            )
            with contextlib.suppress(TimeoutError):
                reply = self._conn.send_and_get_reply(message, timeout=CALL_WAIT_S)
                if not _is_error(reply) and "org.freedesktop.impl.portal.ScreenCast" in str(
                    reply.body[0]
                ):
                    found.append(name)
        return found

    def _call(self, interface: str, method: str, signature: str, body: tuple[Any, ...]) -> Any:
        message = new_method_call(PORTAL.with_interface(interface), method, signature, body)
        try:
            reply = self._conn.send_and_get_reply(message, timeout=CALL_WAIT_S)
        except TimeoutError:
            raise DesktopUnavailable(
                "refused", f"The desktop's portal did not answer ({method})."
            ) from None
        if _is_error(reply):
            raise _refusal(method, reply)
        return reply.body

    def _request(
        self,
        interface: str,
        method: str,
        signature: str,
        args: tuple[Any, ...],
        options: dict[str, tuple[str, Any]],
        timeout_s: float = CALL_WAIT_S,
        *,
        asks_person: bool = False,
    ) -> dict[str, Any]:
        """A call answered by a Request's Response signal: its results, or
        DesktopUnavailable saying who refused."""
        handle_token = _token()
        path = f"/org/freedesktop/portal/desktop/request/{self._sender}/{handle_token}"
        rule = MatchRule(
            type="signal",
            interface="org.freedesktop.portal.Request",
            member="Response",
            path=path,
        )
        self._bus.AddMatch(rule)
        try:
            with self._conn.filter(rule) as answers:
                self._call(
                    interface,
                    method,
                    signature + "a{sv}",
                    (*args, {**options, "handle_token": ("s", handle_token)}),
                )
                try:
                    answer = self._conn.recv_until_filtered(answers, timeout=timeout_s)
                except TimeoutError:
                    # The start fails, so the session closes: its dialog goes away.
                    raise DesktopUnavailable(
                        "declined" if asks_person else "refused",
                        "Nobody at the computer allowed sharing its screen in time."
                        if asks_person
                        else f"The desktop's portal did not answer ({method}).",
                    ) from None
        finally:
            with contextlib.suppress(Exception):
                self._bus.RemoveMatch(rule)
        code, results = answer.body
        if code == 1:
            raise DesktopUnavailable(
                "declined", "The person at the computer did not allow sharing its screen."
            )
        if code != 0:
            raise DesktopUnavailable(
                "refused",
                "The desktop refused to share its screen (its portal answered "
                f"{method} with code {code}).",
            )
        return _values(results)

    def _stop_waiting(self) -> None:
        """From another thread, while a start waits for the portal: the bus's reading half
        shut, so the wait ends (end of file) and the start fails, closing the session and
        its dialog (what it sends still goes)."""
        with contextlib.suppress(OSError):
            self._conn.sock.shutdown(socket.SHUT_RD)

    # -- input -------------------------------------------------------------------------

    def notify(self, method: str, signature: str, *args: Any) -> None:
        """One RemoteDesktop input event (``Notify…``), sent without waiting."""
        message = new_method_call(
            PORTAL.with_interface(REMOTE_DESKTOP),
            method,
            "oa{sv}" + signature,
            (self.handle, {}, *args),
        )
        message.header.flags |= MessageFlag.no_reply_expected
        with self._sending:  # whole messages, whichever thread sends
            self._conn.send(message)

    # -- ending ------------------------------------------------------------------------

    def watch(self, ended: Callable[[str], None]) -> None:
        """From now on, ``ended(why)`` is called (once, on a thread of its own) when the
        desktop goes away or stops sharing; nothing else reads the bus meanwhile."""
        self._watcher = threading.Thread(
            target=self._watch, args=(ended,), name="portal-watch", daemon=True
        )
        self._watcher.start()

    def _watch(self, ended: Callable[[str], None]) -> None:
        poller = select.poll()
        bus = self._conn.sock.fileno()
        poller.register(bus, select.POLLIN)
        poller.register(self._stop_read, select.POLLIN)
        # Only its hanging up: what PipeWire sends is GStreamer's to read, not ours.
        poller.register(self.pipewire_fd, select.POLLRDHUP)
        while True:
            for fd, _ in poller.poll():
                if fd == self._stop_read:
                    return
                if fd == self.pipewire_fd:
                    ended("PipeWire hung up")
                    return
                why = self._read_bus()
                if why is not None:
                    ended(why)
                    return

    def _read_bus(self) -> str | None:
        """The messages waiting on the bus: why the session is over, if one says so."""
        while True:
            try:
                message = self._conn.receive(timeout=0)
            except TimeoutError:
                return None
            except (OSError, ValueError) as exc:  # EOF: ConnectionResetError
                return f"the session bus dropped ({type(exc).__name__})"
            fields = message.header.fields
            member = fields.get(HeaderFields.member)
            if member == "Closed" and fields.get(HeaderFields.path) == self.handle:
                return "the desktop closed the portal session"
            if member == "NameOwnerChanged" and len(message.body) == 3:
                name, _, new_owner = message.body
                if name in self._needed and not new_owner:
                    return f"{name} left the bus"

    def close(self) -> None:
        """The session closed (the desktop's sharing indicator goes away), and the bus."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            os.write(self._stop_write, b"\0")
            if watcher is not threading.current_thread():
                watcher.join(CALL_WAIT_S)
        if self._stop_read >= 0:
            os.close(self._stop_read)
            os.close(self._stop_write)
            self._stop_read = self._stop_write = -1
        if self.pipewire_fd >= 0:
            os.close(self.pipewire_fd)
            self.pipewire_fd = -1
        if self.handle:
            message = new_method_call(
                DBusAddress(self.handle, PORTAL.bus_name, "org.freedesktop.portal.Session"),
                "Close",
            )
            message.header.flags |= MessageFlag.no_reply_expected
            with contextlib.suppress(OSError), self._sending:
                self._conn.send(message)
            self.handle = ""
        super().close()


def _token() -> str:
    return "porthole" + secrets.token_hex(8)


def _is_error(reply: Message) -> bool:
    return bool(reply.header.message_type.name == "error")


def _refusal(method: str, reply: Message) -> DesktopUnavailable:
    name = str(reply.header.fields.get(HeaderFields.error_name, ""))
    detail = str(reply.body[0]) if reply.body else name
    if name in (
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.UnknownMethod",
        "org.freedesktop.DBus.Error.UnknownInterface",
        "org.freedesktop.DBus.Error.UnknownObject",
    ):
        return DesktopUnavailable(
            "no_portal",
            "This computer's desktop offers no screen sharing portal for this "
            f"({method}: {detail}).",
        )
    return DesktopUnavailable(
        "refused", f"The desktop refused to share its screen ({method}: {detail})."
    )


def _stream(node: int, props: dict[str, Any]) -> Stream:
    width, height = props.get("size") or (0, 0)
    x, y = props.get("position") or (0, 0)
    return Stream(int(node), int(x), int(y), int(width), int(height))
