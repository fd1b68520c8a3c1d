"""Label names as data: the keys of ``labels`` in a taxonomy file, in file order.

Input: a path to ``taxonomy.yaml`` (by default the shipped ``config/taxonomy.yaml``).
Output: the label names (``cell_therapy``, ``gene_therapy``, …). The wire contract's
``LABELS``, the index mapping, alert-rule validation and the CLI's label option all read them
from here, so adding a label is a change to ``taxonomy.yaml`` (plus labelled rows to measure
it). A cheap read of the file's keys (cached per path); ``config.taxonomy`` validates the rest.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from config.yamlfile import OperatorFileError

DEFAULT_TAXONOMY = Path(__file__).with_name("taxonomy.yaml")
LABEL_NAME = r"^[a-z][a-z0-9_]{0,39}$"


@functools.lru_cache(maxsize=16)
def label_names(path: Path = DEFAULT_TAXONOMY) -> tuple[str, ...]:
    """The label names of the taxonomy at ``path``; ``OperatorFileError`` when it has none
    or names one that is not snake_case."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise OperatorFileError(path, [(None, "labels", f"cannot read labels: {exc}")]) from exc
    labels = data.get("labels") if isinstance(data, dict) else None
    if not isinstance(labels, dict) or not labels:
        raise OperatorFileError(path, [(None, "labels", "a mapping of at least one label")])
    names = tuple(str(name) for name in labels)
    bad = [name for name in names if not re.match(LABEL_NAME, name)]
    if bad:
        raise OperatorFileError(path, [(None, "labels", f"not snake_case: {bad}")])
    return names
