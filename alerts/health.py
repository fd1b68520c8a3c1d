"""Pure per-channel health: turns a run of failed deliveries into one operator alert.

Input: the outcome of every finished delivery (after its retries) per channel. Output: an
``OpsEvent`` when a channel has failed ``failing_after`` deliveries in a row (once per failing
period), and another when it delivers again. State is in memory: after a restart a channel
that still fails is reported once more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from config.contracts.ops import OpsEvent


@dataclass
class ChannelHealth:
    failing_after: int = 3
    failures: dict[str, int] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)

    def record(self, channel: str, ok: bool, error: str = "") -> OpsEvent | None:
        """Note one delivery outcome; return the operator alert it triggers, if any."""
        if ok:
            self.failures[channel] = 0
            if channel in self.reported:
                self.reported.discard(channel)
                return OpsEvent(kind="alert_channel_recovered", subject=channel,
                                message=f"alert channel {channel!r} delivers again",
                                severity="info")
            return None
        count = self.failures.get(channel, 0) + 1
        self.failures[channel] = count
        if count >= self.failing_after and channel not in self.reported:
            self.reported.add(channel)
            return OpsEvent(kind="alert_channel_failing", subject=channel, severity="error",
                            message=f"alert channel {channel!r} failed {count} deliveries in a "
                                    f"row; last error: {error}",
                            details={"failures": count, "last_error": error})
        return None
