"""The viewer's client for the cloud's HTTP API (``/api/v1``), without Qt.

It signs in, keeps the access token fresh and turns every answer into a typed record
(``records``) or an exception of one tree (``errors``). Refresh tokens rotate: each
refresh returns a new one and the old one must never be used again (the cloud ends the
whole sign-in when it sees a used one), so refreshes are serialised, a call that raced a
refresh reuses its result, and ``on_tokens`` hears every new pair so remember-me can
store the current refresh token."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from dataclasses import replace
from types import TracebackType
from typing import Any, TypeVar

import httpx

from app.protocol.secure import StaticKey
from app.protocol.urls import websocket_url
from app.tls import client_context
from app.viewer.core.errors import (
    CloudError,
    CloudUnreachable,
    PaymentDeclined,
    SessionExpired,
    error_from_answer,
)
from app.viewer.core.grants import device_name, grant_from_response, session_request
from app.viewer.core.i18n import tr
from app.viewer.core.known_keys import KnownKeys
from app.viewer.core.records import (
    Account,
    Computer,
    EnrollmentCode,
    PaymentMethod,
    Plan,
    Purchase,
    SessionRecord,
    SignInRecord,
    Subscription,
    Tokens,
    TwoFactorSetup,
)
from app.viewer.core.session import Renew, SessionEnded, SessionFailed, SessionGrant

API = "/api/v1"
T = TypeVar("T")
TokensListener = Callable[[Tokens | None], None]


class CloudClient:
    """One signed-in (or not yet) account on one cloud. Use as ``async with``."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 15.0,
        connect_timeout_s: float = 5.0,
        refresh_token: str | None = None,
        on_tokens: TokensListener | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        identity: StaticKey | None = None,
        known_keys: KnownKeys | None = None,
    ) -> None:
        #: This viewer's end-to-end key (the device's, from the keyring); sessions are
        #: encrypted to it. None: a key for this client only.
        self.identity = identity or StaticKey.generate()
        #: The computers' keys met before: a ticket naming another one is refused
        #: (``ComputerKeyChanged``) until the person accepts it. None: nothing pinned.
        self.known_keys = known_keys
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
            transport=transport,
            verify=client_context(),
        )
        self._access: str | None = None
        # Set when resuming a remembered sign-in: the first call refreshes with it.
        self._refresh: str | None = refresh_token
        #: Told every new token pair, and None once they are gone (remember-me stores them).
        self.on_tokens = on_tokens
        self._refreshing = asyncio.Lock()

    async def __aenter__(self) -> CloudClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def signed_in(self) -> bool:
        """Holding a refresh token (which the cloud may still refuse)."""
        return self._refresh is not None

    def ws_url(self, path: str) -> str:
        return websocket_url(self.base_url, API + path)

    # -- signing in and out ------------------------------------------------------------

    async def sign_up(self, email: str, password: str) -> Account:
        """Create the account and sign in to it."""
        created = await self._send("POST", "/accounts", json={"email": email, "password": password})
        self._body(created, 201)
        return await self.sign_in(email, password)

    async def sign_in(self, email: str, password: str, otp: str | None = None) -> Account:
        """``otp``: with two-factor on, the authenticator's code (``CodeRequired`` asks)."""
        body = {"email": email, "password": password, "device_name": device_name()}
        if otp:
            body["otp"] = otp
        answer = await self._send("POST", "/auth/token", json=body)
        self._set_tokens(self._parse(Tokens.from_json, self._body(answer, 200)))
        return await self.me()

    async def resume(self, refresh_token: str) -> Account:
        """Sign in again with a remembered refresh token (``SessionExpired`` if it is over)."""
        self._access, self._refresh = None, refresh_token
        await self.refresh()
        return await self.me()

    async def refresh(self) -> None:
        """Swap the refresh token for a new pair now."""
        async with self._refreshing:
            await self._refresh_locked()

    async def access_token(self) -> str:
        """A current access token (refreshed first if there is none yet)."""
        return self._access or await self.renew_access(None)

    async def renew_access(self, rejected: str | None) -> str:
        """A new access token after the cloud refused ``rejected``; if another call already
        replaced it meanwhile, that one, without spending the refresh token twice."""
        async with self._refreshing:
            if self._access is None or self._access == rejected:
                await self._refresh_locked()
            assert self._access is not None
            return self._access

    async def sign_out(self) -> bool:
        """End this sign-in on the cloud and forget the tokens, whatever happens. True
        when the cloud confirmed; False when it could not be told (the tokens are gone
        from here anyway and expire on their own)."""
        if self._refresh is None:
            return False
        refresh_token = self._refresh
        try:
            answer = await self._authorized(
                "POST", "/auth/logout", json={"refresh_token": refresh_token}
            )
            return answer.status_code == 204
        except CloudError:
            return False
        finally:
            self._forget()

    # -- account and computers ---------------------------------------------------------

    async def me(self) -> Account:
        return self._parse(Account.from_json, await self._get("/me"))

    # -- account security --------------------------------------------------------------

    async def change_password(self, current: str, new: str, otp: str | None = None) -> int:
        """The new password; every other sign-in ends (how many is returned)."""
        body: dict[str, Any] = {"current_password": current, "new_password": new}
        if otp:
            body["otp"] = otp
        answer = await self._authorized("POST", "/me/password", json=body)
        return int(self._body(answer, 200)["signed_out"])

    async def sign_out_everywhere(self) -> None:
        """Every sign-in of the account ends, this one too."""
        try:
            self._body(await self._authorized("POST", "/auth/logout-everywhere"), 200)
        finally:
            self._forget()

    async def sign_ins(self) -> list[SignInRecord]:
        return [
            self._parse(SignInRecord.from_json, item) for item in await self._get("/me/sign-ins")
        ]

    async def revoke_sign_in(self, sign_in_id: str) -> None:
        self._body(await self._authorized("DELETE", f"/me/sign-ins/{sign_in_id}"), 204)

    async def resend_verification(self) -> None:
        self._body(await self._authorized("POST", "/me/email-verification"), 202)

    async def start_two_factor(self) -> TwoFactorSetup:
        answer = await self._authorized("POST", "/me/two-factor")
        setup = self._parse(TwoFactorSetup.from_json, self._body(answer, 200))
        qr = await self._authorized("GET", "/me/two-factor/qr.png")
        if qr.status_code != 200:
            raise self._error(qr)
        return replace(setup, qr_png=qr.content)

    async def confirm_two_factor(self, code: str) -> list[str]:
        """Two-factor on; the recovery codes, shown once."""
        answer = await self._authorized("POST", "/me/two-factor/confirm", json={"code": code})
        return [str(item) for item in self._body(answer, 200)["recovery_codes"]]

    async def disable_two_factor(self, password: str, otp: str) -> None:
        answer = await self._authorized(
            "DELETE", "/me/two-factor", json={"password": password, "otp": otp}
        )
        self._body(answer, 204)

    async def delete_account(self, password: str, otp: str | None = None) -> None:
        body: dict[str, Any] = {"password": password}
        if otp:
            body["otp"] = otp
        self._body(await self._authorized("DELETE", "/me", json=body), 204)
        self._forget()

    async def computers(self) -> list[Computer]:
        return [self._parse(Computer.from_json, item) for item in await self._get("/computers")]

    async def rename_computer(self, computer_id: str, name: str) -> Computer:
        answer = await self._authorized("PATCH", f"/computers/{computer_id}", json={"name": name})
        return self._parse(Computer.from_json, self._body(answer, 200))

    async def remove_computer(self, computer_id: str) -> None:
        self._body(await self._authorized("DELETE", f"/computers/{computer_id}"), 204)

    async def wake_computer(self, computer_id: str) -> str:
        """Wake-on-LAN: the name of the computer asked to send the magic packet."""
        answer = await self._authorized("POST", f"/computers/{computer_id}/wake")
        return self._parse(lambda body: str(body["via"]["name"]), self._body(answer, 202))

    async def enrollment_code(self) -> EnrollmentCode:
        """A one-time code to enrol a computer without typing the password on it."""
        answer = await self._authorized("POST", "/enrollment-codes")
        return self._parse(EnrollmentCode.from_json, self._body(answer, 201))

    async def start_session(self, computer_id: str) -> SessionGrant:
        """A session ticket. Refusals keep ``grants.request_session``'s meaning:
        ``SessionEnded`` when waiting cannot help (no such computer, no subscription),
        ``SessionFailed`` when it may (offline, unreachable); ``SessionExpired`` when the
        person must sign in again."""
        try:
            answer = await self._authorized(
                "POST", "/sessions", json=session_request(computer_id, self.identity)
            )
        except CloudUnreachable as exc:
            raise SessionFailed(exc.message) from exc
        grant = grant_from_response(answer, self.identity)
        if self.known_keys is not None:
            self.known_keys.check(self.base_url, computer_id, grant.agent_public_key)
        return grant

    def renewer(self, computer_id: str) -> Renew:
        """What ``ViewerSession(renew=...)`` calls for a fresh ticket after a drop; an
        ended sign-in ends the session's retries."""

        async def renew() -> SessionGrant:
            try:
                return await self.start_session(computer_id)
            except SessionExpired as exc:
                raise SessionEnded(exc.message) from exc

        return renew

    # -- billing -----------------------------------------------------------------------

    async def plans(self, channel: str = "app") -> list[Plan]:
        body = await self._get("/plans", params={"channel": channel}, auth=False)
        return [self._parse(Plan.from_json, item) for item in body]

    async def subscription(self) -> Subscription:
        return self._parse(Subscription.from_json, await self._get("/subscription"))

    async def purchase(
        self,
        plan: str,
        payment_method: PaymentMethod,
        idempotency_key: str,
        *,
        channel: str = "app",
    ) -> Purchase:
        """Buy ``plan``. The same ``idempotency_key`` for the same intent never charges
        twice: a repeat answers the first outcome (or ``InFlight`` while it runs).
        A declined payment raises ``PaymentDeclined``."""
        answer = await self._authorized(
            "POST",
            "/purchases",
            json={"plan": plan, "channel": channel, "payment_method": payment_method.as_json()},
            headers={"Idempotency-Key": idempotency_key},
        )
        purchase = self._parse(Purchase.from_json, self._body(answer, 201))
        if purchase.state == "failed":
            raise PaymentDeclined(
                purchase.failure_message or tr("The payment was declined."),
                code="payment_declined",
                status=answer.status_code,
                purchase_id=purchase.id,
            )
        return purchase

    async def purchase_status(self, purchase_id: str) -> Purchase:
        return self._parse(Purchase.from_json, await self._get(f"/purchases/{purchase_id}"))

    async def session_history(self) -> list[SessionRecord]:
        """The account's latest sessions, newest first (the session log)."""
        body = await self._get("/sessions/history")
        return [self._parse(SessionRecord.from_json, item) for item in body]

    async def purchases(self) -> list[Purchase]:
        return [self._parse(Purchase.from_json, item) for item in await self._get("/purchases")]

    async def set_auto_renew(self, enabled: bool) -> Subscription:
        answer = await self._authorized(
            "PUT", "/subscription/auto-renew", json={"enabled": enabled}
        )
        return self._parse(Subscription.from_json, self._body(answer, 200))

    async def redeem_bundle(self, code: str) -> Subscription:
        answer = await self._authorized("POST", "/bundles/redeem", json={"code": code})
        return self._parse(Subscription.from_json, self._body(answer, 200))

    # -- plumbing ----------------------------------------------------------------------

    async def _get(
        self, path: str, *, params: dict[str, str] | None = None, auth: bool = True
    ) -> Any:
        if auth:
            return self._body(await self._authorized("GET", path, params=params), 200)
        return self._body(await self._send("GET", path, params=params), 200)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        try:
            return await self._http.request(
                method, API + path, json=json, params=params, headers=sent
            )
        except httpx.TimeoutException as exc:
            raise CloudUnreachable(
                tr("The cloud did not answer in time. Check the connection and try again.")
            ) from exc
        except httpx.TransportError as exc:
            if _certificate_refused(exc):
                # Not a network hiccup: something answered that could not prove it is the
                # cloud. Nothing was sent to it (TLS checks before the request goes out).
                raise CloudUnreachable(
                    tr(
                        "The cloud at {url} could not prove its identity (its certificate is "
                        "not trusted). Nothing was sent. Check the address, or ask its operator."
                    ).format(url=self.base_url)
                ) from exc
            raise CloudUnreachable(
                tr(
                    "The cloud at {url} cannot be reached. Check the connection and try again."
                ).format(url=self.base_url)
            ) from exc

    async def _authorized(self, method: str, path: str, **options: Any) -> httpx.Response:
        """Send with the access token; on a 401, refresh once and send again."""
        token = await self.access_token()
        answer = await self._send(method, path, token=token, **options)
        if answer.status_code != 401:
            return answer
        refused = self._error(answer)
        if refused.code in _CONFIRMATION_REFUSED:
            # A wrong password or code typed to confirm a change: the sign-in lives on.
            raise refused
        answer = await self._send(method, path, token=await self.renew_access(token), **options)
        if answer.status_code == 401:
            # Refused with a token minted a moment ago: the sign-in itself is over.
            self._forget()
            raise SessionExpired(self._error(answer).message, code="session_ended", status=401)
        return answer

    async def _refresh_locked(self) -> None:
        if self._refresh is None:
            raise SessionExpired(tr("Sign in to continue."))
        answer = await self._send("POST", "/auth/refresh", json={"refresh_token": self._refresh})
        if answer.status_code == 200:
            self._set_tokens(self._parse(Tokens.from_json, self._body(answer, 200)))
            return
        error = self._error(answer)
        if answer.status_code in (400, 401, 422):
            # Expired, revoked or reused: no later call can succeed with it.
            self._forget()
            raise SessionExpired(error.message, code=error.code, status=answer.status_code)
        raise error  # throttled or a server error: the refresh token may still be good

    def _set_tokens(self, tokens: Tokens) -> None:
        self._access, self._refresh = tokens.access_token, tokens.refresh_token
        if self.on_tokens is not None:
            self.on_tokens(tokens)

    def _forget(self) -> None:
        had_tokens = self._refresh is not None
        self._access = self._refresh = None
        if had_tokens and self.on_tokens is not None:
            self.on_tokens(None)

    def _body(self, answer: httpx.Response, expected: int) -> Any:
        if answer.status_code != expected:
            raise self._error(answer)
        if expected == 204:
            return None
        try:
            return answer.json()
        except ValueError:
            raise self._unreadable() from None

    @staticmethod
    def _error(answer: httpx.Response) -> CloudError:
        try:
            body = answer.json()
        except ValueError:
            body = None  # a proxy's HTML page, say: the status still says what happened
        return error_from_answer(answer.status_code, body, answer.headers)

    def _parse(self, parse: Callable[[Any], T], body: Any) -> T:
        try:
            return parse(body)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise self._unreadable() from None

    @staticmethod
    def _unreadable() -> CloudError:
        return CloudError(
            tr("The cloud sent an answer this app cannot read. Update the app or try again later.")
        )


#: 401s about what the person typed to confirm a change, not about the access token.
_CONFIRMATION_REFUSED = frozenset({"invalid_credentials", "otp_required", "invalid_otp"})


def _certificate_refused(exc: BaseException) -> bool:
    """Whether a transport error comes from a TLS certificate that failed verification."""
    seen: BaseException | None = exc
    for _ in range(10):  # the cause chain is short; bounded anyway
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
