"""End-to-end encryption of a session between viewer and agent, with no I/O.

The cloud only introduces the two ends: each has a long-term X25519 key (the agent's is
registered at enrolment, the viewer's is sent when it asks for a session), and the
session ticket the cloud signs names both. The two ends then run the Noise protocol's
**IK** handshake (``Noise_IK_25519_ChaChaPoly_BLAKE2s``, by the maintained
``noiseprotocol`` library; no home-made construction):

1. viewer → agent: Noise message 1, encrypted to the agent's key. Its payload is the
   ticket, so only the agent reads it. The agent learns the viewer's key from it and
   checks it is the one the ticket names.
2. agent → viewer: Noise message 2. Only the holder of the agent's private key can
   produce it; its payload is the agent's ``session.accepted``.

After that every WebSocket message, either way, is one AEAD ciphertext (ChaCha20-Poly1305)
of a kind byte (text or binary) and the message, under per-direction keys with an
implicit counter nonce: anything altered, replayed, reordered or dropped on the way fails
to authenticate (:class:`~app.protocol.errors.Tampered`). The keys come from an ephemeral
exchange, so a key stolen later does not open a recorded session (forward secrecy).

One deviation from Noise's framing, on purpose: a transport message may exceed Noise's
65535-byte cap (a keyframe does). The WebSocket carries the length, and the nonce and
AEAD are exactly the handshake's ``CipherState``; ChaCha20-Poly1305 is sound for
messages far larger than any frame here.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from noise.connection import Keypair, NoiseConnection
from noise.exceptions import (
    NoiseHandshakeError,
    NoiseInvalidMessage,
    NoiseMaxNonceError,
    NoiseValueError,
)

from .errors import HandshakeFailed, Tampered

__all__ = [
    "KEY_PREFIX",
    "NOISE_PROTOCOL",
    "AcceptedHandshake",
    "Initiator",
    "SecureChannel",
    "StaticKey",
    "public_key_bytes",
    "respond",
]

NOISE_PROTOCOL = b"Noise_IK_25519_ChaChaPoly_BLAKE2s"
#: Mixed into the handshake: a Porthole session of this layout, nothing else.
PROLOGUE = b"porthole session e2e v1"
KEY_PREFIX = "x25519:"
PRIVATE_PREFIX = "x25519-private:"
#: Largest handshake message: keys, tags and a ticket (at most 4096 characters).
MAX_HANDSHAKE_BYTES = 8 * 1024
#: Poly1305 tag, and the kind byte in front of every plaintext.
OVERHEAD_BYTES = 16 + 1
_TEXT, _BINARY = b"T", b"B"
_HANDSHAKE_ERRORS = (
    NoiseValueError,
    NoiseHandshakeError,
    NoiseInvalidMessage,
    InvalidTag,
    ValueError,
)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def public_key_bytes(text: str) -> bytes:
    """The 32 bytes of a key written ``x25519:<base64url>``; ValueError if it is not one."""
    return _key_bytes(text, KEY_PREFIX)


def _key_bytes(text: str, prefix: str) -> bytes:
    if not isinstance(text, str) or not text.startswith(prefix) or len(text) > 100:
        raise ValueError("not an x25519 public key")
    body = text[len(prefix) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not an x25519 public key") from None
    if len(raw) != 32:
        raise ValueError("an x25519 public key is 32 bytes")
    return raw


def public_key_text(raw: bytes) -> str:
    return KEY_PREFIX + _b64(raw)


@dataclass(frozen=True)
class StaticKey:
    """A device's long-term X25519 key pair (the private half stays on the device)."""

    private_bytes: bytes

    @classmethod
    def generate(cls) -> StaticKey:
        key = X25519PrivateKey.generate()
        return cls(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))

    @classmethod
    def from_text(cls, text: str) -> StaticKey:
        """The form :attr:`private_text` writes (what the keyring keeps)."""
        return cls(_key_bytes(text, PRIVATE_PREFIX))

    @property
    def private_text(self) -> str:
        return PRIVATE_PREFIX + _b64(self.private_bytes)

    @property
    def public_bytes(self) -> bytes:
        public = X25519PrivateKey.from_private_bytes(self.private_bytes).public_key()
        return public.public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_text(self) -> str:
        return public_key_text(self.public_bytes)

    def __repr__(self) -> str:  # never the private half in a log or traceback
        return f"StaticKey(public={self.public_text})"


@dataclass
class ChannelStats:
    """What encryption cost a channel: bytes before and after, and the time each seal and
    open took (the newest ones), for the benchmark. Counting costs ~0.1 µs a message."""

    plain_bytes: int = 0
    wire_bytes: int = 0
    seal_ns: deque[int] = field(default_factory=lambda: deque(maxlen=1 << 16))
    open_ns: deque[int] = field(default_factory=lambda: deque(maxlen=1 << 16))


