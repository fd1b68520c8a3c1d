"""Hanweb (大汉) columns: inline ``<script type="text/xml">`` datastores and the data proxy.

Input: a Hanweb column page, or the XML a ``/module/web/jpage/dataproxy.jsp`` request returns.
Output: ``ListedLink`` values for the ``<record><![CDATA[<li>…</li>]]></record>`` items, and
``HanwebProxyRequest`` values (URL with ``startrecord``/``endrecord``/``perpage`` plus the
POST form Hanweb sends: ``col``, ``appid``, ``webid``, ``path``, ``columnid``, ...) for
fetching a column's first records when the page does not carry them inline.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

from crawlers.links.blocks import item_of, visible_date
from crawlers.links.dates import date_from_url
from crawlers.links.model import (
    ListedLink,
    absolute_url,
    is_pager_text,
    link_title,
    looks_like_article,
    parse_html,
    unique,
)

_RECORD = re.compile(r"<record[^>]*>(.*?)</record>", re.S | re.I)
_CDATA = re.compile(r"^\s*<!\[CDATA\[(.*)\]\]>\s*$", re.S)
_XML_SCRIPT = re.compile(r"<script[^>]*type=[\"']?text/xml[\"']?[^>]*>(.*?)</script>",
                         re.S | re.I)
_PROXY = re.compile(r"[\w./:-]*?/module/web/jpage/dataproxy\.jsp(?:\?[^\"'\s<>]*)?", re.I)
_FORM_KEYS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid",
              "webname", "permissiontype")
_FORM_DEFAULTS = {"col": "1", "appid": "1", "sourceContentType": "1", "permissiontype": "0"}
_DEFAULT_PER_PAGE = 15
_PAGES_PER_REQUEST = 3


@dataclass(frozen=True, slots=True)
class HanwebProxyRequest:
    """One data-proxy request: POST ``form`` to ``url`` (records ``startrecord``..)."""

    url: str
    form: dict[str, str] = field(default_factory=dict)
    method: str = "POST"


def _record_html(raw: str) -> str:
    match = _CDATA.match(raw)
    if match:
        return match.group(1)
    return htmllib.unescape(raw) if "&lt;" in raw else raw


def records(xml: str) -> list[str]:
    """The HTML fragments of every ``<record>`` in a datastore or data-proxy response."""
    return [_record_html(raw) for raw in _RECORD.findall(xml)]


def _record_link(fragment: str, base_url: str, today: date) -> ListedLink | None:
    doc = parse_html(fragment)
    if doc is None:
        return None
    anchors = [a for a in doc.iter("a") if absolute_url(a.get("href"), base_url)]
    anchors = [a for a in anchors if not is_pager_text(link_title(a))]
    if not anchors:
        return None
    urls = [absolute_url(a.get("href"), base_url) or "" for a in anchors]
    index = next((i for i, u in enumerate(urls) if looks_like_article(u)), 0)
    anchor, url = anchors[index], urls[index]
    shown = visible_date(item_of(anchor), anchor, url, today)
    text_date = shown or date_from_url(url)
    return ListedLink(url=url, title=link_title(anchor), date=text_date)


def links_from_records(fragments: list[str], base_url: str, today: date) -> list[ListedLink]:
    found = (_record_link(fragment, base_url, today) for fragment in fragments)
    return unique([link for link in found if link is not None])


def inline_datastore_links(html: str, base_url: str, today: date) -> list[ListedLink]:
    """Records held inline in the page's ``<script type="text/xml">`` datastores."""
    fragments: list[str] = []
    for script in _XML_SCRIPT.findall(html):
        fragments.extend(records(script))
    return links_from_records(fragments, base_url, today)


def parse_hanweb_dataproxy(xml: str, base_url: str, today: date | None = None
                           ) -> list[ListedLink]:
    """Links in a data-proxy XML response (``<recordset><record>`` items)."""
    return links_from_records(records(xml), base_url, today or date.today())


def _js_value(script: str, key: str) -> str | None:
    pattern = rf"[\"']?\b{key}\b[\"']?\s*[:=]\s*[\"']?([^\"',;&\s}}]+)"
    match = re.search(pattern, script, re.I)
    return unquote(htmllib.unescape(match.group(1))) if match else None


def _form(query: dict[str, str], script: str) -> dict[str, str]:
    form: dict[str, str] = {}
    lowered = {k.lower(): v for k, v in query.items()}
    for key in _FORM_KEYS:
        value = lowered.get(key.lower()) or _js_value(script, key) or _FORM_DEFAULTS.get(key)
        if value is not None:
            form[key] = value
    return form


def _per_page(query: dict[str, str], script: str) -> int:
    value = query.get("perpage") or _js_value(script, "perPage") or _js_value(script, "perpage")
    return int(value) if value and value.isdigit() and int(value) > 0 else _DEFAULT_PER_PAGE


def hanweb_dataproxy_urls(html: str, base_url: str) -> list[HanwebProxyRequest]:
    """First-page data-proxy requests for every Hanweb column referenced by the page."""
    requests: list[HanwebProxyRequest] = []
    seen: set[str] = set()
    found_urls = [urlsplit(found) for found in _PROXY.findall(htmllib.unescape(html))]
    with_column = [p for p in found_urls if "columnid=" in p.query.lower()]
    for parts in with_column or found_urls[:1]:
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        form = _form(query, html)
        per_page = _per_page(query, html)
        params = {"startrecord": "1", "endrecord": str(per_page * _PAGES_PER_REQUEST),
                  "perpage": str(per_page)}
        url = urljoin(base_url, parts.path) + "?" + urlencode(params)
        key = url + repr(sorted(form.items()))
        if key not in seen:
            seen.add(key)
            requests.append(HanwebProxyRequest(url=url, form=form))
    return requests
