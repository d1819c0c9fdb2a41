"""Plan review: what a pull request changes in both clouds, and what that breaks.

Data flows one way:
  collect  — each stack's plan as `terraform show -json` (local runs) or the plan JSON of a
             Terraform Cloud speculative run (tfc)
  model    — resource changes, attribute old -> new (secrets masked), drift, output changes
  effects  — the stacks' reference graph (from the synthesized documents) and ForceNew facts:
             which downstream resources change next when an output they read changes
  consequences — plain words: what goes down and for how long, what changes next, fleet phase
  render   — markdown (capped for a GitHub comment), json, text; same plan -> same bytes
"""

from __future__ import annotations

MARKER = "<!-- crosscloud-plan-review -->"  # CI finds its own comment by this hidden line
GITHUB_COMMENT_LIMIT = 65_536  # characters in one issue/PR comment body (GitHub REST API)
