"""Request and response bodies of the public API, apart from the database tables."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from app.protocol.secure import public_key_bytes

Password = Annotated[str, Field(min_length=8, max_length=1024)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _x25519(text: str) -> str:
    public_key_bytes(text)  # ValueError: pydantic answers 422 with the reason
    return text


#: An end-to-end session key as the protocol writes it: ``x25519:<base64url of 32 bytes>``.
SessionKey = Annotated[str, Field(max_length=100), AfterValidator(_x25519)]


class StrictBody(BaseModel):
    # Wrong types are refused rather than coerced: "123" is not a number here.
    model_config = ConfigDict(strict=True, extra="ignore")


class ErrorBody(BaseModel):
    error: str
    message: str


class AccountCreate(StrictBody):
    email: EmailStr
    password: Password


class AccountOut(BaseModel):
    id: str
    email: str
    email_verified: bool = False
    two_factor: bool = False


class TokenRequest(StrictBody):
    email: Annotated[str, Field(max_length=320)]
    password: Annotated[str, Field(max_length=1024)]
    #: With two-factor on: the authenticator's code, or a recovery code.
    otp: Annotated[str | None, Field(max_length=40)] = None
    #: What the account's list of signed-in devices will call this one.
    device_name: Annotated[str | None, Field(max_length=100)] = None


class RefreshRequest(StrictBody):
    refresh_token: Annotated[str, Field(min_length=1, max_length=200)]


class LogoutRequest(StrictBody):
    refresh_token: Annotated[str | None, Field(max_length=200)] = None


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class WebSession(BaseModel):
    #: None when nobody is signed in.
    account: AccountOut | None
    #: Sent back in the X-CSRF-Token header of every state-changing call.
    csrf_token: str | None


class WebAccessToken(BaseModel):
    access_token: str
    expires_in: int


class EnrollmentCodeOut(BaseModel):
    code: str
    expires_at: datetime


class Screen(StrictBody):
    id: Annotated[str, Field(min_length=1, max_length=100)]
    width: Annotated[int, Field(ge=1, le=32768)]
    height: Annotated[int, Field(ge=1, le=32768)]
    x: Annotated[int, Field(ge=-65536, le=65536)] = 0
    y: Annotated[int, Field(ge=-65536, le=65536)] = 0
    primary: bool = False


class AgentEnroll(StrictBody):
    enrollment_code: Annotated[str | None, Field(max_length=40)] = None
    email: Annotated[str | None, Field(max_length=320)] = None
    password: Annotated[str | None, Field(max_length=1024)] = None
    #: With two-factor on and enrolling by password: the code (or use an enrolment code).
    otp: Annotated[str | None, Field(max_length=40)] = None
    name: Name
    os: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    screens: Annotated[list[Screen], Field(max_length=16)] = []
    #: The agent's X25519 key for end-to-end encrypted sessions (``x25519:…``).
    session_public_key: SessionKey | None = None

    @model_validator(mode="after")
    def one_way_to_prove_ownership(self) -> AgentEnroll:
        by_code = self.enrollment_code is not None
        by_password = self.email is not None or self.password is not None
        if by_code == by_password or (by_password and not (self.email and self.password)):
            raise ValueError("give either enrollment_code, or email and password")
        return self


class TicketKeyOut(BaseModel):
    kid: str
    #: ``ed25519:<base64url>``
    public_key: str


class AgentEnrolled(BaseModel):
    computer_id: str
    agent_token: str
    #: The key that signs session tickets now, and its id; ``ticket_keys`` lists every
    #: key the agent should accept (a rotation may have made a newer one already).
    cloud_public_key: str
    cloud_key_id: str
    ticket_keys: list[TicketKeyOut]


class WakeOut(BaseModel):
    """Whether the computer can be woken now (Wake-on-LAN), else why not."""

    available: bool
    #: Why not: "online" (it is awake), "no_adapters" (its agent never told its network
    #: adapters), "no_relay" (no other computer of the account is online on its network).
    reason: Literal["online", "no_adapters", "no_relay"] | None = None
    #: The online computer whose agent would send the magic packet.
    via: str | None = None


class ComputerOut(BaseModel):
    id: str
    name: str
    os: str
    online: bool
    last_seen: datetime | None
    screens: list[dict[str, Any]]
    #: The agent's end-to-end key; None until an agent that has one linked.
    session_public_key: str | None = None
    wake: WakeOut = WakeOut(available=False, reason="no_adapters")


class ComputerRef(BaseModel):
    id: str
    name: str


class WakeStarted(BaseModel):
    """``POST /computers/{id}/wake``: the computer that was asked to send the packet."""

    computer_id: str
    via: ComputerRef


class ComputerPatch(StrictBody):
    name: Name


class PlanOut(BaseModel):
    id: str
    months: int
    price_cents: int
    currency: str


class CardDetails(StrictBody):
    type: Literal["card"]
    number: Annotated[str, Field(min_length=12, max_length=23)]
    exp_month: Annotated[int, Field(ge=1, le=12)]
    exp_year: Annotated[int, Field(ge=2000, le=2200)]
    cvc: Annotated[str, Field(min_length=3, max_length=4)]


class PayPalDetails(StrictBody):
    type: Literal["paypal"]
    email: EmailStr


class BankTransferDetails(StrictBody):
    type: Literal["bank_transfer"]


PaymentDetails = Annotated[
    CardDetails | PayPalDetails | BankTransferDetails, Field(discriminator="type")
]


class PurchaseCreate(StrictBody):
    plan: Annotated[str, Field(max_length=20)]
    channel: Literal["app", "web"]
    payment_method: PaymentDetails


class AutoRenewUpdate(StrictBody):
    enabled: bool


class PaymentMethodUpdate(StrictBody):
    payment_method: PaymentDetails


class BundleRedeem(StrictBody):
    code: Annotated[str, Field(min_length=4, max_length=40)]
