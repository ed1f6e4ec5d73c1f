"""The ``qms`` command (``python -m qms``): the app's CLI group (commands in :mod:`qms.cli`)."""
from flask.cli import FlaskGroup

from . import create_app


def main() -> None:
    """Entry point of the ``qms`` console script."""
    cli = FlaskGroup(create_app=lambda: create_app(), add_default_commands=False,
                     help="qms: quality management records (ZLAL009).")
    cli.main(prog_name="qms")


if __name__ == "__main__":
    main()
