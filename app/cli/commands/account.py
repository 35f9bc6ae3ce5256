"""`fileorganizer account password | sign-out-everywhere | delete`: manage the sync account.

`password` changes the password and ends every other sign-in; `sign-out-everywhere` ends every
sign-in of the account, this one too; `delete` deletes the account and everything stored for it
on the server (the files, rules and history on this computer stay). Passwords are asked for, or
read from standard input with --password-stdin (one per line: current, then new).
"""

from __future__ import annotations

import getpass
import sys

from app.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE


def register(subparsers) -> None:
    p = subparsers.add_parser("account", help="change the password, sign out everywhere, "
                                              "delete the sync account",
                              description="Manage the account this computer syncs with: change its "
                                          "password, sign it out everywhere, or delete it.")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    pw = actions.add_parser("password", help="change the password (ends every other sign-in)",
                            description="Change the account's password; every other sign-in ends.")
    pw.add_argument("--password-stdin", action="store_true",
                    help="read the current and the new password from standard input, one a line")
    actions.add_parser("sign-out-everywhere", help="end every sign-in of the account",
                       description="End every sign-in of the account, this computer's too.")
    delete = actions.add_parser("delete", help="delete the account and its data on the server",
                                description="Delete the account and everything stored for it on the "
                                            "server; the files, rules and history on this computer stay.")
    delete.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=handler)


def _read(args, prompt: str) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(prompt)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _run(account, args) -> int:
    if args.action == "password":
        current, new = _read(args, "Current password: "), _read(args, "New password: ")
        if not current or not new:
            print("Both the current and the new password are needed.", file=sys.stderr)
            return EXIT_USAGE
        ended = account.change_password(current, new)
        print(f"Password changed; {_plural(ended, 'other sign-in')} ended.")
    elif args.action == "sign-out-everywhere":
        ended = account.sign_out_everywhere()
        print(f"Signed out everywhere: {_plural(ended, 'sign-in')} ended, this one too.")
    else:
        if not args.yes:
            answer = input(f"Delete the account {account.info.email} and all its data on "
                           f"{account.info.server}? Type the email to confirm: ")
            if answer.strip().lower() != account.info.email:
                print("Not deleted.", file=sys.stderr)
                return EXIT_USAGE
        password, email = _read(args, "Password: "), account.info.email
        account.delete_account(password)
        print(f"The account {email} and its data on the server are deleted.")
    return EXIT_OK


def handler(args) -> int:
    from app.jobs.account import Account, ApiError, SignedOut, SyncError
    from app.jobs.database import open_database

    db = open_database()
    account = Account(db)
    try:
        if not account.info.signed_in:
            print("Not signed in: use `fileorganizer login --server URL --email EMAIL` first.",
                  file=sys.stderr)
            return EXIT_ERRORS
        return _run(account, args)
    except SignedOut as exc:
        print(f"Not signed in: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except ApiError as exc:
        print(f"The server refused: {exc.sentence}", file=sys.stderr)
        return EXIT_ERRORS
    except SyncError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERRORS
    finally:
        account.close()
        db.close()
