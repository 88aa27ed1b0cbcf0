"""What the feed takes from the app's other settings: the poll interval (freshness), what each TOU tier means
(the tiers' sensor names, from Settings, Cost) and which installation id it publishes under."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xcelsior_desktop.platform.settings import Settings


@dataclass(frozen=True)
class FeedSettings:
    poll_interval_s: float = 5.0
    tier_names: Mapping[int, str] = field(default_factory=dict)
    demo: bool = False

    @classmethod
    def from_app_settings(cls, app_settings: Settings, *, demo: bool = False) -> FeedSettings:
        from xcelsior_desktop.money.cost_settings import chosen_settings

        return cls(poll_interval_s=app_settings.poll_interval_s,
                   tier_names=dict(chosen_settings(app_settings).tier_names), demo=demo)

    def publisher_options(self) -> dict[str, object]:
        """The :class:`~xcelsior_desktop.home_assistant.publisher.PublisherOptions` these settings decide."""
        from xcelsior_desktop.home_assistant.installation import installation_id

        return {"poll_interval_s": self.poll_interval_s, "installation_id": installation_id(demo=self.demo)}
