"""`fileorganizer-server`: run the backend API with uvicorn.

Settings come from flags, else FO_SERVER_* environment variables, else defaults (SQLite under the
app's data folder, a secret key generated on first start). Migrations run on start. The secret
key is never a flag (every user sees flags in `ps`): FO_SERVER_SECRET_KEY, or a file named by
--secret-key-file / FO_SERVER_SECRET_KEY_FILE.
"""

from __future__ import annotations

import argparse

import uvicorn

from . import logsetup
from .app import create_app
from .protocol import EnvelopeProtocol
from .settings import Settings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="fileorganizer-server", description=__doc__.split("\n\n")[0],
                                allow_abbrev=False)  # "--secret-key" must not mean "--secret-key-file"
    p.add_argument("--host", help="address to listen on (FO_SERVER_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (FO_SERVER_PORT, default 8000)")
    p.add_argument("--database-url", help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db "
                                          "(FO_SERVER_DATABASE_URL, default SQLite in the data folder)")
    p.add_argument("--redis-url", help="redis://host:port/0 to share rate limits and progress between "
                                       "processes (FO_SERVER_REDIS_URL, default: none, in process)")
    p.add_argument("--secret-key-file", help="a file holding the token signing key "
                                             "(FO_SERVER_SECRET_KEY_FILE; or FO_SERVER_SECRET_KEY; "
                                             "default generated and stored)")
    p.add_argument("--log-level", help="DEBUG, INFO, WARNING... (FO_SERVER_LOG_LEVEL)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings.from_env(host=args.host, port=args.port, database_url=args.database_url,
                                 redis_url=args.redis_url, secret_key_file=args.secret_key_file,
                                 log_level=args.log_level)
    logsetup.configure(settings.log_level)
    proxies = settings.forwarded_allow_ips
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None,
                access_log=False, ws="websockets", http=EnvelopeProtocol, proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
