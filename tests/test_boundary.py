"""The product reaches the twin only as it reaches the clouds: through the target's endpoints and
kubeconfigs. No module in fleet/, runner/ or cli/ imports crosscloud.sandbox except the target's
setup (runner/targets.py) and the `sandbox` command (cli/sandbox_cmd.py)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "crosscloud"
PRODUCT = ("fleet", "runner", "cli")
ALLOWED = {"runner/targets.py", "cli/sandbox_cmd.py"}


def sandbox_imports(source: str, module: str) -> list[str]:
    """Imports of crosscloud.sandbox in `source`, the code of `module` (dotted, e.g. crosscloud.fleet.context)."""
    package = module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            names = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
        else:
            continue
        found += [f"line {node.lineno}: {n}" for n in names if n == "crosscloud.sandbox" or n.startswith("crosscloud.sandbox.")]
    return found


def test_product_does_not_import_the_twin():
    offenders = {}
    for area in PRODUCT:
        for path in sorted((PACKAGE / area).rglob("*.py")):
            rel = path.relative_to(PACKAGE).as_posix()
            if rel in ALLOWED:
                continue
            module = "crosscloud." + rel[:-3].replace("/", ".")
            hits = sandbox_imports(path.read_text(), module)
            if hits:
                offenders[rel] = hits
    assert offenders == {}, f"product modules importing crosscloud.sandbox (go through runner/targets.py): {offenders}"


def test_the_scan_sees_every_form_of_import():
    module = "crosscloud.fleet.context"
    assert sandbox_imports("from ..sandbox import services", module) == ["line 1: crosscloud.sandbox"]
    assert sandbox_imports("from ..sandbox.kube import kubeconfig", module) == ["line 1: crosscloud.sandbox.kube"]
    assert sandbox_imports("def f():\n    import crosscloud.sandbox.daemon", module) == ["line 2: crosscloud.sandbox.daemon"]
    assert sandbox_imports("from crosscloud.sandbox import daemon", module) == ["line 1: crosscloud.sandbox"]
    assert sandbox_imports("from .. import sandbox", module) == ["line 1: crosscloud.sandbox"]
    # neighbours that are not the twin pass
    assert sandbox_imports("from ..runner.targets import Connection\nfrom . import kube", module) == []
    assert sandbox_imports("import crosscloud.sandboxed_thing", module) == []
