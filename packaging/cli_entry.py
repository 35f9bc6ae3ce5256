"""Entry script of the bundled `fileorganizer` command (build.spec): the same CLI as the console script."""

from app.cli import run

run()
