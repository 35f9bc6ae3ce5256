"""`fileorganizer logout`: revoke the sign-in on the server and forget it here."""

from __future__ import annotations

from app.cli import EXIT_OK


def register(subparsers) -> None:
    p = subparsers.add_parser("logout", help="sign out of the sync server",
                              description=__doc__.splitlines()[0])
    p.set_defaults(func=handler)


def handler(args) -> int:
    from app.jobs import sync as jobs
    from app.store.db import open_database

    db = open_database()
    try:
        was = jobs.status(db)
        jobs.sign_out(db)
    finally:
        db.close()
    print(f"Signed out of {was['server']}." if was["server"] else "Not signed in.")
    return EXIT_OK
