"""Which hosts belong to a list page's site: same host, same registrable domain, allowed hosts.

Input: a link URL, the list page's URL and a ``LinkHosts`` policy from ``sources.yaml``.
Output: ``"site"`` (on the list's site), ``"allowed"`` (named in ``allowed_hosts``) or
``"off"``. The registrable domain comes from the public suffix list snapshot bundled with
``tldextract`` (a Scrapy dependency), read offline: ``news.x.edu.cn`` and ``www.x.edu.cn`` share
``x.edu.cn``, ``kjt.zj.gov.cn`` and ``www.zj.gov.cn`` share ``zj.gov.cn``, ``www.bbc.co.uk`` is
``bbc.co.uk``; IP addresses and single-label hosts are their own domain. Pure, no I/O.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

import tldextract

from config.sources import LinkHosts

Site = Literal["site", "allowed", "off"]
DEFAULT_HOSTS = LinkHosts()


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # no cache directory, no download: the snapshot shipped inside the package
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """``news.x.edu.cn`` → ``x.edu.cn``; a host without a public suffix is returned as is."""
    host = host.lower().rstrip(".")
    found = _extractor()(host).top_domain_under_public_suffix
    return found or host


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def host_matches(host: str, pattern: str) -> bool:
    """``pattern`` is a host (``mp.weixin.qq.com``) or a domain and its subdomains
    (``*.example.edu.cn`` or ``.example.edu.cn``)."""
    pattern = pattern.lower()
    if pattern.startswith(("*.", ".")):
        domain = pattern.lstrip("*").lstrip(".")
        return host == domain or host.endswith("." + domain)
    return host == pattern


def site_of(url: str, base_url: str, hosts: LinkHosts = DEFAULT_HOSTS) -> Site:
    """Where ``url`` points, seen from the list page at ``base_url``."""
    host, home = _host(url), _host(base_url)
    if host == home:
        return "site"
    if hosts.same_site == "registrable" and host and home and \
            registrable_domain(host) == registrable_domain(home):
        return "site"
    if any(host_matches(host, pattern) for pattern in hosts.allowed_hosts):
        return "allowed"
    return "off"
