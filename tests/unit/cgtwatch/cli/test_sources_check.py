"""``sources check --online`` output: the list format and the block(s) chosen, with the reason."""

from __future__ import annotations

from cgtwatch.cli.crawl import _print_blocks, _probe_table
from cgtwatch.cli.util import console
from crawlers.links.probe import ProbeResult

RESULTS = [
    ProbeResult("sky", "https://sky.example.edu.cn/xyxw.htm", "list", 200, 8, "", "blocks",
                ("block ul < div.list: 8 links, 8 dated, repeated li structure; "
                 "highest-scoring repeated links (19), paged list",)),
    ProbeResult("gd", "http://gdstc.gd.gov.cn/col/col2201/index.html", "list", 200, 45,
                "via Hanweb data proxy", "hanweb-dataproxy",
                ("hanweb-dataproxy: Hanweb column(s) 2201 without inline records: data proxy",)),
    ProbeResult("ema", "https://www.ema.europa.eu/en/news.xml", "feed", 200, 20),
]


def test_table_names_the_format_and_blocks_follow() -> None:
    with console.capture() as captured:
        console.print(_probe_table(RESULTS))
        _print_blocks(RESULTS)
    out = captured.get()
    assert "blocks" in out and "hanweb-dataproxy" in out and "feed" in out
    assert ("sky https://sky.example.edu.cn/xyxw.htm\n  block ul < div.list: 8 links, 8 dated, "
            "repeated li structure; highest-scoring repeated links (19), paged list") in out
    assert "gd http://gdstc.gd.gov.cn/col/col2201/index.html\n  hanweb-dataproxy: Hanweb" in out
