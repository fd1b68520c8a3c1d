"""``cgtwatch extract``: what the extractor finds on a saved page, offline (URLs:
tests/integration/test_extract_command.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cgtwatch.cli.app import app

runner = CliRunner()
PARA = ("为贯彻落实国务院关于促进生物医药产业发展的决策部署，进一步规范细胞治疗产品研发与临床试验，"
        "现将有关事项通知如下，请各单位结合实际认真组织实施。")
PAGE = f"""<html><head><meta charset="gbk"><title>关于细胞治疗备案的通知_通知公告_某某厅</title>
<meta property="article:published_time" content="2026-11-18T09:30:00+08:00"></head><body>
<h1>关于细胞治疗备案的通知</h1><div>发布机构：某某省科学技术厅 文号：某科函〔2026〕3号</div>
<div><p>{PARA}</p><p>{PARA}</p><p><a href="/f/a.pdf">附件1.pdf</a></p></div></body></html>"""


def test_saved_file_offline_json(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(PAGE.encode("gbk"))
    result = runner.invoke(app, ["extract", str(page), "--url", "https://kjt.example.cn/a/1",
                                 "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["title"] == "关于细胞治疗备案的通知"
    assert found["date"]["value"] == "2026-11-18T09:30+08:00"
    assert found["date"]["source"] == "meta:article:published_time"
    assert found["date"]["confidence"] >= 0.9
    assert found["issuer"] == "某某省科学技术厅" and found["doc_number"] == "某科函〔2026〕3号"
    assert found["attachments"][0]["url"] == "https://kjt.example.cn/f/a.pdf"
    assert found["encoding"] == "gb18030" and found["text_start"].startswith("为贯彻落实")


def test_table_shows_times_in_the_display_zone(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    monkeypatch.setenv("CGTWATCH_DISPLAY__TIMEZONE", "UTC")
    result = runner.invoke(app, ["extract", str(page)])
    assert result.exit_code == 0, result.output
    assert "2026-11-18 01:30 +00:00" in result.output and "times in UTC" in result.output


def test_missing_file_and_empty_page(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.html")])
    assert result.exit_code == 2 and "no such file" in result.output
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body></body></html>", encoding="utf-8")
    assert runner.invoke(app, ["extract", str(empty)]).exit_code == 1
