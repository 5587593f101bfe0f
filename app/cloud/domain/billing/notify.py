"""Live billing events for the account's viewers and portals."""

from __future__ import annotations

from app.cloud.broker import account_topic
from app.cloud.context import CloudContext
from app.protocol import PurchaseChanged, SubscriptionChanged, encode_message


async def purchase_changed(
    ctx: CloudContext, account_id: str, purchase_id: str, state: str
) -> None:
    await ctx.broker.publish(
        account_topic(account_id),
        encode_message(PurchaseChanged(purchase_id=purchase_id, state=state)),
    )


async def subscription_changed(ctx: CloudContext, account_id: str, state: str) -> None:
    await ctx.broker.publish(
        account_topic(account_id), encode_message(SubscriptionChanged(state=state))
    )
