"""Article pages for the generic spider: extract fields; for pointer pages, the attachment.

Input: article responses (possibly 304 for a re-check), and attachment responses. Output:
``RawArticle`` items. A notice that is only a pointer to an attached PDF/DOCX
(``crawlers.extract.documents.is_pointer_page``) is completed with the attachment's text
(``crawlers.extract.documents.attachment_text``); if the attachment cannot be fetched or read, the
page itself is published. Validators (ETag, Last-Modified) of each article are kept in
``spider.validators`` for the pipelines, which store them with the published revision.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from config.contracts import RawArticle, content_hash
from config.sources import Source
from crawlers.engine.conditional import NOT_MODIFIED, Validators, validators
from crawlers.engine.items import build_raw_article
from crawlers.extract.article import extract_article
from crawlers.extract.documents import attachment_text, is_pointer_page
from crawlers.extract.encoding import decode_html

EXTRACTOR = "cgtwatch.extract/1"
READABLE_KINDS = ("pdf", "docx", "txt")


def header_charset(response: Response) -> str | None:
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if "charset=" in content_type:
        return content_type.split("charset=", 1)[1].split(";")[0].strip().strip("\"'") or None
    return None


def readable_attachment(fields: dict[str, Any]) -> dict[str, Any] | None:
    """The first attachment whose text can be read (PDF, DOCX, text)."""
    for attachment in fields.get("attachments") or []:
        if str(attachment.get("kind", "")).lower() in READABLE_KINDS and attachment.get("url"):
            return dict(attachment)
    return None


def with_text(item: RawArticle, text: str) -> RawArticle:
    return item.model_copy(update={"text": text, "content_hash": content_hash(item.title, text)})


class ArticleMixin:
    """Callbacks of article and attachment responses (mixed into ``GenericSpider``)."""

    source: Source
    validators: dict[str, Validators]
    crawler: Any

    def _inc(self, key: str, count: int = 1) -> None:
        raise NotImplementedError

    def parse_article(self, response: Response, listed_title: str, listed_date: str | None,
                      list_url: str) -> Iterator[Any]:
        if response.status == NOT_MODIFIED:
            self._inc("not_modified")
            self._inc("articles_known")
            return
        html, encoding = decode_html(response.body, header_charset(response))
        fields = extract_article(html, response.url)
        item = build_raw_article(self.source, response.url, html, encoding, fields,
                                 listed_title=listed_title, listed_date=listed_date,
                                 list_url=list_url, status=response.status, extractor=EXTRACTOR)
        self.validators[item.article_id] = validators(response)
        attachment = readable_attachment(fields) if is_pointer_page(fields) else None
        if attachment is None:
            yield item
            return
        self._inc("pointer_pages")
        yield scrapy.Request(str(attachment["url"]), callback=self.parse_attachment,
                             errback=self.attachment_failed, dont_filter=True,
                             cb_kwargs={"item": item, "kind": str(attachment["kind"])})

    def parse_attachment(self, response: Response, item: RawArticle, kind: str
                         ) -> Iterator[RawArticle]:
        text = attachment_text(response.body, kind)
        if text:
            self._inc("attachments_read")
            yield with_text(item, text)
        else:
            self._inc("attachments_unreadable")
            yield item

    def attachment_failed(self, failure: Failure) -> Iterator[RawArticle]:
        """The attachment could not be fetched: publish the pointer page as it is."""
        self._inc("attachments_failed")
        request = getattr(failure, "request", None)
        item = request.cb_kwargs.get("item") if request is not None else None
        if isinstance(item, RawArticle):
            yield item

    def article_failed(self, failure: Failure) -> None:
        """Counted: a crawl with failed articles does not store its list validators."""
        self._inc("article_failures")


__all__ = ["EXTRACTOR", "ArticleMixin", "header_charset"]
