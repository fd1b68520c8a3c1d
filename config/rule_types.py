"""Rule parts that teams of monitoring tools expect: flatline, spike, silencing, templates.

Input: the values of one rule in ``alert_rules.yaml`` (validated by ``config.rules.Rule``).
Output: the models ``Flatline`` and ``Spike`` (evaluated periodically by ``alerts.watch``),
``Duration`` ("90s", "30m", "2h", "1d", read by ``config.durations``), ``AwareTime`` (a
timestamp with its zone, for ``silence_until``) and ``MessageTemplate``: a Jinja2 template
compiled in a sandbox at load time and tried once on a sample alert, so a syntax error or an
unknown name is a load error naming file, line and field. The names a template may use are
``TEMPLATE_NAMES``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from config.durations import parse_seconds

#: what a message template can use; every value is escaped for the channel beforehand
TEMPLATE_NAMES = {
    "title": "the page title", "title_en": "the English title (empty without translation)",
    "url": "the article URL", "link": "a link to the article (the channel's own markup)",
    "source": "the source's name", "region": "regions (English names where known)",
    "labels": "labels with salience and score", "snippet": "the evidence snippet",
    "snippet_en": "the English snippet (empty without translation)",
    "published": "the publication date as given", "rule": "the rule's name",
    "institutions": "institutions (English names where known)",
}
SAMPLE = {name: name for name in TEMPLATE_NAMES}


def _duration(value: Any) -> Any:
    if isinstance(value, str) and parse_seconds(value) <= 0:
        raise ValueError("a duration must be longer than zero")
    return value


Duration = Annotated[str, BeforeValidator(_duration)]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("give the time with its zone, e.g. 2026-12-05T08:00:00+08:00")
    return value


AwareTime = Annotated[datetime, AfterValidator(_aware)]

ENVIRONMENT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                   keep_trailing_newline=False)


def _template(value: str) -> str:
    try:
        ENVIRONMENT.from_string(value).render(SAMPLE)
    except Exception as exc:  # TemplateError, or the sample itself failing (1 // 0)
        line = getattr(exc, "lineno", None)
        where = f" (template line {line})" if line else ""
        raise ValueError(f"template{where}: {exc}; names: {', '.join(sorted(TEMPLATE_NAMES))}"
                         ) from exc
    return value


MessageTemplate = Annotated[str, AfterValidator(_template)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Flatline(_Strict):
    """An operator alert when fewer than ``min_items`` articles arrive within ``window``:
    articles the rule's labels select (or, with ``source``, that source's articles)."""

    window: Duration = "24h"
    min_items: int = Field(default=1, ge=1)
    source: str | None = Field(default=None, description="watch this source instead")

    @property
    def window_s(self) -> float:
        return parse_seconds(self.window)


class Spike(_Strict):
    """An operator alert when the articles of one label or region within ``window`` are at
    least ``factor`` times those of the window before, and at least ``min_count``."""

    by: Literal["label", "region"] = "label"
    window: Duration = "1h"
    factor: float = Field(default=3.0, gt=1.0)
    min_count: int = Field(default=5, ge=1)

    @property
    def window_s(self) -> float:
        return parse_seconds(self.window)
