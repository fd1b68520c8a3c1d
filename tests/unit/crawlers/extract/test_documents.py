"""Attachment text: a tiny PDF and DOCX built in the test, unreadable kinds give ""."""

from __future__ import annotations

import io
import zipfile

from crawlers.extract.documents import attachment_text, docx_text, is_pointer_page, pdf_text


def _tiny_pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def _tiny_docx(paragraphs: list[str]) -> bytes:
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}"><w:body>{body}' \
          "</w:body></w:document>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", xml.encode("utf-8"))
    return out.getvalue()


def test_pdf_text() -> None:
    data = _tiny_pdf("Cell therapy notice 2020")
    assert "Cell therapy notice 2020" in pdf_text(data)
    assert "Cell therapy notice 2020" in attachment_text(data, "pdf")


def test_docx_text() -> None:
    data = _tiny_docx(["关于细胞治疗的通知", "请各单位认真执行。"])
    assert docx_text(data) == "关于细胞治疗的通知\n请各单位认真执行。"
    assert attachment_text(data, "DOCX") == docx_text(data)


def test_unreadable_kinds_and_damaged_files() -> None:
    assert attachment_text(b"\xd0\xcf\x11\xe0binary", "doc") == ""
    assert attachment_text(b"not a zip", "docx") == ""
    assert attachment_text(b"%PDF-1.4 broken", "pdf") == ""
    assert attachment_text("纯文本附件".encode("gbk"), "txt") == "纯文本附件"


def test_is_pointer_page() -> None:
    pdf = {"url": "http://a.cn/x.pdf", "name": "x", "kind": "pdf"}
    assert is_pointer_page({"text": "详见附件。", "attachments": [pdf]})
    assert not is_pointer_page({"text": "详见附件。", "attachments": []})
    assert not is_pointer_page({"text": "正文" * 200, "attachments": [pdf]})
