"""`fileorganizer categories list|add NAME EXT...|edit NAME EXT...|remove NAME`: custom categories.

A custom category claims its extensions from the built-in ones ("E-books": epub mobi azw3):
scans, the organizer's {category} and category conditions, the watcher and the reports use it.
"""

from __future__ import annotations

import argparse
import json
import sys

from app.cli import EXIT_OK, EXIT_USAGE
from app.cli.words import and_list, count


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("categories", help="list the categories; add, edit or remove custom ones",
                              description="Files are sorted into categories by extension. A custom "
                                          "category takes its extensions over from the built-in ones; "
                                          "scans, reports, the organizer and the watcher use it.",
                              epilog="Example: fileorganizer categories add E-books epub mobi azw3")
    sub = p.add_subparsers(dest="categories_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="show the built-in and custom categories with their extensions",
                        description="Show the built-in and custom categories with their extensions.")
    ls.add_argument("--json", action="store_true", help="print JSON instead of text")
    add = sub.add_parser("add", help="create a custom category claiming the extensions EXT...",
                         description="Create a custom category that takes the extensions EXT... "
                                     "over from the built-in categories.")
    add.add_argument("name", metavar="NAME", help="the new category's name, e.g. E-books")
    add.add_argument("extensions", metavar="EXT", nargs="+", help="e.g. epub or .epub")
    edit = sub.add_parser("edit", help="replace a custom category's extensions (and optionally rename it)",
                          description="Replace a custom category's extensions, rename it, or both.")
    edit.add_argument("name", metavar="NAME", help="the custom category to change")
    edit.add_argument("extensions", metavar="EXT", nargs="*",
                      help="the new extensions (leave out to keep them, e.g. with --rename)")
    edit.add_argument("--rename", metavar="NEW_NAME", help="give the category a new name")
    rm = sub.add_parser("remove",
                        help="delete a custom category (its extensions return to the built-in ones)",
                        description="Delete a custom category; its extensions return to the built-in "
                                    "categories.")
    rm.add_argument("name", metavar="NAME", help="the custom category to delete")
    p.set_defaults(func=handler)


def _exts(values: list[str]) -> list[str]:
    from app.jobs.categories import split_extensions

    return [e for v in values for e in split_extensions(v)]


def _files(n: int) -> str:
    return f"{count(n, 'indexed file')} re-classified"


def _list(db, as_json: bool) -> int:
    from app.jobs.categories import overview

    rows = overview(db)
    if as_json:
        json.dump([{"name": r.name, "custom": r.custom, "extensions": list(r.extensions),
                    **({"uuid": r.uuid} if r.custom else {"claimed_by_custom": list(r.claimed)})}
                   for r in rows], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    width = max(len(r.name) for r in rows)
    customs = [r for r in rows if r.custom]
    owner = {ext: c.name for c in customs for ext in c.extensions}
    print("Built-in categories:")
    for r in (r for r in rows if not r.custom):
        exts = " ".join(r.extensions) or "(files no other category claims)"
        print(f"  {r.name:<{width}}  {exts}{_taken(r.claimed, owner)}")
    print("Custom categories:" if customs else
          "No custom categories. Add one: fileorganizer categories add E-books epub mobi azw3")
    for r in customs:
        print(f"  {r.name:<{width}}  {' '.join(r.extensions)}")
    return EXIT_OK


def _taken(claimed, owner: dict[str, str]) -> str:
    """'  (.cr2 .nef are in RAW now)': the built-in extensions custom categories took over."""
    if not claimed:
        return ""
    by: dict[str, list[str]] = {}
    for ext in claimed:
        by.setdefault(owner.get(ext, "a custom category"), []).append(ext)
    parts = [f"{' '.join(exts)} {'is' if len(exts) == 1 else 'are'} in {name}" for name, exts in by.items()]
    return f"  ({and_list(parts)} now)"


def handler(args: argparse.Namespace) -> int:
    from app.jobs import categories as jobs
    from app.jobs.database import open_database

    db = open_database()
    try:
        if args.categories_command == "list":
            return _list(db, args.json)
        try:
            if args.categories_command == "add":
                change = jobs.add(db, args.name, _exts(args.extensions))
                verb = "Added"
            elif args.categories_command == "edit":
                if not args.extensions and args.rename is None:
                    print("fileorganizer: error: give the new extensions and/or --rename NEW_NAME",
                          file=sys.stderr)
                    return EXIT_USAGE
                change = jobs.edit(db, args.name, _exts(args.extensions) or None, args.rename)
                verb = "Changed"
            else:
                change = jobs.remove(db, args.name)
                print(f"Removed {change.category.name}; {_files(change.files)}.")
                return EXIT_OK
        except jobs.CategoryError as exc:
            print(f"fileorganizer: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        cat = change.category
        print(f"{verb} {cat.name}: {' '.join(cat.extensions)}; {_files(change.files)}.")
        return EXIT_OK
    finally:
        db.close()
