"""`fileorganizer login --server URL --email EMAIL [--password-stdin]`: sign in to sync.

The sign-in is kept in the system keyring; where none is usable (servers, CI, minimal
desktops), in a file of the config folder that only the user can read. `--no-store` keeps it
for this command only."""

from __future__ import annotations

import getpass
import sys

from app.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE


def register(subparsers) -> None:
    p = subparsers.add_parser("login", help="sign in to a sync server (this device is registered)",
                              description="Sign in to a sync server (or create the account with "
                                          "--register); this computer is registered as a device. "
                                          "Without a system keyring the sign-in is kept in a file "
                                          "only you can read.")
    p.add_argument("--server", required=True, help="server address, e.g. https://sync.example.org")
    p.add_argument("--email", required=True, help="the account's email address")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")
    p.add_argument("--register", action="store_true", help="create the account first (sign up)")
    p.add_argument("--device-name", help="how this computer is listed (default: its host name)")
    p.add_argument("--no-store", action="store_true",
                   help="do not keep the sign-in (no keyring entry, no file): it ends with this "
                        "command")
    p.set_defaults(func=handler)


def handler(args) -> int:
    from app.jobs.account import ApiError, InsecureServer, SyncError
    from app.jobs.account import describe_storage as describe
    from app.jobs.database import open_database

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
    if not password:
        print("No password given.", file=sys.stderr)
        return EXIT_USAGE
    db = open_database()
    try:
        info = _sign_in(db, args, password)
    except InsecureServer as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except ApiError as exc:
        print(f"Sign-in failed: {exc.sentence}", file=sys.stderr)
        return EXIT_ERRORS
    except SyncError as exc:
        print(f"Sign-in failed: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    finally:
        db.close()
    print(f"Signed in as {info.email} on {info.server}; this device is '{info.device_name}'.")
    if note := describe(info.storage):
        print(note)
    return EXIT_OK


def _sign_in(db, args, password: str):
    """The use case with this command's storage choice (`--no-store`, else as last time)."""
    from app.jobs.account import Account

    account = Account(db)
    try:
        return account.sign_in(args.server, args.email, password, register=args.register,
                               device_name=args.device_name,
                               store=not args.no_store)
    finally:
        account.close()
