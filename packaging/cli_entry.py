"""Entry script of the bundled `fileorganizer` command (build.spec): the same CLI as the console script."""

import multiprocessing

from app.cli import run

if __name__ == "__main__":
    multiprocessing.freeze_support()      # a worker process of the bundle runs this script too
    run()
