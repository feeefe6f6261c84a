"""Money in exact CNY: Decimal with two places, never float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

FEN = Decimal("0.01")
MAX_CNY = Decimal("999999999999.99")


def cny(value: str | int | Decimal) -> Decimal:
    """Parse an amount that must already be exact to the fen: '2000000', '2000000.00', 2000000."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    try:
        amount = Decimal(value)
        if not amount.is_finite():
            raise ValueError(f"not an amount: {value!r}")
        exact = amount.quantize(FEN)
    except InvalidOperation as exc:
        raise ValueError(f"not an exact CNY amount: {value!r}") from exc
    if exact != amount:
        raise ValueError(f"not an exact CNY amount: {value!r}")
    return exact


def format_cny(amount: Decimal) -> str:
    """Two places, no grouping: '2000000.00'."""
    return f"{amount.quantize(FEN):f}"
