"""Options and error handling shared by the commands. Light imports only.

One error path for every command: a failure exits non-zero with one message on stderr (no
traceback), or with --json one document on stdout, the same shape for every command:
    {"ok": false, "error": {"kind": ..., "message": ..., "exit_code": ..., <details>}}
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable, NoReturn

import click

DEFAULT_CONFIG = "examples/seed.yaml"
JSON_META = "crosscloud.json"  # ctx.meta key: this invocation asked for --json
DEBUG_ENV = "CROSSCLOUD_DEBUG"  # =1: also print the traceback of an unexpected error

config_option = click.option(
    "-c", "--config", "config_path", type=click.Path(path_type=Path), default=DEFAULT_CONFIG,
    show_default=True, help="Topology file (YAML).")


def _remember_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[JSON_META] = True
    return value


json_option = click.option("--json", "as_json", is_flag=True, callback=_remember_json,
                           help="Print machine-readable JSON instead of text (on failure too: {\"ok\": false, \"error\": {...}}).")


def wants_json(ctx: click.Context | None = None) -> bool:
    ctx = ctx or click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(JSON_META))


def error_document(kind: str, message: str, exit_code: int, **details: Any) -> dict:
    return {"ok": False, "error": {"kind": kind, "message": message, "exit_code": exit_code, **details}}


def fail(message: str, code: int = 1, *, kind: str = "error", ctx: click.Context | None = None,
         lines: list[str] = (), **details: Any) -> NoReturn:
    """Report one failure the way this invocation asked for (text or --json), then exit."""
    if wants_json(ctx):
        print_json(error_document(kind, message, code, **details))
    else:
        _quietly(lambda: (click.secho(f"error: {message}", fg="red", err=True),
                          [click.echo(f"  - {line}", err=True) for line in lines]))
    sys.exit(code)


def load_or_exit(path: Path):
    """The validated topology, or exit 1 listing every problem (never a traceback)."""
    from ..config import ConfigError, load_topology

    try:
        return load_topology(path)
    except ConfigError as err:
        fail(f"{err.source}: {len(err.problems)} problem(s)", kind="config",
             lines=[str(p) for p in err.problems], **err.as_dict())


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True))


def state_dir(ctx: click.Context) -> Path:
    return ctx.find_root().obj["state_dir"]


# ------------------------------------------------------------------ the one error path
# crosscloud's own errors, by class name (their modules load only when a command runs): kind.
KNOWN_ERRORS = {
    "ConfigError": "config", "LockHeld": "lock", "TerraformError": "terraform", "Interrupted": "interrupted",
    "LinkTimeout": "link-timeout", "FleetError": "fleet", "WaitTimeout": "timeout", "AlibabaApiError": "alibaba-api",
    "ManifestError": "manifests", "TargetError": "target", "StateDamaged": "damaged-state",
    "ToolMissing": "tool", "JournalError": "journal", "CloudError": "sandbox", "DiffError": "diff",
}
TERRAFORM_DETAILS = ("stack", "command", "summary")


def describe(err: BaseException) -> tuple[str, str, dict]:
    """(kind, message, details) for an exception that reached the command line."""
    name = type(err).__name__
    details: dict = {}
    for attr in TERRAFORM_DETAILS + ("path",):
        value = getattr(err, attr, None)
        if isinstance(value, (str, Path)):
            details[attr] = str(value)
    if getattr(err, "log", None):
        details["log"] = str(err.log)
    if name in KNOWN_ERRORS:
        if name == "ConfigError":
            details.update(err.as_dict())
        return KNOWN_ERRORS[name], str(err), details
    if isinstance(err, OSError):
        return "os", f"{err.strerror or err}" + (f": {err.filename}" if err.filename else ""), details
    return "internal", (f"unexpected {name}: {err} (a crosscloud bug; set {DEBUG_ENV}=1 for the traceback)"), details


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (stop terraform gracefully, journal, lock) but exit 143."""

    signum = signal.SIGTERM


def _raise_terminated(signum, _frame) -> None:
    raise Terminated()


def _quiet_jsii_exit(unraisable) -> None:
    # After Ctrl-C jsii's node child (same process group) is gone, and jsii's exit hooks (atexit
    # stop, __del__) fail telling it to exit (broken pipe, or a process never fully started):
    # expected at teardown, not worth a traceback.
    if "_NodeProcess" in repr(unraisable.object):
        return
    sys.__unraisablehook__(unraisable)


def _drop_output() -> None:
    """The reader of stdout/stderr went away (`| head`): write the rest nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):
            pass


def _quietly(write: Callable[[], Any]) -> None:
    try:
        write()
    except BrokenPipeError:
        _drop_output()


def run_guarded(ctx: click.Context, invoke: Callable[[], Any]) -> Any:
    """Run a command: SIGTERM handled like Ctrl-C; every exception becomes one message."""
    in_main = _is_main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_terminated) if in_main else None
    sys.unraisablehook = _quiet_jsii_exit
    try:
        return invoke()
    except (click.exceptions.Exit, click.Abort, SystemExit):
        raise
    except click.ClickException as err:
        if wants_json(ctx):
            fail(err.format_message(), err.exit_code, kind="usage", ctx=ctx)
        raise
    except BrokenPipeError:
        _drop_output()
        sys.exit(1)
    except KeyboardInterrupt as err:
        what = "terminated (SIGTERM)" if isinstance(err, Terminated) else "interrupted"
        again = f"crosscloud {ctx.invoked_subcommand or ''}".strip()
        fail(f"{what}; the running steps stopped and saved their state. Run {again} again to continue.",
             128 + (signal.SIGTERM if isinstance(err, Terminated) else signal.SIGINT), kind="interrupted", ctx=ctx)
    except Exception as err:  # noqa: BLE001  (the last net: one message, never a traceback)
        if _from_jsii(err):
            # Ctrl-C reaches jsii's node child (same process group) too; its broken channel may
            # surface before our own KeyboardInterrupt does: give the signal a moment to land.
            try:
                time.sleep(0.2)
            except KeyboardInterrupt:
                fail("interrupted during synth; nothing was applied. Run the command again.", 128 + signal.SIGINT,
                     kind="interrupted", ctx=ctx)
            fail(f"the Node.js process behind CDKTF (jsii) stopped unexpectedly: {type(err).__name__}: {err}",
                 kind="synth", ctx=ctx)
        kind, message, details = describe(err)
        if os.environ.get(DEBUG_ENV) == "1":
            traceback.print_exc()
        fail(message, 130 if kind == "interrupted" else 1, kind=kind, ctx=ctx, **details)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


def _from_jsii(err: BaseException) -> bool:
    tb = err.__traceback__
    while tb is not None:
        if "/jsii/" in tb.tb_frame.f_code.co_filename.replace("\\", "/"):
            return True
        tb = tb.tb_next
    return False


def _is_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
