"""Kiosk mode: one computer, full screen, no window chrome, for good.

``porthole --kiosk --cloud URL --email EMAIL --computer NAME`` signs in from the keyring
(or ``PORTHOLE_PASSWORD`` for unattended start-up), opens that computer full screen and
keeps it there: every refusal and drop is retried with backoff (a kiosk may boot before
its network, its computer may reboot, a subscription may lapse and be renewed). Status
shows in a band at the bottom edge, never over the middle. It leaves only on the exit
chord."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from app.viewer.controllers.session import SessionController
from app.viewer.core.backoff import Backoff
from app.viewer.core.cloud import CloudClient
from app.viewer.core.credentials import CredentialStore
from app.viewer.core.errors import CloudError, SessionExpired, WrongCredentials
from app.viewer.core.i18n import tr
from app.viewer.core.session import Renew, SessionFailed, SessionGrant
from app.viewer.main import ViewerOptions, closing_requested, password_from_environment
from app.viewer.views.session_window import KIOSK_EXIT_CHORD, SessionWindow

log = logging.getLogger(__name__)
RETRY_CAP_S = 10.0


class KioskSetupError(Exception):
    """What a person must fix before the kiosk can run (shown, and the exit status 2)."""


async def run_kiosk(options: ViewerOptions, *, store: CredentialStore | None = None) -> int:
    if not (options.cloud and options.email and options.computer):
        print(tr("Kiosk mode needs --cloud, --email and --computer."), file=sys.stderr)
        return 2
    kiosk = Kiosk(options.cloud, options.email, options.computer, store or CredentialStore())
    window = SessionWindow(
        kiosk.controller,
        options.computer,
        kiosk=True,
        exit_chord=options.exit_chord or KIOSK_EXIT_CHORD,
    )
    window.exit_requested.connect(kiosk.leave)
    quitting = asyncio.ensure_future(closing_requested().wait())  # Ctrl+C, SIGTERM
    quitting.add_done_callback(lambda _: kiosk.leave())
    window.show_kiosk()
    kiosk.window = window
    try:
        await kiosk.run()
    except KioskSetupError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        quitting.cancel()
        window.leave()
    return 0


class Kiosk:
    def __init__(self, cloud_url: str, email: str, computer: str, store: CredentialStore):
        self.cloud_url, self.email, self.computer_name = cloud_url.rstrip("/"), email, computer
        self.store = store
        # Muted: a screen in a public place. The computer's screen takes the kiosk's shape:
        # a 4:3 or upright kiosk is filled, not letterboxed.
        self.controller = SessionController(sound=False, fit_screen=True)
        self.window: SessionWindow | None = None
        self.client = CloudClient(
            self.cloud_url,
            on_tokens=store.listener(self.cloud_url, email),
            identity=store.device_key(),
        )
        self._leaving = asyncio.Event()
        self._backoff = Backoff(first_s=0.5, cap_s=RETRY_CAP_S)

    def leave(self) -> None:
        self._leaving.set()
        self.controller.stop()

    def _status(self, text: str) -> None:
        if self.window is not None:
            self.window.video.set_veil(text)

    async def run(self) -> None:
        try:
            while not self._leaving.is_set():
                try:
                    await self._signed_in()
                    grant = await self._renew()
                except SessionFailed as exc:
                    self._status(str(exc))
                    await self._pause()
                    continue
                self._backoff.reset()
                await self.controller.run(self.cloud_url, grant, self._renew)
                if not self._leaving.is_set():
                    self._status(tr("The session ended; starting it again…"))
                    await self._pause()
        finally:
            await self.client.aclose()

    async def _pause(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._backoff.next_delay()):
                await self._leaving.wait()

    async def _signed_in(self) -> None:
        if self.client.signed_in:
            return
        remembered = self.store.load()
        password = password_from_environment()
        try:
            if (
                remembered is not None
                and remembered.refresh_token
                and (remembered.cloud_url, remembered.email) == (self.cloud_url, self.email)
            ):
                await self.client.resume(remembered.refresh_token)
            elif password:
                await self.client.sign_in(self.email, password)
            else:
                raise KioskSetupError(
                    tr(
                        "Sign in once with 'remember me' in the app as {email}, or set "
                        "PORTHOLE_PASSWORD."
                    ).format(email=self.email)
                )
        except (WrongCredentials, SessionExpired) as exc:
            if password and not isinstance(exc, WrongCredentials):
                await self.client.sign_in(self.email, password)  # the remembered one ended
                return
            raise KioskSetupError(exc.message) from None
        except CloudError as exc:
            raise SessionFailed(exc.message) from None

    async def _renew(self) -> SessionGrant:
        """A ticket for the kiosk's computer; every refusal is worth waiting out here."""
        try:
            computers = await self.client.computers()
            wanted = self.computer_name.casefold()
            match = [c for c in computers if c.name.casefold() == wanted]
            if not match:
                raise SessionFailed(
                    tr("No computer named {name} in this account yet.").format(
                        name=self.computer_name
                    )
                )
            renew: Renew = self.client.renewer(match[0].id)
            return await renew()
        except SessionFailed as exc:  # SessionEnded included: a kiosk keeps trying
            raise SessionFailed(str(exc)) from None
        except SessionExpired:
            self.client = CloudClient(
                self.cloud_url,
                on_tokens=self.store.listener(self.cloud_url, self.email),
                identity=self.client.identity,
            )
            raise SessionFailed(tr("Signing in again…")) from None
        except CloudError as exc:
            raise SessionFailed(exc.message) from None
