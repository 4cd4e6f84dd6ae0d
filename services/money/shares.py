"""Work out shares for a pool and card counts given as text (the command line), storing nothing."""
from __future__ import annotations

from services.errors import ValidationError
from services.money.allocation import AllocationInputError, allocate, parse_cards, parse_pool


def preview_shares(pool: str, cards: str) -> dict[str, str]:
    """Return {bank: share} for `--pool` and `--cards` texts; raise ValidationError with one line if invalid."""
    try:
        return {bank: str(share) for bank, share in allocate(parse_pool(pool), parse_cards(cards)).items()}
    except AllocationInputError as exc:
        raise ValidationError(str(exc)) from exc
