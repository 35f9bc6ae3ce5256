"""`fileorganizer logout`: end the sign-in on the server and forget it here.

Waiting changes stay for the next sign-in of the same account. When the server cannot be
reached, the sign-in is ended the next time it answers (`sync`, `login`, `logout`), and the exit
code is 1, so a script knows the sign-in is still valid on the server meanwhile.
"""

from __future__ import annotations

import sys

from app.cli import EXIT_ERRORS, EXIT_OK


def register(subparsers) -> None:
    p = subparsers.add_parser("logout", help="sign out of the sync server",
                              description="End the sign-in on the server and forget it here; "
                                          "changes still waiting are sent after the next sign-in "
                                          "to the same account. Exit code 1 when the server "
                                          "could not be reached to end it.")
    p.set_defaults(func=handler)


def _changes(n: int) -> str:
    return f"{n:,} change" if n == 1 else f"{n:,} changes"


def handler(args) -> int:
    from app.jobs.account import Account
    from app.jobs.database import open_database

    db = open_database()
    account = Account(db)
    try:
        if not account.info.signed_in:
            left = account.retry_revocations()
            if left:
                print("Not signed in, but an earlier sign-in could still not be ended on the "
                      "server (it cannot be reached).", file=sys.stderr)
                return EXIT_ERRORS
            print("Not signed in.")
            return EXIT_OK
        result = account.sign_out()
    finally:
        account.close()
        db.close()
    print(f"Signed out of {result.server}." if result.revoked else
          f"Signed out here, but {result.server} could not be reached to end the sign-in.")
    if result.waiting:
        print(f"{_changes(result.waiting)} will be sent after your next sign-in to this account.")
    if result.pending:
        print("The sign-in stays valid on the server until it answers again: the next "
              "`fileorganizer sync`, `login` or `logout` ends it.", file=sys.stderr)
    elif not result.revoked:
        print("The sign-in was not stored (login --no-store), so it cannot be ended later: it "
              "stays valid on the server until it expires, at most 7 days. After your next "
              "sign-in, `fileorganizer account sign-out-everywhere` ends it.", file=sys.stderr)
    return EXIT_OK if result.revoked else EXIT_ERRORS
