"""Server command line: `python -m cli.admin create-admin USERNAME "Display name"` creates the first
admin of a new office (the password is asked twice, never taken from the command line, where it
would land in the shell history); refused once the office has an admin. Whoever runs it is at the server's
console, so it issues a setup code of its own and uses it at once: the code the server printed at its
start (core.accounts.setup) then stops working."""

from __future__ import annotations

import argparse
import getpass
import sys

from core.accounts.services import create_first_admin
from core.accounts.setup import issue_setup_code
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
    engine = make_engine(url)
    try:
        code = issue_setup_code(engine, utcnow())
        if code is None:
            raise DomainError("users.admin_exists")
        create_first_admin(engine, code, args.username, args.display_name, password, utcnow())
    except DomainError as err:
        print(t(err.key, "en", **err.params), file=sys.stderr)
        return 2
    print(f"created administrator {args.username}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
