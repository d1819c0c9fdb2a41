"""Terraform Cloud: a speculative plan per stack, and that run's plan JSON from the API.

`terraform plan` without -out in a `cloud` block workspace starts a speculative run (it can never
be applied) and prints its URL; the JSON plan is then
`GET /api/v2/runs/<run id>/plan/json-output` with the workspace token, answered by a 307 to a
temporary download URL (developer.hashicorp.com/terraform/cloud-docs/api-docs/plans, read
2026-12-01; the token needs admin access to the workspace to read JSON plans).
The API base is taken from the printed run URL, so Terraform Enterprise hosts work the same way.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from ..runner.targets import tfc_token_env

RUN_URL = re.compile(r"(https?://[^\s/]+)/app/[^\s]+/runs/(run-[A-Za-z0-9]+)")


class TfcError(RuntimeError):
    pass


def run_from_output(text: str) -> tuple[str, str]:
    """Terraform's plan output -> (API base URL, run id)."""
    found = RUN_URL.findall(text)
    if not found:
        raise TfcError("terraform plan printed no Terraform Cloud run URL, so its plan JSON cannot be fetched")
    return found[-1]


def fetch_plan_json(base: str, run_id: str, token: str, timeout: float = 60) -> dict:
    url = f"{base}/api/v2/runs/{run_id}/plan/json-output"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # follows the 307 to the download URL
            return json.loads(resp.read().decode())
    except urllib.error.HTTPError as err:
        hint = " (the token needs admin access to the workspace to read JSON plans)" if err.code in (401, 403, 404) else ""
        raise TfcError(f"GET {urlsplit(url).path}: HTTP {err.code}{hint}") from None
    except (urllib.error.URLError, ValueError) as err:
        raise TfcError(f"GET {urlsplit(url).path}: {err}") from None


def speculative_plan_json(runner, stack: str) -> dict:
    tf = runner.terraform(stack)
    runner.init(tf)
    result = tf.run("plan", "-input=false", "-detailed-exitcode", ok_codes=(0, 2))
    base, run_id = run_from_output(result.stdout)
    token_var = tfc_token_env(runner.topology.backend.hostname)
    token = os.environ.get(token_var)
    if not token:
        raise TfcError(f"{token_var} is not set: it is needed to read run {run_id}'s plan JSON")
    return fetch_plan_json(base, run_id, token)
