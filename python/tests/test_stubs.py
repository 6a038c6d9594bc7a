"""The type stubs (.pyi) name only what exists: every class, function and method a stub declares
is in the module it describes."""

import ast
import importlib
import pathlib

import pytest

import doppel

MODULES = ["doppel", "doppel.jobs", "doppel.index", "doppel.datasketch", "doppel.datasketch.minhash",
           "doppel.datasketch.lean_minhash", "doppel.datasketch.b_bit_minhash",
           "doppel.datasketch.lsh", "doppel.datasketch.lshforest",
           "doppel.datasketch.weighted_minhash",
           "doppel.datasketch.hashfunc"]


@pytest.mark.parametrize("name", MODULES)
def test_stub_matches_module(name):
    module = importlib.import_module(name)
    path = pathlib.Path(module.__file__)
    stub = path.with_suffix(".pyi") if path.name != "__init__.py" else path.with_name("__init__.pyi")
    tree = ast.parse(stub.read_text())
    declared = 0
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            assert hasattr(module, node.name), f"{name}.{node.name}"
            declared += 1
        if isinstance(node, ast.ClassDef):
            cls = getattr(module, node.name)
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    assert hasattr(cls, item.name), f"{name}.{node.name}.{item.name}"
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("doppel"):
            for alias in node.names:
                assert hasattr(module, alias.asname or alias.name)
                declared += 1
    assert declared or name == "doppel"
    assert (pathlib.Path(doppel.__file__).parent / "py.typed").exists()
