"""What every alert channel provides: the ``Delivery`` outcome, the ``Sender`` protocol and
the registry entry (``ChannelKind``) a channel module exports.

Input: none (types only). Output: the contract between the delivery workers
(``alerts.worker``) and the channel modules. A sender works in two steps so that a delivery
can be stored, retried and resolved after a crash:

- ``render`` / ``render_digest`` turn a rule and articles into a JSON payload (pure; errors
  here are the article's fault and end in the dead-letter topic);
- ``deliver(key, payload)`` sends it once, stamped with the delivery key where the channel can
  carry one (Slack message ``metadata``, the email ``Message-ID``, a field of a file line), and
  reports a ``Delivery``; it never raises for a failed delivery;
- ``delivered(key, since)`` answers, after a crash between request and record, whether the
  channel already has the message: ``True``/``False``, or ``None`` when the channel offers no
  way to tell (then the channel's ``on_interrupted`` policy decides).

``ChannelKind.check(channel, settings)`` lists configuration problems for ``cgtwatch doctor``;
``ChannelKind.render`` renders an alert as the channel type would, for dry runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from alerts.render import StoryRef
from config.contracts.articles import ClassifiedArticle
from config.rules import Rule
from config.settings import Settings

Payload = dict[str, Any]
Interrupted = Literal["resend", "skip"]


@dataclass(frozen=True)
class Delivery:
    """One attempt's outcome. ``retryable``: the message was certainly not accepted, or the
    server asked for a retry (``retry_after`` seconds). ``ambiguous``: the request went out
    and no answer came, so the message may or may not have arrived. ``unreachable``: the
    channel could not be reached at all (no connection or session), so the failure is the
    channel's, never the message's: no later delivery is tried in its place."""

    ok: bool
    error: str = ""
    retry_after: float | None = None
    retryable: bool = True
    ambiguous: bool = False
    unreachable: bool = False

    @property
    def permanent(self) -> bool:
        return not (self.ok or self.retryable or self.ambiguous)


class Sender(Protocol):
    #: what to do with a send interrupted by a crash when ``delivered`` cannot tell
    on_interrupted: Interrupted
    #: the least time between two messages on this channel (its rate limit)
    min_interval_s: float

    def render(self, rule: Rule, article: ClassifiedArticle,
               others: list[StoryRef] | None = None) -> Payload: ...

    def render_digest(self, rule: Rule, title: str, articles: list[ClassifiedArticle]
                      ) -> Payload: ...

    async def deliver(self, key: str, payload: Payload) -> Delivery: ...

    async def delivered(self, key: str, since: datetime) -> bool | None: ...


class NoCheck:
    """Mixin for channels that cannot be asked whether a message arrived."""

    async def delivered(self, key: str, since: datetime) -> bool | None:
        return None


RenderOne = Callable[[Rule, ClassifiedArticle, "list[StoryRef] | None"], Payload]


@dataclass(frozen=True)
class ChannelKind:
    """A registry entry: how to build a channel's sender, check its settings and (for
    ``cgtwatch rules test``) render an alert without settings."""

    build: Callable[[Any, Settings], Sender]
    check: Callable[[Any, Settings], list[str]]
    render: RenderOne | None = None


def no_problems(channel: Any, settings: Settings) -> list[str]:
    return []
