"""`python -m crosscloud.cli.main_entry` == the `crosscloud` console script."""

from .main import cli

if __name__ == "__main__":
    cli(prog_name="crosscloud")