class SecureChannel:
    """Seals and opens the messages of an established session, in order, one per
    WebSocket message. Not thread-safe: one sender and one receiver task."""

    def __init__(self, connection: NoiseConnection) -> None:
        protocol: Any = connection.noise_protocol
        self._encrypt = protocol.cipher_state_encrypt
        self._decrypt = protocol.cipher_state_decrypt
        self.stats = ChannelStats()

    def seal(self, message: str | bytes) -> bytes:
        """One message (control text or a binary frame) as the ciphertext to send."""
        started = time.perf_counter_ns()
        plain = _TEXT + message.encode() if isinstance(message, str) else _BINARY + message
        try:
            sealed: bytes = self._encrypt.encrypt_with_ad(b"", plain)
        except NoiseMaxNonceError:  # 2**64 messages: unreachable, but never reuse a nonce
            raise Tampered("The session used up its keys; open it again.") from None
        stats = self.stats
        stats.seal_ns.append(time.perf_counter_ns() - started)
        stats.plain_bytes += len(plain) - 1
        stats.wire_bytes += len(sealed)
        return sealed

    def open(self, data: str | bytes) -> str | bytes:
        """The message in ``data``; :class:`Tampered` if it does not authenticate as the
        next one from the peer (altered, replayed, reordered, or a message dropped)."""
        if not isinstance(data, bytes):
            raise Tampered("An unencrypted message arrived inside an encrypted session.")
        started = time.perf_counter_ns()
        try:
            plain: bytes = self._decrypt.decrypt_with_ad(b"", data)
        except (InvalidTag, ValueError, NoiseMaxNonceError):
            raise Tampered(
                "A message of the session was altered, replayed or lost on the way."
            ) from None
        self.stats.open_ns.append(time.perf_counter_ns() - started)
        kind, body = plain[:1], plain[1:]
        if kind == _BINARY:
            return body
        if kind == _TEXT:
            try:
                return body.decode()
            except UnicodeDecodeError:
                raise Tampered("An encrypted control message is not UTF-8.") from None
        raise Tampered("An encrypted message of an unknown kind arrived.")


def _connection(own: StaticKey) -> NoiseConnection:
    connection = NoiseConnection.from_name(NOISE_PROTOCOL)
    connection.set_prologue(PROLOGUE)
    connection.set_keypair_from_private_bytes(Keypair.STATIC, own.private_bytes)
    return connection


class Initiator:
    """The viewer's half: ``first_message`` carries ``payload`` (the ticket) to the one
    holder of ``peer_public``; :meth:`finish` checks the answer."""

    def __init__(self, own: StaticKey, peer_public: str, payload: bytes) -> None:
        self._connection = _connection(own)
        self._connection.set_as_initiator()
        try:
            peer = public_key_bytes(peer_public)
        except ValueError as exc:
            raise HandshakeFailed(f"The computer's key is unusable: {exc}.") from None
        self._connection.set_keypair_from_public_bytes(Keypair.REMOTE_STATIC, peer)
        self._connection.start_handshake()
        self.first_message = bytes(self._connection.write_message(payload))

    def finish(self, answer: str | bytes) -> tuple[bytes, SecureChannel]:
        """The agent's payload and the channel, or :class:`HandshakeFailed` when the
        answer was not made with the computer's private key."""
        if not isinstance(answer, bytes) or len(answer) > MAX_HANDSHAKE_BYTES:
            raise HandshakeFailed("The computer did not answer the encrypted handshake.")
        try:
            payload = bytes(self._connection.read_message(answer))
        except _HANDSHAKE_ERRORS:
            raise HandshakeFailed(
                "The computer could not prove its identity: the connection may be "
                "intercepted, so the session was not opened."
            ) from None
        return payload, SecureChannel(self._connection)


@dataclass
class AcceptedHandshake:
    """The agent's view of message 1: who sent it (their public key) and its payload."""

    peer_public: str
    payload: bytes
    _connection: NoiseConnection

    def accept(self, payload: bytes) -> tuple[bytes, SecureChannel]:
        """Message 2 (carrying ``payload``) and the established channel."""
        answer = bytes(self._connection.write_message(payload))
        return answer, SecureChannel(self._connection)


def respond(own: StaticKey, first_message: str | bytes) -> AcceptedHandshake:
    """Read the viewer's message 1 with this agent's key; :class:`HandshakeFailed` if it
    was not made for this key or is malformed."""
    if not isinstance(first_message, bytes):
        raise HandshakeFailed(
            "This viewer does not encrypt sessions: update Porthole on the device."
        )
    if len(first_message) > MAX_HANDSHAKE_BYTES:
        raise HandshakeFailed("The encrypted handshake is too large.")
    connection = _connection(own)
    connection.set_as_responder()
    connection.start_handshake()
    try:
        payload = bytes(connection.read_message(first_message))
    except _HANDSHAKE_ERRORS:
        raise HandshakeFailed(
            "The encrypted handshake was not made for this computer's key."
        ) from None
    peer = connection.noise_protocol.handshake_state.rs
    return AcceptedHandshake(public_key_text(bytes(peer.public_bytes)), payload, connection)
