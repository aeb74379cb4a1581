"""The engine is pure Python: standard library and octets.engine only, never Django."""

import ast
import subprocess
import sys
from pathlib import Path

import octets.engine

ENGINE = Path(octets.engine.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
    return names


def test_engine_imports_only_the_standard_library_and_itself():
    sources = sorted(ENGINE.glob("*.py"))
    assert len(sources) >= 6
    for source in sources:
        for name in imported_modules(source):
            top = name.split(".")[0]
            assert name.startswith("octets.engine") or top in sys.stdlib_module_names, (
                source,
                name,
            )


def test_importing_the_engine_does_not_load_django():
    code = (
        "import sys\n"
        "import octets.engine.answers, octets.engine.content, octets.engine.knowledge\n"
        "import octets.engine.scoring, octets.engine.selection\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )
    completed = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
