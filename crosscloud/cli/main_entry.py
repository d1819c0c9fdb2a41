"""`python -m crosscloud.cli.main_entry` == the `crosscloud` console script.

A warm fork server runs the command when one answers (:mod:`.forkclient`); otherwise it runs here."""

import os
import sys


def main() -> None:
    from .forkclient import run

    code = run(sys.argv)
    if code is not None:
        os._exit(code)
    from .main import cli

    cli(prog_name="crosscloud")


if __name__ == "__main__":
    main()
