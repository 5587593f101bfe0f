"""What can be bought, where, and for how much (prices come from settings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.cloud.errors import ApiError

Channel = Literal["app", "web"]


@dataclass(frozen=True)
class Plan:
    id: str
    months: int
    price_cents: int
    currency: str
    channels: frozenset[str]


class PlanNotOffered(ApiError):
    status = 422
    code = "plan_not_offered"


def catalogue(prices: dict[str, int], currency: str) -> dict[str, Plan]:
    """The plans on sale: 1 month and 1 year in the app, 1 and 2 years on the web."""
    shape = {"month-1": (1, {"app"}), "year-1": (12, {"app", "web"}), "year-2": (24, {"web"})}
    return {
        plan_id: Plan(plan_id, months, prices[plan_id], currency, frozenset(channels))
        for plan_id, (months, channels) in shape.items()
    }


def plans_for(plans: dict[str, Plan], channel: str) -> list[Plan]:
    return [plan for plan in plans.values() if channel in plan.channels]


def plan_for_purchase(plans: dict[str, Plan], plan_id: str, channel: str) -> Plan:
    plan = plans.get(plan_id)
    if plan is None:
        raise PlanNotOffered(f"There is no plan '{plan_id}'.")
    if channel not in plan.channels:
        where = " and ".join(sorted(plan.channels))
        raise PlanNotOffered(f"The plan '{plan_id}' is sold only in the {where} channel.")
    return plan
