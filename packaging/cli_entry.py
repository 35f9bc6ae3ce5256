"""Entry script of the bundled `fileorganizer` command (build.spec): the same CLI as the console script."""

import sys

from app.cli import main

sys.exit(main())
