"""`fileorganizer rules list|export FILE|import FILE|remove NAME`: the saved organizer rules."""

from __future__ import annotations

import argparse
import sys

from app.cli import EXIT_OK, EXIT_USAGE, error, output_problem
from app.cli.words import count


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "rules", help="list, export, import or remove the saved organizer rules",
        description="The saved rules are what `fileorganizer organize` uses without --preset or "
                    "--rules, and what the app's Rules view edits. Rules are tried in order; the "
                    "first that matches a file wins unless it says continue.")
    sub = p.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="show the saved rules in the order they are tried",
                        description="Show the saved rules in the order they are tried.")
    ls.add_argument("--format", choices=("text", "json", "toml"), default="text",
                    help="text (one line per rule, the default), or json / toml as a rules file holds them")
    ex = sub.add_parser("export", help="write the saved rules to FILE (.toml or .json)",
                        description="Write the saved rules to FILE; the extension (.toml or .json) "
                                    "chooses the format.")
    ex.add_argument("file", metavar="FILE", help="the rules file to write (.toml or .json)")
    im = sub.add_parser("import", help="add the rules of FILE (.toml or .json) to the saved ones",
                        description="Add the rules of FILE to the saved ones. A saved rule with the "
                                    "name of an imported one is replaced by it, so importing a file "
                                    "twice changes nothing.")
    im.add_argument("file", metavar="FILE", help="the rules file to read (.toml or .json)")
    im.add_argument("--replace", action="store_true",
                    help="make the saved rules exactly the file's: saved rules not in FILE are deleted")
    rm = sub.add_parser("remove", help="delete the saved rule called NAME",
                        description="Delete the saved rule called NAME (as `rules list` shows it; "
                                    "case does not matter).")
    rm.add_argument("name", metavar="NAME", help="the name of the rule to delete")
    p.set_defaults(func=handler)


def _describe(rule) -> str:
    conds = f" {rule.match} of: " + "; ".join(
        c.type + " " + ", ".join(f"{k}={v}" for k, v in c.options.items()) for c in rule.conditions
    ) if rule.conditions else " every file"
    acts = ", ".join(a.type + "".join(f" {v}" for v in a.options.values()) for a in rule.actions)
    flags = [] if rule.enabled else ["disabled"]
    if rule.continue_:
        flags.append("continue")
    if rule.remove_empty_folders:
        flags.append("remove empty folders")
    where = f" in {', '.join(rule.folders)}" + ("" if rule.subfolders else " (no subfolders)") \
        if rule.folders else ""
    return (f"{rule.name}{where}:{conds} -> {acts} (conflict {rule.conflict}"
            + "".join(f", {f}" for f in flags) + ")")


def handler(args: argparse.Namespace) -> int:
    from app.core.organize.rules import RuleError
    from app.core.organize.rules_io import RulesFileError, dumps
    from app.jobs.database import open_database
    from app.jobs.organize import export_rules, import_rules, remove_rules_named, saved_rules

    db = open_database()
    try:
        if args.rules_command == "list":
            rules = saved_rules(db)
            if args.format != "text":
                sys.stdout.write(dumps(rules, args.format))
            elif not rules:
                print("No saved rules. Import some with `fileorganizer rules import FILE`.")
            for i, rule in enumerate(rules if args.format == "text" else []):
                print(f"{i + 1}. {_describe(rule)}")
            return EXIT_OK
        if args.rules_command == "export":
            if problem := output_problem(args.file):
                error(problem)
                return EXIT_USAGE
            try:
                n = export_rules(db, args.file)
            except (RulesFileError, OSError, ValueError) as exc:
                error(str(exc))
                return EXIT_USAGE
            print(f"Exported {count(n, 'rule')} to {args.file}.")
            return EXIT_OK
        if args.rules_command == "remove":
            gone = remove_rules_named(db, args.name)
            if not gone:
                names = ", ".join(repr(r.name) for r in saved_rules(db)) or "none"
                error(f"no saved rule is called {args.name!r} (saved: {names})")
                return EXIT_USAGE
            print(f"Removed {count(len(gone), 'rule')} called {gone[0].name!r}.")
            return EXIT_OK
        try:
            result = import_rules(db, args.file, replace=args.replace)
        except (RulesFileError, RuleError) as exc:
            error(str(exc))
            return EXIT_USAGE
        replaced = ""
        if result.replaced:
            names = ", ".join(repr(n) for n in result.replaced)
            what = "rule" if len(result.replaced) == 1 else "rules"
            replaced = f"; they replace the saved {what} of the same name ({names})"
        print(f"Imported {count(result.stored, 'rule')} from {args.file}{replaced}.")
        return EXIT_OK
    finally:
        db.close()
