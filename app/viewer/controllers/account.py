"""The Account window's decisions: each request goes to the cloud, and its outcome (or
what went wrong, in words) is shown under the part that asked. Ending this app's own
sign-in (sign out everywhere, a deleted account) hands back to the app, which shows the
sign-in page saying why."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from app.viewer.core.cloud import CloudClient
from app.viewer.core.errors import CloudError
from app.viewer.qt import QtCore, QtWidgets
from app.viewer.views.account import AccountPanel

Run = Callable[[Coroutine[Any, Any, Any]], asyncio.Future[Any]]


class AccountController(QtCore.QObject):
    def __init__(
        self,
        client: CloudClient,
        panel: AccountPanel,
        run: Run,
        signed_out: Callable[[str], Awaitable[None]],
    ) -> None:
        super().__init__()
        self.client = client
        self.panel = panel
        self._run = run
        self._signed_out = signed_out
        panel.resend_requested.connect(lambda: self._run(self.resend()))
        panel.password_requested.connect(lambda c, n, o: self._run(self.change_password(c, n, o)))
        panel.two_factor_start_requested.connect(lambda: self._run(self.start_two_factor()))
        panel.two_factor_confirm_requested.connect(lambda c: self._run(self.confirm_two_factor(c)))
        panel.two_factor_off_requested.connect(lambda p, c: self._run(self.two_factor_off(p, c)))
        panel.revoke_requested.connect(lambda sid: self._run(self.revoke(sid)))
        panel.everywhere_requested.connect(lambda: self._run(self.sign_out_everywhere()))
        panel.delete_requested.connect(lambda p, c: self._run(self.delete(p, c)))

    async def load(self) -> None:
        account, devices = await asyncio.gather(self.client.me(), self.client.sign_ins())
        self.panel.show_account(account)
        self.panel.show_devices(devices)

    async def _attempt(self, where: QtWidgets.QLabel, work: Awaitable[str | None]) -> bool:
        """Run one request; its outcome (or the error) shown at ``where``."""
        try:
            done = await work
        except CloudError as exc:
            self.panel.show_done(where, exc.message)
            return False
        self.panel.show_done(where, done or "")
        return True

    async def resend(self) -> None:
        async def work() -> str:
            await self.client.resend_verification()
            assert self.panel.account is not None
            return self.tr("A new link is on its way to {email}.").format(
                email=self.panel.account.email
            )

        await self._attempt(self.panel.email_status, work())

    async def change_password(self, current: str, new: str, otp: str) -> None:
        async def work() -> str:
            ended = await self.client.change_password(current, new, otp or None)
            self.panel.current_password.clear()
            self.panel.new_password.clear()
            self.panel.password_code.clear()
            self.panel.show_devices(await self.client.sign_ins())
            return self.tr("Your password is changed. Other devices signed out: {count}.").format(
                count=ended
            )

        await self._attempt(self.panel.password_status, work())

    async def start_two_factor(self) -> None:
        async def work() -> None:
            self.panel.show_two_factor_setup(await self.client.start_two_factor())

        if not await self._attempt(self.panel.two_factor_status, work()):
            self.panel.two_factor_start.setEnabled(True)

    async def confirm_two_factor(self, code: str) -> None:
        async def work() -> None:
            codes = await self.client.confirm_two_factor(code)
            self.panel.show_account(await self.client.me())
            self.panel.show_recovery_codes(codes)

        await self._attempt(self.panel.two_factor_status, work())

    async def two_factor_off(self, password: str, code: str) -> None:
        async def work() -> str:
            await self.client.disable_two_factor(password, code)
            self.panel.off_password.clear()
            self.panel.off_code.clear()
            self.panel.recovery.clear()
            self.panel.show_account(await self.client.me())
            return self.tr("Two-factor sign-in is off.")

        await self._attempt(self.panel.two_factor_status, work())

    async def revoke(self, sign_in_id: str) -> None:
        async def work() -> str:
            await self.client.revoke_sign_in(sign_in_id)
            self.panel.show_devices(await self.client.sign_ins())
            return self.tr("That device is signed out.")

        await self._attempt(self.panel.devices_status, work())

    async def sign_out_everywhere(self) -> None:
        try:
            await self.client.sign_out_everywhere()
        except CloudError as exc:
            self.panel.show_done(self.panel.devices_status, exc.message)
            return
        self.panel.close()
        await self._signed_out(self.tr("Every device was signed out, this one too. Sign in again."))

    async def delete(self, password: str, code: str) -> None:
        try:
            await self.client.delete_account(password, code or None)
        except CloudError as exc:
            self.panel.show_done(self.panel.delete_status, exc.message)
            return
        self.panel.close()
        await self._signed_out(self.tr("Your account is deleted."))
