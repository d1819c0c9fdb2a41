"""Paths shared by the test modules (import as `from support import ...`; pytest puts tests/ on sys.path)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
