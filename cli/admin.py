"""Server command line: `python -m cli.admin create-admin USERNAME "Display name"` creates the first
admin of a new office (the password is asked twice, never taken from the command line, where it
would land in the shell history); refused once the office has an admin."""

from __future__ import annotations

import argparse
import getpass
import sys

from core.accounts.services import create_first_admin
from core.errors import DomainError
from core.i18n import t
from db.config import get_config
from db.engine import make_engine
from db.migrate import upgrade
from db.models.base import utcnow


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cli.admin")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-admin", help="create the first administrator")
    create.add_argument("username")
    create.add_argument("display_name")
    args = parser.parse_args(argv)
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password again: "):
        print(t("auth.passwords_differ", "en"), file=sys.stderr)
        return 2
    url = get_config().database_url
    upgrade(url)
    try:
        create_first_admin(make_engine(url), args.username, args.display_name, password, utcnow())
    except DomainError as err:
        print(t(err.key, "en", **err.params), file=sys.stderr)
        return 2
    print(f"created administrator {args.username}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
