"""Today's cost so far, for the "Cost today" sensor: the history store's intervals of today priced by a tariff.

Qt-free. The figure counts only what the store holds: no interval of today, or none that the tariff could price,
means no figure (None), never a 0 (a gap stays a gap). The day is the tariff's local day, as in its prices.

The tariff is given loaded, or by name (a preset, a file in the user's tariff folder, or a path:
``services.tariff.resolve``).
Which tariff the household chose is the cost plug-in's setting; :func:`chosen_tariff` is the one place that reads
it from the app's settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xcelsior_desktop.services.today import local_midnight

if TYPE_CHECKING:
    from xcelsior_desktop.services.history.store import HistoryStore
    from xcelsior_desktop.services.tariff import Tariff


@dataclass(frozen=True)
class CostToday:
    amount: float  # energy charges of today's priced intervals plus today's fixed daily charge
    currency: str
    day_start: dt.datetime  # the tariff's local midnight, UTC
    priced_hours: float


def cost_today(store: HistoryStore | None, tariff: Tariff | str | None, now: dt.datetime, *,
               cycle_start_day: int = 1) -> CostToday | None:
    """Today's cost until ``now`` (aware), or None without a store, a tariff, or a priced interval today.

    ``tariff``: a loaded tariff (e.g. with the bill's prices applied) or a name for ``services.tariff.resolve``.
    Raises :class:`~xcelsior_desktop.services.tariff.TariffError` for a tariff that cannot be read and the
    store's errors (each with a ``user_message``).
    """
    if store is None or not tariff:
        return None
    from xcelsior_desktop.services.tariff import resolve, summarize

    if isinstance(tariff, str):
        tariff = resolve(tariff)
    day_start = local_midnight(now, tariff.zone)
    today = tariff.local(now).date()
    summary = summarize(tariff, store.intervals(day_start, now), first_day=today, last_day=today,
                        cycle_start_day=cycle_start_day)
    if summary is None or summary.priced_hours <= 0:
        return None
    return CostToday(amount=summary.total, currency=summary.currency, day_start=day_start,
                     priced_hours=summary.priced_hours)


# --- the household's tariff choice ---------------------------------------------------------------------------

def chosen_tariff(extra: dict[str, Any]) -> Tariff | None:
    """The tariff the user chose on the Cost settings page, with the bill's prices applied (as the Cost tab prices
    with it), or None while they have not saved a choice: only a household that picked a tariff gets a cost sensor.
    Raises TariffError when the chosen file cannot be used (the caller logs it and publishes no cost)."""
    from xcelsior_desktop.services.tariff.app_settings import SETTINGS_KEY, CostSettings

    if SETTINGS_KEY not in extra:
        return None
    return CostSettings.from_dict(extra[SETTINGS_KEY]).load_tariff()
