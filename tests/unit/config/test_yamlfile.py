"""Operator YAML loading: every problem names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from config.sources import SourcesFile, load_sources
from config.yamlfile import OperatorFileError, line_index, load_yaml_model, parse_yaml_model

SOURCES = """\
sources:
  - id: first
    name: First
    kind: government
    list_urls: [https://a.example.gov.cn/news/]
  - id: second
    name: Second
    kind: university
    list_urls:
      - https://b.example.edu.cn/xxxw.htm
      - https://b.example.edu.cn/tzgg.htm
    schedule:
      every: 30m
      jitter_s: 10
"""


def write(tmp_path: Path, text: str, name: str = "sources.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(excinfo: pytest.ExceptionInfo[OperatorFileError]) -> list[tuple[int | None, str]]:
    return [(line, field) for line, field, _ in excinfo.value.problems]


def test_valid_file_loads(tmp_path: Path) -> None:
    loaded = load_sources(write(tmp_path, SOURCES))
    assert [s.id for s in loaded.sources] == ["first", "second"]
    assert loaded.get("second").schedule.seconds == 30 * 60


def test_broken_field_deep_in_a_list_names_its_exact_line(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCES.replace("every: 30m", "every: often"))
    with pytest.raises(OperatorFileError) as caught:
        load_sources(path)
    assert problems(caught) == [(13, "sources[1].schedule.every")]
    assert f"{path}:13: sources[1].schedule.every: " in str(caught.value)
    assert "30m" in str(caught.value)  # the validator's hint reaches the operator


def test_broken_list_item_names_the_item_line(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCES.replace("https://b.example.edu.cn/tzgg.htm", "not a url"))
    with pytest.raises(OperatorFileError) as caught:
        load_sources(path)
    assert problems(caught) == [(11, "sources[1].list_urls[1]")]


def test_every_problem_is_reported(tmp_path: Path) -> None:
    text = SOURCES.replace("kind: government", "kind: ministry").replace("jitter_s: 10",
                                                                           "jitter_s: -1")
    with pytest.raises(OperatorFileError) as caught:
        load_sources(write(tmp_path, text))
    assert problems(caught) == [(4, "sources[0].kind"), (14, "sources[1].schedule.jitter_s")]


def test_missing_field_points_at_its_item(tmp_path: Path) -> None:
    with pytest.raises(OperatorFileError) as caught:
        load_sources(write(tmp_path, SOURCES.replace("    name: Second\n", "")))
    assert problems(caught) == [(6, "sources[1].name")]
    assert "Field required" in str(caught.value)


def test_unknown_field_is_rejected_with_its_line(tmp_path: Path) -> None:
    text = SOURCES.replace("    kind: university\n", "    kind: university\n    enable: no\n")
    with pytest.raises(OperatorFileError) as caught:
        load_sources(write(tmp_path, text))
    assert problems(caught) == [(9, "sources[1].enable")]


def test_item_level_rule_points_at_the_item(tmp_path: Path) -> None:
    text = SOURCES.replace("    list_urls: [https://a.example.gov.cn/news/]\n", "")
    with pytest.raises(OperatorFileError) as caught:
        load_sources(write(tmp_path, text))
    assert problems(caught) == [(2, "sources[0]")]
    assert "list_urls, feeds or sitemaps" in str(caught.value)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCES.replace("    name: First\n", "    name: [First\n"))
    with pytest.raises(OperatorFileError) as caught:
        load_sources(path)
    ((line, field, why),) = caught.value.problems
    assert line is not None and 3 <= line <= 5
    assert field == ""
    assert why.startswith("not valid YAML")
    assert f"{path}:{line}: (top level): not valid YAML" in str(caught.value)


def test_tab_indentation_is_reported_as_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(OperatorFileError, match=r"sources\.yaml:3: .*not valid YAML"):
        load_sources(write(tmp_path, "sources:\n  - id: a\n\tname: A\n"))


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(OperatorFileError) as caught:
        load_sources(path)
    assert caught.value.path == path
    assert f"{path}:?: (top level): cannot read file: No such file or directory" in str(
        caught.value)


def test_empty_file_validates_as_an_empty_mapping(tmp_path: Path) -> None:
    with pytest.raises(OperatorFileError) as caught:
        load_sources(write(tmp_path, "# nothing yet\n"))
    assert problems(caught) == [(None, "sources")]


def test_wrong_top_level_type(tmp_path: Path) -> None:
    with pytest.raises(OperatorFileError) as caught:
        load_yaml_model(write(tmp_path, "- just\n- a list\n"), SourcesFile)
    assert problems(caught) == [(1, "")]


class _Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    retries: int = 0


def test_parse_yaml_model_without_a_file() -> None:
    assert parse_yaml_model("retries: 3\n", _Limits, Path("inline.yaml")).retries == 3
    with pytest.raises(OperatorFileError, match=r"inline\.yaml:2: retries: "):
        parse_yaml_model("# limits\nretries: many\n", _Limits, Path("inline.yaml"))


def test_line_index_maps_key_paths_to_lines() -> None:
    index = line_index(SOURCES)
    assert index[("sources",)] == 1
    assert index[("sources", 1)] == 6
    assert index[("sources", 1, "list_urls", 1)] == 11
    assert index[("sources", 1, "schedule", "jitter_s")] == 14
    assert line_index("") == {}


def test_duplicate_keys_in_any_operator_file_are_rejected(tmp_path: Path) -> None:
    class Terms(BaseModel):
        model_config = ConfigDict(extra="forbid")
        terms: dict[str, float]

    text = "terms:\n  CAR-T: 1.0\n  AAV: 0.5\n  CAR-T: 2.0\n"
    with pytest.raises(OperatorFileError) as caught:
        parse_yaml_model(text, Terms, tmp_path / "taxonomy.yaml")
    assert problems(caught) == [(4, "terms.CAR-T")]
    assert "duplicate key 'CAR-T' (first on line 2)" in str(caught.value)
    assert parse_yaml_model("terms: {a: 1, b: 2}\n", Terms, tmp_path / "t.yaml").terms == {
        "a": 1.0, "b": 2.0}


def test_duplicate_gazetteer_ids_have_a_line(tmp_path: Path) -> None:
    from config.taxonomy import Regions

    text = ("regions:\n  - {id: CN-GD, name: 广东省, name_en: Guangdong, kind: province}\n"
            "  - {id: CN-GD, name: 广东, name_en: Guangdong, kind: province}\n")
    with pytest.raises(OperatorFileError) as caught:
        parse_yaml_model(text, Regions, tmp_path / "regions.yaml")
    assert problems(caught) == [(3, "regions[1].id")]
