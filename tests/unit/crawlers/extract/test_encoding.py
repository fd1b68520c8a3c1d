"""Charset detection: BOM, UTF-8 over wrong declarations, GB2312/GBK as GB18030, Big5."""

from __future__ import annotations

from crawlers.extract.encoding import decode_html, normalize_charset

TEXT = "关于印发细胞治疗产品临床试验技术指导原则的通知，请各单位认真贯彻执行。"


def _page(charset: str, body: str = TEXT) -> str:
    return f'<html><head><meta charset="{charset}"></head><body><p>{body}</p></body></html>'


def test_gbk_bytes_declared_gb2312_decode_as_gb18030() -> None:
    text, enc = decode_html(_page("gb2312", TEXT + "镕").encode("gbk"))
    assert enc == "gb18030"
    assert TEXT + "镕" in text


def test_utf8_bytes_trusted_over_gb2312_declaration() -> None:
    text, enc = decode_html(_page("gb2312").encode("utf-8"))
    assert enc == "utf-8"
    assert TEXT in text


def test_undeclared_gbk_is_sniffed() -> None:
    raw = f"<html><body><p>{TEXT}</p></body></html>".encode("gb18030")
    text, enc = decode_html(raw)
    assert enc == "gb18030" and TEXT in text


def test_big5_page() -> None:
    body = "細胞治療產品臨床試驗技術指導原則，請各單位認真貫徹執行。"
    text, enc = decode_html(_page("big5", body).encode("big5"))
    assert enc.startswith("big5") and body in text


def test_http_header_charset_and_bom() -> None:
    raw = f"<p>{TEXT}</p>".encode("gb18030")
    assert decode_html(raw, declared="GBK") == (f"<p>{TEXT}</p>", "gb18030")
    assert decode_html(b"\xef\xbb\xbf<p>x</p>") == ("<p>x</p>", "utf-8")


def test_cleaneval_wrapper_declaration() -> None:
    raw = f'<text id="http://a.cn/1.htm" title="t" encoding="gb2312"><p>{TEXT}</p></text>'
    text, enc = decode_html(raw.encode("gbk"))
    assert enc == "gb18030" and TEXT in text


def test_invalid_bytes_decode_leniently() -> None:
    raw = _page("gbk").encode("gbk") + b"\xff\xfe\x80"
    text, _ = decode_html(raw)
    assert TEXT in text


def test_normalize_charset() -> None:
    assert normalize_charset("GB2312") == "gb18030"
    assert normalize_charset("unset") is None
    assert normalize_charset("no-such-charset") is None
