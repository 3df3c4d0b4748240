"""The package's folders are its layers: each imports only from the layers below it, no module
imports back one that imports it, and `import docsante` stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import docsante

PACKAGE = Path(docsante.__file__).parent
# lowest first; layers of one rank are siblings that never import each other
RANKS = {"errors": 0, "facets": 0, "vocab": 1, "index": 2, "corpus": 2, "indexer": 3, "search": 3, "render": 4,
         "web": 5}
APPLICATION = 6  # cli.py, cli_french.py, location.py, __init__.py and the aliases of pickled paths


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _rank(module: str) -> int:
    return RANKS.get(_layer(module), APPLICATION)


def _imports() -> dict[str, set[str]]:
    """For each module of the package, the package's modules it imports (at any depth of its code)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    found = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
                candidates = ([base] if node.module else []) + [f"{base}.{a.name}" for a in node.names]
                targets |= {c for c in candidates if c in modules and c != name}
        found[name] = targets
    return found


def test_every_import_goes_to_a_lower_layer():
    wrong = [(a, b) for a, targets in _imports().items() for b in targets
             if _layer(a) != _layer(b) and _rank(b) >= _rank(a) and _rank(a) != APPLICATION]
    assert wrong == []


def test_no_module_imports_back_a_module_that_imports_it():
    graph = _imports()

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            for nxt in graph.get(stack.pop(), ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    assert [m for m in graph if reaches(m, m)] == []


def test_import_docsante_loads_neither_whoosh_nor_numpy():
    code = "import sys, docsante; print(sorted(m for m in ('whoosh', 'numpy', 'bs4', 'click') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    code = "import docsante; print(docsante.Index.__name__, docsante.__version__ == docsante.__version__)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split() == \
        ["Index", "True"]


def test_a_search_loads_no_minhash(sample_index):
    """A search, copies included, compares shingles only: datasketch (and the scipy it imports, half a
    second) is imported by the first fingerprint, in an indexing run."""
    code = ("import sys, docsante; ix = docsante.open_index(sys.argv[1]); "
            "print(ix.search('contrat local de santé').total > 0, 'datasketch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(sample_index)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]
    code = "import sys; from docsante.index.fingerprint import fingerprints; fingerprints(['un texte']); print('datasketch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split() == ["True"]


def test_every_module_imports_where_there_is_no_fcntl():
    """Windows has no fcntl: every module of the package imports without it (hidden here), and the CLI
    starts. Whoosh's own lock takes msvcrt there; docsante's locks are filelock's."""
    code = ("import sys; sys.modules['fcntl'] = None\n"
            "import importlib, pkgutil, docsante\n"
            "names = [m.name for m in pkgutil.walk_packages(docsante.__path__, 'docsante.')\n"
            "         if m.name != 'docsante.__main__']  # which runs the CLI\n"
            "[importlib.import_module(n) for n in names]\n"
            "from click.testing import CliRunner\n"
            "from docsante.cli import cli\n"
            "print(len(names), CliRunner().invoke(cli, ['--help']).exit_code)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    modules, exit_code = out.stdout.split()
    assert int(modules) > 40 and exit_code == "0"
