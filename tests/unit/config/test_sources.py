"""``config/sources.yaml``: the real watch list validates and covers what the brief asks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from config.sources import Schedule, SourcesFile, load_sources
from config.yamlfile import OperatorFileError

SOURCES_YAML = Path(__file__).resolve().parents[3] / "config" / "sources.yaml"


@pytest.fixture(scope="module")
def sources() -> SourcesFile:
    return load_sources(SOURCES_YAML)


def test_watch_list_size_and_kinds(sources: SourcesFile) -> None:
    assert len(sources.sources) >= 40
    kinds = Counter(s.kind for s in sources.sources)
    for kind in ("government", "ftz", "university", "hospital", "regulator"):
        assert kinds[kind] >= 1, kind
    assert {s.language for s in sources.sources} == {"zh", "en"}


def test_schedules_between_30_minutes_and_6_hours(sources: SourcesFile) -> None:
    for source in sources.sources:
        assert 30 * 60 <= source.schedule.seconds <= 6 * 3600, source.id


@pytest.mark.parametrize("region", ["广东省", "上海市", "北京市", "辽宁省", "海南省", "江苏省",
                                    "浙江省", "四川省", "湖北省"])
def test_provinces_have_science_and_health_departments(sources: SourcesFile, region: str) -> None:
    names = [s.name for s in sources.sources if s.region == region]
    assert any("科学技术" in n for n in names), region
    assert any("卫生健康" in n for n in names), region


@pytest.mark.parametrize("needle", ["国家卫生健康委", "国家药品监督管理局", "药品审评中心",
                                    "科学技术部", "商务部", "大连金普新区", "深圳", "临港",
                                    "博鳌乐城", "广州", "大连医科大学", "北京协和医学院",
                                    "北京大学医学部", "复旦", "上海交通大学", "浙江大学",
                                    "中山大学", "四川大学", "FDA", "NIH", "EMA"])
def test_named_bodies_are_watched(sources: SourcesFile, needle: str) -> None:
    assert any(needle in s.name for s in sources.sources), needle


def test_entry_points_are_https_or_http_and_unique(sources: SourcesFile) -> None:
    urls = [str(u) for s in sources.sources for u in (*s.list_urls, *s.feeds, *s.sitemaps)]
    assert len(urls) == len(set(urls))
    assert all(u.startswith(("http://", "https://")) for u in urls)


def test_broken_copy_names_line_and_field(tmp_path: Path) -> None:
    lines = SOURCES_YAML.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if "kind: ftz" in line)
    lines[index] = lines[index].replace("kind: ftz", "kind: freezone")
    broken = tmp_path / "sources.yaml"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(OperatorFileError) as caught:
        load_sources(broken)
    message = str(caught.value)
    assert f"sources.yaml:{index + 1}:" in message
    assert ".kind:" in message and "sources[" in message


def test_bad_schedule_is_reported_with_its_line(tmp_path: Path) -> None:
    text = SOURCES_YAML.read_text(encoding="utf-8").replace("{every: 6h}", "{every: soon}", 1)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "every: soon" in row)
    broken = tmp_path / "sources.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(OperatorFileError, match=rf"sources.yaml:{line}: .*schedule.every"):
        load_sources(broken)


@pytest.mark.parametrize("every", ["0s", "0m", "00h", "-5m", "0 d"])
def test_zero_or_negative_intervals_are_rejected(tmp_path: Path, every: str) -> None:
    text = SOURCES_YAML.read_text(encoding="utf-8").replace("{every: 6h}", f"{{every: {every}}}", 1)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if f"every: {every}" in row)
    broken = tmp_path / "sources.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(OperatorFileError, match=rf"sources.yaml:{line}: .*schedule.every: "):
        load_sources(broken)


def test_duplicate_source_ids_name_the_second_line(tmp_path: Path) -> None:
    text = SOURCES_YAML.read_text(encoding="utf-8")
    ids = [row.split("id: ", 1)[1].strip() for row in text.splitlines()
           if row.startswith("  - id: ")]
    copied = text.replace(f"  - id: {ids[1]}\n", f"  - id: {ids[0]}\n", 1)
    line = next(i for i, row in enumerate(copied.splitlines(), 1)
                if row == f"  - id: {ids[0]}" and i > 1 + text.splitlines().index(
                    f"  - id: {ids[0]}"))
    broken = tmp_path / "sources.yaml"
    broken.write_text(copied, encoding="utf-8")
    with pytest.raises(OperatorFileError,
                       match=rf"sources.yaml:{line}: sources\[1\].id: duplicate id '{ids[0]}'"):
        load_sources(broken)


def test_link_host_options_validate_and_name_their_line(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("sources:\n  - id: sky\n    name: 生命科学学院\n    kind: university\n"
                    "    list_urls: ['https://sky.example.edu.cn/xyxw.htm']\n"
                    "    same_site: host\n    off_site: drop\n"
                    "    allowed_hosts: [MP.weixin.qq.com, '*.example.edu.cn']\n",
                    encoding="utf-8")
    hosts = load_sources(good).sources[0].link_hosts
    assert hosts.same_site == "host" and hosts.off_site == "drop"
    assert hosts.allowed_hosts == ("mp.weixin.qq.com", "*.example.edu.cn")
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace(
        "MP.weixin.qq.com", "https://mp.weixin.qq.com/s/x"), encoding="utf-8")
    with pytest.raises(OperatorFileError, match=r"bad.yaml:8: .*allowed_hosts.*not a host name"):
        load_sources(bad)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(good.read_text(encoding="utf-8").replace("same_site: host",
                                                              "same_site: domain"),
                     encoding="utf-8")
    with pytest.raises(OperatorFileError, match=r"wrong.yaml:6: .*same_site"):
        load_sources(wrong)


def test_adaptive_schedule_bounds() -> None:
    fixed = Schedule(every="30m")
    assert (fixed.min_seconds, fixed.seconds, fixed.max_seconds) == (1800, 1800, 1800)
    adaptive = Schedule(every="10m", fastest="2m", slowest="1h")
    assert (adaptive.min_seconds, adaptive.max_seconds) == (120, 3600)
    with pytest.raises(ValueError, match="fastest <= every <= slowest"):
        Schedule(every="10m", fastest="20m")
    with pytest.raises(ValueError, match="number and a unit"):
        Schedule(every="10m", slowest="soon")
