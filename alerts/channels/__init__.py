"""Alert delivery channels: one module per channel family, a shared base and a registry.

``base`` defines the ``Delivery`` outcome, the ``Sender`` protocol and ``ChannelKind``;
``registry`` maps a channel type to its module; ``slack``, ``mail`` and ``local`` (file,
console) are the channels. Import from here.
"""

from alerts.channels.base import ChannelKind, Delivery, Interrupted, Payload, Sender
from alerts.channels.local import ConsoleSender, FileSender, MisconfiguredSender
from alerts.channels.registry import REGISTRY, build_sender, build_senders, check_channels

__all__ = ["REGISTRY", "ChannelKind", "ConsoleSender", "Delivery", "FileSender", "Interrupted",
           "MisconfiguredSender", "Payload", "Sender", "build_sender", "build_senders",
           "check_channels"]
