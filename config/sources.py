"""Operator file ``sources.yaml``: the sites cgtwatch watches.

Input: ``sources.yaml`` (a list of sources with list pages, feeds, schedule, optional
selectors and the site's ``timezone``). Output: a validated ``SourcesFile``; errors name
file, line and field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from config.durations import whole_seconds
from config.timezones import default_source_zone, zone
from config.yamlfile import load_yaml_model

_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_HOST_PATTERN = re.compile(rf"^(?:\*\.|\.)?{_LABEL}(?:\.{_LABEL})+$")


def _clean_hosts(value: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(v.strip().lower() for v in value)
    for host in cleaned:
        if not _HOST_PATTERN.match(host):
            raise ValueError(f"{host!r} is not a host name; write e.g. 'mp.weixin.qq.com' "
                             "or '*.example.edu.cn' (no scheme, no path)")
    return cleaned


class Selectors(BaseModel):
    """Optional per-source CSS/XPath overrides (XPath when the value starts with ``/``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    links: str | None = None
    date: str | None = None
    next_page: str | None = None
    title: str | None = None
    body: str | None = None


class LinkHosts(BaseModel):
    """Which hosts a list page's article links may be on (``crawlers.links.hosts``).

    ``same_site``: ``registrable`` (default) counts every host of the list's registrable
    domain as the site (``news.x.edu.cn`` for a list on ``www.x.edu.cn``); ``host`` only the
    list's own host. ``allowed_hosts``: more hosts counted as the site (``mp.weixin.qq.com``,
    ``*.example.gov.cn``). ``off_site``: ``keep`` (default) keeps other hosts' links when they
    sit in the list block (a column of WeChat articles, media coverage); ``drop`` removes them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    same_site: Literal["registrable", "host"] = "registrable"
    allowed_hosts: tuple[str, ...] = ()
    off_site: Literal["keep", "drop"] = "keep"

    @field_validator("allowed_hosts")
    @classmethod
    def _check_hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _clean_hosts(value)


class Schedule(BaseModel):
    """When to poll a source: ``every`` at first; with ``fastest``/``slowest`` the interval
    adapts to the source's publication rate within those bounds (without them it stays at
    ``every``); each poll moves by up to ``jitter_s`` either way."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    every: str = "30m"
    fastest: str | None = None
    slowest: str | None = None
    jitter_s: int = Field(default=60, ge=0)

    @field_validator("every", "fastest", "slowest")
    @classmethod
    def _check_every(cls, value: str | None) -> str | None:
        if value is None:
            return None
        whole_seconds(value)
        return value.strip()

    @model_validator(mode="after")
    def _ordered(self) -> Schedule:
        if self.min_seconds > self.seconds or self.seconds > self.max_seconds:
            raise ValueError("need fastest <= every <= slowest")
        return self

    @property
    def seconds(self) -> int:
        return whole_seconds(self.every)

    @property
    def min_seconds(self) -> int:
        return whole_seconds(self.fastest) if self.fastest else self.seconds

    @property
    def max_seconds(self) -> int:
        return whole_seconds(self.slowest) if self.slowest else self.seconds


class Source(BaseModel):
    """One watched site section (a news or notice column)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    name_en: str = ""
    kind: Literal["government", "ftz", "university", "hospital", "regulator", "press", "demo"]
    region: str = ""
    language: Literal["zh", "en"] = "zh"
    list_urls: list[HttpUrl] = Field(default_factory=list)
    feeds: list[HttpUrl] = Field(default_factory=list)
    sitemaps: list[HttpUrl] = Field(default_factory=list)
    schedule: Schedule = Schedule()
    selectors: Selectors = Selectors()
    max_pages: int | None = Field(default=None, ge=1, le=50)
    same_site: Literal["registrable", "host"] = "registrable"
    allowed_hosts: tuple[str, ...] = ()
    off_site: Literal["keep", "drop"] = "keep"
    enabled: bool = True
    timezone: str = Field(default="", description="IANA zone of the site's times; default "
                          "Asia/Shanghai for Chinese sources, UTC for others (state it)")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value:
            zone(value)
        return value

    @property
    def zone_name(self) -> str:
        """The zone a page time without its own offset is read in."""
        return self.timezone or default_source_zone(self.language)

    @field_validator("allowed_hosts")
    @classmethod
    def _check_allowed_hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _clean_hosts(value)

    @property
    def link_hosts(self) -> LinkHosts:
        """The host policy of this source's list pages."""
        return LinkHosts(same_site=self.same_site, allowed_hosts=self.allowed_hosts,
                         off_site=self.off_site)

    @model_validator(mode="after")
    def _has_entry_point(self) -> Source:
        if not (self.list_urls or self.feeds or self.sitemaps):
            raise ValueError("give at least one of list_urls, feeds or sitemaps")
        return self


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    unique_fields: ClassVar[tuple[tuple[str, str], ...]] = (("sources", "id"),)
    sources: list[Source]

    @model_validator(mode="after")
    def _unique_ids(self) -> SourcesFile:
        seen: set[str] = set()
        for source in self.sources:
            if source.id in seen:
                raise ValueError(f"duplicate source id {source.id!r}")
            seen.add(source.id)
        return self

    def get(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(f"no source with id {source_id!r}")

    @property
    def zones(self) -> dict[str, str]:
        """Source id → the zone its page times are read in."""
        return {s.id: s.zone_name for s in self.sources}

    @property
    def enabled(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]


def load_sources(path: Path) -> SourcesFile:
    return load_yaml_model(path, SourcesFile)
