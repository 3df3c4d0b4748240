"""The examples written in docstrings (>>>) hold."""

import doctest
import importlib
import pkgutil

import docsante


def test_every_docstring_example_holds():
    tried = 0
    for module in pkgutil.walk_packages(docsante.__path__, "docsante."):
        if module.name.endswith("__main__"):  # runs the command line when imported
            continue
        result = doctest.testmod(importlib.import_module(module.name), optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.name
        tried += result.attempted
    assert tried >= 10
