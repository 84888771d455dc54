"""Template filters of the discovery pages: money in the workspace's currency."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


@register.filter(name="money")
def money_filter(amount: Decimal | int | None, currency: str = "USD") -> str:
    """``$120,000`` (cents only when there are some); a currency without a symbol is named:
    ``CHF 9,500``. None reads as an en dash: not known."""
    if amount is None:
        return "\N{EN DASH}"
    value = Decimal(amount)
    text = f"{value:,.2f}" if value != value.to_integral_value() else f"{value:,.0f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{currency} {text}"
