"""A Review -> markdown (one PR comment, capped), json, or text. Same Review, same bytes:
everything is ordered by stack order, then address, then attribute path; no timestamps."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import GITHUB_COMMENT_LIMIT, MARKER
from .consequences import Consequence
from .model import KINDS, SIGNS, StackPlan

VALUE_WIDTH = 120  # characters of one value in a table cell


@dataclass
class Review:
    target: str
    stacks: list[StackPlan]
    consequences: list[Consequence] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return {k: sum(s.counts()[k] for s in self.stacks) for k in KINDS}

    @property
    def changed(self) -> bool:
        """What `terraform plan -detailed-exitcode` would call changes, in any stack (a stack that
        cannot be planned yet will be created, so it counts)."""
        return any(s.changed or not s.planned for s in self.stacks)

    @property
    def drift(self) -> list:
        return [d for s in self.stacks for d in s.drift]


def _cell(text: str) -> str:
    text = text if len(text) <= VALUE_WIDTH else text[:VALUE_WIDTH - 1] + "…"
    return "`" + text.replace("|", "\\|").replace("`", "'").replace("\n", " ") + "`"


def _headline(review: Review) -> str:
    t = review.totals()
    if not review.changed:
        return "No changes. Both clouds match the configuration."
    return ", ".join(f"{t[k]} to {k}" for k in KINDS) + "."


def _summary_table(review: Review) -> list[str]:
    rows = ["| stack | add | change | replace | destroy | status |", "|---|---:|---:|---:|---:|---|"]
    for s in review.stacks:
        c = s.counts()
        status = ("not planned: " + s.reason) if not s.planned else (
            "changes" if s.changes else "outputs change" if s.outputs else "no changes")
        rows.append(f"| {s.stack} | {c['add']} | {c['change']} | {c['replace']} | {c['destroy']} | {status} |")
    return rows


def _resource_blocks(s: StackPlan) -> list[tuple[int, str]]:
    """(level, text): level 1 the resource line, level 2 its attribute table (dropped first)."""
    blocks: list[tuple[int, str]] = []
    for c in s.changes:
        forced = f" — forced by {', '.join(f'`{p}`' for p in c.forced_by)}" if c.forced_by else ""
        blocks.append((1, f"- `{SIGNS.get(c.kind, '?')}` `{c.address}` **{c.kind}**{forced}"))
        if c.attributes:
            table = ["", "  | attribute | before | after |", "  |---|---|---|"]
            table += [f"  | {_cell(a.path)} | {_cell(a.before)} | {_cell(a.after)} |" for a in c.attributes]
            blocks.append((2, "\n".join(table) + "\n"))
    return blocks


def markdown(review: Review, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    head = [MARKER, f"## crosscloud plan — target `{review.target}`", "", _headline(review), "",
            *_summary_table(review), ""]
    essential = ["### Consequences", ""]
    if review.consequences:
        essential += [f"- {c.text}" for c in review.consequences]
    else:
        essential.append("- None: nothing changes.")
    essential += ["", "### Drift (changed outside Terraform)", ""]
    drift = review.drift
    if drift:
        essential.append("These objects differ from the last apply although no Terraform run changed them "
                         "(console, API or another tool). The plan above puts them back.")
        essential.append("")
        for d in drift:
            what = "deleted" if d.kind == "destroy" else "changed: " + ", ".join(
                f"`{a.path}` {_cell(a.before)} → {_cell(a.after)}" for a in d.attributes)
            essential.append(f"- stack `{d.stack}`: `{d.address}` {what}")
    else:
        essential.append("- None detected.")
    status_only = sum(s.status_only_drift for s in review.stacks)
    if status_only:
        essential.append(f"- ({status_only} objects report new read-only status values only; not listed.)")
    essential.append("")
    body: list[tuple[int, str]] = []  # (level, text); level 0 kept always
    for s in review.stacks:
        if not s.changes and not s.outputs:
            continue
        body.append((0, f"### Stack `{s.stack}`\n"))
        body += _resource_blocks(s)
        if s.outputs:
            body.append((1, "- outputs: " + ", ".join(f"`{n}` ({k})" for n, k in s.outputs.items())))
        body.append((0, ""))
    fixed = "\n".join(head + essential)
    return _fit(fixed, body, limit)


def _fit(fixed: str, body: list[tuple[int, str]], limit: int) -> str:
    """Drop the least important blocks (attribute tables, then resource lines, last stack first)
    until the comment fits, and say so."""
    kept = list(body)
    dropped = {1: 0, 2: 0}

    def compose() -> str:
        note = ""
        if dropped[1] or dropped[2]:
            note = (f"> **Truncated** to fit GitHub's {limit:,}-character comment limit: "
                    f"{dropped[2]} attribute tables and {dropped[1]} resource lines left out, least important "
                    "first. `crosscloud plan --format json` has everything.\n\n")
        return fixed.replace("### Consequences", note + "### Consequences", 1) + "\n" + "\n".join(t for _, t in kept) + "\n"

    text = compose()
    for level in (2, 1):
        while len(text) > limit and any(lv == level for lv, _ in kept):
            i = max(i for i, (lv, _) in enumerate(kept) if lv == level)
            del kept[i]
            dropped[level] += 1
            text = compose()
    if len(text) > limit:  # even the essentials do not fit: cut hard, and say so
        tail = "\n\n> **Truncated**: the essentials alone exceed the limit; see `crosscloud plan --format json`.\n"
        text = text[:limit - len(tail)] + tail
    return text


def as_json(review: Review) -> str:
    doc = {
        "target": review.target,
        "changed": review.changed,
        "totals": review.totals(),
        "stacks": {s.stack: {
            "planned": True,
            **{k: [c.address for c in s.changes if c.kind == k] for k in KINDS},
            "resources": [c.as_dict() for c in s.changes],
            "outputs": s.outputs,
        } if s.planned else {"planned": False, "reason": s.reason} for s in review.stacks},
        "drift": [{"stack": d.stack, **d.as_dict()} for d in review.drift],
        "consequences": [c.as_dict() for c in review.consequences],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def text(review: Review) -> str:
    lines = []
    for s in review.stacks:
        if not s.planned:
            lines.append(f"{s.stack}: not planned — {s.reason}")
            continue
        counts = ", ".join(f"{n} to {k}" for k, n in s.counts().items() if n)
        lines.append(f"{s.stack}: {counts or 'no changes'}")
        lines += [f"  {SIGNS.get(c.kind, '?')} {c.address}" + (f"  (forced by {', '.join(c.forced_by)})" if c.forced_by else "")
                  for c in s.changes]
    if review.drift:
        lines.append("drift (changed outside Terraform):")
        lines += [f"  {d.stack}: {d.address} {'deleted' if d.kind == 'destroy' else 'changed'}" for d in review.drift]
    if review.consequences:
        lines.append("consequences:")
        lines += [f"  - {c.text}" for c in review.consequences]
    return "\n".join(lines) + "\n"
