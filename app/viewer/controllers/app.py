"""The app: signing in (remembered in the OS keyring), the Computers list kept live by
the event feed, the subscription banner, buying and managing, and one session window
per computer. Views only show what this decides; every cloud call runs as a task on the
Qt event loop (qasync), never blocking it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from app.protocol import (
    ComputerAdded,
    ComputerPresence,
    ComputerRemoved,
    ComputerRenamed,
    PurchaseChanged,
    SubscriptionChanged,
)
from app.protocol.wake import ComputerNetworks
from app.viewer.controllers.account import AccountController
from app.viewer.controllers.session import SessionController
from app.viewer.core.banner import banner_for, format_date
from app.viewer.core.cloud import CloudClient
from app.viewer.core.credentials import CredentialStore
from app.viewer.core.errors import CloudError, CodeRequired, SessionExpired, Throttled
from app.viewer.core.events import EventFeed, FeedItem, Resync
from app.viewer.core.freshness import Freshness, RecentEvents
from app.viewer.core.gestures import GestureSettings
from app.viewer.core.known_keys import ComputerKeyChanged
from app.viewer.core.preferences import PreferenceStore
from app.viewer.core.purchase import PurchaseFlow, PurchaseState
from app.viewer.core.records import Computer, PaymentMethod, Subscription
from app.viewer.core.session import SessionFailed
from app.viewer.core.thumbnails import ThumbnailStore
from app.viewer.qt import QtCore
from app.viewer.views.account import AccountPanel
from app.viewer.views.key_changed import KeyChangedQuestion
from app.viewer.views.main_window import MainWindow
from app.viewer.views.manage import ManagePanel
from app.viewer.views.purchase import PurchasePanel
from app.viewer.views.session_window import SessionWindow

log = logging.getLogger(__name__)


class AppController(QtCore.QObject):
    def __init__(
        self, cloud_url: str, window: MainWindow, credentials: CredentialStore | None = None
    ) -> None:
        super().__init__()
        self.cloud_url = cloud_url.rstrip("/")
        self.window = window
        self.credentials = credentials or CredentialStore()
        self.preferences = PreferenceStore(self.credentials.config_dir)
        self.thumbnails = ThumbnailStore(self.credentials.config_dir)
        self.client: CloudClient | None = None
        self.feed: EventFeed | None = None
        self.email = ""
        self.computers: dict[str, Computer] = {}
        self.subscription: Subscription | None = None
        #: Keeps a read that raced a change of auto-renewal from undoing it on screen.
        self._subscription_freshness = Freshness()
        #: Keeps a list that raced the live feed from undoing what the feed said.
        self._recent = RecentEvents()
        self.sessions: dict[str, SessionWindow] = {}
        self.purchase_panel: PurchasePanel | None = None
        self.manage_panel: ManagePanel | None = None
        self.account: AccountController | None = None
        #: Asked when a computer's key changed since the last session (see known_keys).
        self.key_question: KeyChangedQuestion | None = None
        self.flow: PurchaseFlow | None = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._remember = False
        self._last_form: tuple[str, str, bool, bool] | None = None
        sign_in = window.sign_in
        sign_in.sign_in_requested.connect(lambda e, p, r: self._run(self.sign_in(e, p, remember=r)))
        sign_in.sign_up_requested.connect(
            lambda e, p, r: self._run(self.sign_in(e, p, remember=r, create=True))
        )
        sign_in.retry_requested.connect(self._retry_sign_in)
        computers = window.computers
        computers.connect_requested.connect(lambda cid: self._run(self.open_session(cid)))
        computers.wake_requested.connect(lambda cid: self._run(self.wake(cid)))
        computers.rename_requested.connect(lambda cid, n: self._run(self.rename(cid, n)))
        computers.remove_requested.connect(lambda cid: self._run(self.remove(cid)))
        computers.empty.code_requested.connect(lambda: self._run(self.new_code()))
        computers.empty.set_cloud(self.cloud_url)
        computers.thumbnail_for = self.thumbnails.path
        computers.banner.action_requested.connect(self._banner_action)
        window.sign_out_requested.connect(lambda: self._run(self.sign_out()))
        window.manage_requested.connect(lambda: self._run(self.open_manage()))
        window.account_requested.connect(lambda: self._run(self.open_account()))

    # -- tasks -------------------------------------------------------------------------

    def _run(self, work: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        """A cloud call from a click: a task on the loop; an ended sign-in anywhere goes
        back to the sign-in page (same window)."""

        async def guarded() -> Any:
            try:
                return await work
            except SessionExpired as exc:
                await self._signed_out(exc.message)
            except CloudError as exc:
                self.window.status.showMessage(exc.message, 10_000)
            except SessionFailed as exc:  # a session could not start (offline...)
                self.window.status.showMessage(str(exc), 10_000)

        task = asyncio.ensure_future(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def start(self) -> None:
        """Signed in from the keyring when remembered, else the sign-in page."""
        remembered = self.credentials.load()
        if remembered is not None and remembered.cloud_url == self.cloud_url:
            self.window.sign_in.reset(remembered.email)
            if remembered.refresh_token:
                self.window.sign_in.set_busy(True)
                client = self._new_client(remembered.email, remember=True)
                try:
                    account = await client.resume(remembered.refresh_token)
                except CloudError as exc:
                    await client.aclose()
                    self.client = None
                    self.window.sign_in.set_busy(False)
                    self.window.sign_in.show_error(exc.message, retry=exc.retryable)
                    return
                await self._signed_in(account.email)

    def _new_client(self, email: str, *, remember: bool) -> CloudClient:
        listener = self.credentials.listener(self.cloud_url, email) if remember else None
        self.client = CloudClient(
            self.cloud_url,
            on_tokens=listener,
            identity=self.credentials.device_key(),
            known_keys=self.credentials.known_keys(),
        )
        return self.client

    # -- signing in and out ------------------------------------------------------------

    async def sign_in(
        self, email: str, password: str, *, remember: bool, create: bool = False
    ) -> None:
        form = self.window.sign_in
        self._last_form = (email, password, remember, create)
        form.set_busy(True)
        client = self._new_client(email, remember=remember)
        try:
            if create:
                await client.sign_up(email, password)
            account = await client.sign_in(email, password, form.entered_code())
        except CodeRequired as exc:
            form.set_busy(False)
            form.ask_code(exc.message)
            return
        except Throttled as exc:
            form.password.clear()
            form.set_busy(False)
            form.show_error(exc.message, wait_s=exc.retry_after_s)
            return
        except CloudError as exc:
            form.password.clear()
            form.set_busy(False)
            form.show_error(exc.message, retry=exc.retryable)
            return
        # Kept only while the code was asked for: the password was right.
        form.password.clear()
        if not remember:
            self.credentials.clear()
        await self._signed_in(account.email)

    def _retry_sign_in(self) -> None:
        if self._last_form is not None:
            email, password, remember, create = self._last_form
            self._run(self.sign_in(email, password, remember=remember, create=create))
        else:
            self._run(self.start())

    async def _signed_in(self, email: str) -> None:
        log.info("signed in as %s", email)
        self.email = email
        self.window.sign_in.set_busy(False)
        self.window.sign_in.show_error("")
        self.window.show_computers(email)
        assert self.client is not None
        self.feed = EventFeed(self.client, on_event=self._event)
        self.feed.start()
        await self.reload()

    async def sign_out(self) -> None:
        if self.client is not None:
            with contextlib.suppress(CloudError):
                await self.client.sign_out()
        self.credentials.clear()
        await self._signed_out("")

    async def _signed_out(self, message: str) -> None:
        self.flow = None
        if self.account is not None:
            # Its client is the one ending here: the next sign-in gets a new window.
            self.account.panel.close()
            self.account = None
        for window in list(self.sessions.values()):
            window.leave()
        if self.feed is not None:
            await self.feed.close()
            self.feed = None
        if self.client is not None:
            await self.client.aclose()
            self.client = None
        self.window.sign_in.reset(self.email)
        self.window.sign_in.show_error(message)
        self.window.show_sign_in()

    # -- the list and the banner ----------------------------------------------------------

    async def reload(self) -> None:
        assert self.client is not None
        stamp = self._subscription_freshness.reading()
        since = self._recent.mark()
        fetched, subscription = await asyncio.gather(
            self.client.computers(), self.client.subscription()
        )
        computers = self._recent.newer(fetched, since)
        self.computers = {c.id: c for c in computers}
        self.window.computers.show_computers(computers)
        self._show_read_subscription(stamp, subscription)

    def _show_read_subscription(self, stamp: int, subscription: Subscription) -> None:
        """A subscription read, stamped as it left: shown unless a change raced past it."""
        if self._subscription_freshness.read(stamp):
            self._show_subscription(subscription)

    def _show_subscription(self, subscription: Subscription) -> None:
        self.subscription = subscription
        self.window.computers.banner.show_banner(banner_for(subscription, datetime.now(UTC)))
        if self.manage_panel is not None:
            self.manage_panel.show_subscription(subscription)

    def _event(self, item: FeedItem) -> None:
        if self.flow is not None:
            self._run(self._observe_purchase(item))
        if isinstance(item, Resync):
            self._run(self.reload())
        elif isinstance(item, ComputerPresence):
            seen = datetime.fromisoformat(item.last_seen) if item.last_seen else None
            old = self.computers.get(item.computer_id)
            self._recent.presence(item.computer_id, item.online, seen)
            if old is not None:
                self._update(replace(old, online=item.online, last_seen=seen or old.last_seen))
            if any(not c.online for c in self.computers.values()):
                # Which sleeping computers can be woken follows who is online: the cloud's.
                self._run(self.reload())
        elif isinstance(item, ComputerNetworks):
            self._run(self.reload())
        elif isinstance(item, ComputerRenamed):
            self._recent.renamed(item.computer_id, item.name)
            if (old := self.computers.get(item.computer_id)) is not None:
                self._update(replace(old, name=item.name))
        elif isinstance(item, ComputerRemoved):
            self._recent.removed(item.computer_id)
            self.computers.pop(item.computer_id, None)
            self.window.computers.show_computers(list(self.computers.values()))
        elif isinstance(item, ComputerAdded):
            self._run(self.reload())
        elif isinstance(item, SubscriptionChanged | PurchaseChanged):
            self._run(self._reload_subscription())

    def _update(self, computer: Computer) -> None:
        self.computers[computer.id] = computer
        self.window.computers.show_computers(list(self.computers.values()))

    async def _reload_subscription(self) -> None:
        assert self.client is not None
        stamp = self._subscription_freshness.reading()
        subscription = await self.client.subscription()
        self._show_read_subscription(stamp, subscription)
        if self.manage_panel is not None and self.manage_panel.isVisible():
            self.manage_panel.show_purchases(await self.client.purchases())

    async def rename(self, computer_id: str, name: str) -> None:
        assert self.client is not None
        self._update(await self.client.rename_computer(computer_id, name))

    async def remove(self, computer_id: str) -> None:
        assert self.client is not None
        await self.client.remove_computer(computer_id)
        self.computers.pop(computer_id, None)
        self.thumbnails.forget(computer_id)
        self.window.computers.show_computers(list(self.computers.values()))

    async def wake(self, computer_id: str) -> None:
        """Wake-on-LAN; the card says "Waking…" until the computer's presence comes live."""
        assert self.client is not None
        row = self.window.computers.rows.get(computer_id)
        try:
            via = await self.client.wake_computer(computer_id)
        except CloudError:
            if row is not None:
                row.set_waking(False)
            raise  # said in the status bar
        computer = self.computers.get(computer_id)
        name = computer.name if computer is not None else ""
        self.window.status.showMessage(
            self.tr("Waking {name} through {via}…").format(name=name, via=via), 10_000
        )

    async def new_code(self) -> None:
        assert self.client is not None
        code = await self.client.enrollment_code()
        expires = format_date(code.expires_at, datetime.now(UTC)) if code.expires_at else ""
        self.window.computers.empty.show_code(code.code, expires)

    # -- buying and managing ----------------------------------------------------------------

    def _banner_action(self, action: str) -> None:
        if action == "buy":
            self._run(self.open_purchase())
        else:
            self._run(self.open_manage())

    async def open_purchase(self) -> PurchasePanel:
        assert self.client is not None
        if self.purchase_panel is None:
            panel = PurchasePanel()
            panel.buy_requested.connect(lambda plan, method: self._run(self.buy(plan, method)))
            panel.retry_requested.connect(lambda: self._run(self._retry_purchase()))
            self.purchase_panel = panel
        self.purchase_panel.set_plans(await self.client.plans("app"))
        self.purchase_panel.show()
        self.purchase_panel.raise_()
        return self.purchase_panel

    def _purchase_changed(self, state: PurchaseState) -> None:
        if self.purchase_panel is not None:
            self.purchase_panel.show_state(state)
        if state.stage == "active":
            self._run(self._reload_subscription())

    async def buy(self, plan: str, method: PaymentMethod) -> None:
        assert self.client is not None
        if self.flow is None or (self.flow.state.outcome and self.flow.state.stage != "failed"):
            self.flow = PurchaseFlow(self.client, channel="app", on_change=self._purchase_changed)
        await self.flow.submit(plan, method)

    async def _retry_purchase(self) -> None:
        if self.flow is not None:
            await self.flow.retry()

    async def _observe_purchase(self, item: FeedItem) -> None:
        if self.flow is not None:
            await self.flow.observe(item)

    async def open_manage(self) -> ManagePanel:
        assert self.client is not None
        if self.manage_panel is None:
            panel = ManagePanel()
            panel.auto_renew_requested.connect(lambda on: self._run(self.set_auto_renew(on)))
            self.manage_panel = panel
        stamp = self._subscription_freshness.reading()
        subscription, purchases, sessions = await asyncio.gather(
            self.client.subscription(), self.client.purchases(), self.client.session_history()
        )
        self._show_read_subscription(stamp, subscription)
        self.manage_panel.show_purchases(purchases)
        self.manage_panel.show_sessions(sessions)
        self.manage_panel.show()
        self.manage_panel.raise_()
        return self.manage_panel

    async def open_account(self) -> AccountPanel:
        assert self.client is not None
        if self.account is None or self.account.client is not self.client:
            panel = AccountPanel()
            self.account = AccountController(self.client, panel, self._run, self._ended_here)
        await self.account.load()
        self.account.panel.show()
        self.account.panel.raise_()
        return self.account.panel

    async def _ended_here(self, message: str) -> None:
        """This app's sign-in was ended from the Account window: forget it, say why."""
        self.credentials.clear()
        await self._signed_out(message)

    async def set_auto_renew(self, on: bool) -> None:
        assert self.client is not None and self.manage_panel is not None
        stamp = self._subscription_freshness.writing()
        try:
            subscription = await self.client.set_auto_renew(on)
        except CloudError as exc:
            self._subscription_freshness.write_failed()
            self.manage_panel.show_error(exc.message, was_on=not on)
            return
        except BaseException:
            self._subscription_freshness.write_failed()
            raise
        if self._subscription_freshness.written(stamp):
            self._show_subscription(subscription)

    # -- sessions -----------------------------------------------------------------------

    async def open_session(self, computer_id: str) -> SessionWindow:
        """One window per computer: a second click brings the first one forward."""
        assert self.client is not None
        existing = self.sessions.get(computer_id)
        if existing is not None:
            existing.present()
            return existing
        computer = self.computers[computer_id]
        try:
            grant = await self.client.start_session(computer_id)
        except ComputerKeyChanged as changed:
            self._ask_about_new_key(computer.name, changed)
            raise
        preferences = self.preferences.load()
        controller = SessionController(
            GestureSettings(trackpad=preferences.trackpad, lens=preferences.lens),
            share_clipboard=preferences.clipboard,
            sound=preferences.sound,
            fit_screen=preferences.fit_screen,
        )
        window = SessionWindow(controller, computer.name)
        # What is chosen in a session's bar holds for the next sessions too.
        window.trackpad_button.toggled.connect(lambda on: self._keep_preferences(trackpad=on))
        window.lens_button.toggled.connect(lambda on: self._keep_preferences(lens=on))
        window.clipboard_button.toggled.connect(lambda on: self._keep_preferences(clipboard=on))
        window.fit_button.toggled.connect(lambda on: self._keep_preferences(fit_screen=on))
        self.sessions[computer_id] = window
        window.show()
        window.present()
        task = self._run(controller.run(self.cloud_url, grant, self.client.renewer(computer_id)))
        task.add_done_callback(lambda _: self._session_ended(computer_id, window))
        return window

    def _keep_preferences(self, **changes: bool) -> None:
        self.preferences.save(replace(self.preferences.load(), **changes))

    def _ask_about_new_key(self, name: str, changed: ComputerKeyChanged) -> None:
        """Not opened in the coroutine (never exec() there): the answer comes by signal."""
        self.key_question = KeyChangedQuestion(self.window, name, str(changed))

        def connect_anyway() -> None:
            if self.client is not None and self.client.known_keys is not None:
                self.client.known_keys.trust(
                    changed.cloud_url, changed.computer_id, changed.new_key
                )
            self._run(self.open_session(changed.computer_id))

        question = self.key_question
        question.buttonClicked.connect(
            lambda button: connect_anyway() if button is question.connect_anyway else None
        )
        question.open()

    def _session_ended(self, computer_id: str, window: SessionWindow) -> None:
        if self.sessions.get(computer_id) is window:
            del self.sessions[computer_id]
        picture = window.controller.last_picture
        if picture is not None:
            saved = self.thumbnails.save(computer_id, picture.rgb)
            row = self.window.computers.rows.get(computer_id)
            if row is not None and saved is not None:
                row.set_thumbnail(saved)

    async def close(self) -> None:
        for window in list(self.sessions.values()):
            window.leave()
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(task), 5)
        if self.feed is not None:
            await self.feed.close()
        if self.client is not None:
            await self.client.aclose()
