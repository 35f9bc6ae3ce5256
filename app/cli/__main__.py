"""``python -m app.cli``: the `fileorganizer` command."""

from app.cli import run

if __name__ == "__main__":
    run()
