"""What an enrolled agent remembers: the public part in a JSON file, the credential in the
OS keyring (or, where no keyring works, a file only its owner can read)."""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import keyring
import keyring.errors
import platformdirs

from app.identity import load_or_create_key, write_private
from app.protocol.secure import StaticKey

log = logging.getLogger(__name__)
KEYRING_SERVICE = "porthole-agent"
STATE_FILE = "agent.json"
TOKEN_FILE = "agent-token"
#: Where the end-to-end session key goes when no keyring takes it (0600).
KEY_FILE = "session-key"
KEY_SERVICE = "porthole-agent-session-key"


class NotEnrolled(Exception):
    """This computer has not been enrolled yet (or its enrolment was deleted)."""


@dataclass(frozen=True)
class AgentState:
    cloud_url: str
    computer_id: str
    name: str
    cloud_public_key: str
    # "keyring" or "file": where the agent token was put.
    token_store: str
    #: The id of ``cloud_public_key`` (empty for an enrolment older than key ids).
    cloud_key_id: str = ""


def default_state_dir() -> Path:
    return Path(platformdirs.user_config_dir("porthole", appauthor=False)) / "agent"


class AgentStore:
    def __init__(self, state_dir: Path | None = None) -> None:
        self.state_dir = state_dir or default_state_dir()

    def save(self, state: AgentState, token: str) -> AgentState:
        self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        token_store = "keyring" if self._keyring_set(state.computer_id, token) else "file"
        if token_store == "file":
            write_private(self.state_dir / TOKEN_FILE, token)
        state = AgentState(**{**asdict(state), "token_store": token_store})
        write_private(self.state_dir / STATE_FILE, json.dumps(asdict(state), indent=2))
        return state

    def load(self) -> tuple[AgentState, str]:
        try:
            state = AgentState(**json.loads((self.state_dir / STATE_FILE).read_text()))
        except FileNotFoundError:
            raise NotEnrolled(
                f"This computer is not enrolled (nothing in {self.state_dir}). "
                "Run 'porthole agent enroll' first."
            ) from None
        if state.token_store == "keyring":
            token = keyring.get_password(KEYRING_SERVICE, state.computer_id)
        else:
            try:
                token = (self.state_dir / TOKEN_FILE).read_text().strip()
            except FileNotFoundError:
                token = None
        if not token:
            raise NotEnrolled("The agent's credential is missing. Enrol this computer again.")
        return state, token

    def session_key(self) -> StaticKey:
        """This agent's end-to-end key, made the first time it is needed. One per state
        folder (several agents on one machine each have their own)."""
        return load_or_create_key(
            KEY_SERVICE, str(self.state_dir.resolve()), self.state_dir / KEY_FILE
        )

    def forget(self) -> None:
        """Drop the enrolment, e.g. after the cloud said the computer was removed."""
        try:
            state, _ = self.load()
        except NotEnrolled:
            return
        if state.token_store == "keyring":
            with contextlib.suppress(keyring.errors.KeyringError):
                keyring.delete_password(KEYRING_SERVICE, state.computer_id)
        for name in (TOKEN_FILE, STATE_FILE):
            (self.state_dir / name).unlink(missing_ok=True)

    @staticmethod
    def _keyring_set(computer_id: str, token: str) -> bool:
        try:
            keyring.set_password(KEYRING_SERVICE, computer_id, token)
        except keyring.errors.KeyringError as exc:
            # Headless servers often have no keyring; the 0600 file is the documented fallback.
            log.info("no usable OS keyring (%s); keeping the credential in a private file", exc)
            return False
        return True
