"""docs/api.md's examples, run in order in one namespace: the API documentation says what works."""

from __future__ import annotations

import re
from pathlib import Path

API_DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_the_api_documentation_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", API_DOC.read_text("utf-8"), re.S)
    assert len(blocks) >= 6
    namespace: dict = {}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"docs/api.md, example {number}", "exec"), namespace)  # noqa: S102


def test_every_public_name_is_documented():
    import docsante
    text = API_DOC.read_text("utf-8")
    assert [name for name in docsante.__all__ if name not in text] == []
