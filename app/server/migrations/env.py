"""Alembic environment: runs on the connection handed over by app.server.db.migrate()."""

from alembic import context
from sqlalchemy import text

from app.server.models import Base

MIGRATION_LOCK = 0x464F5352  # advisory lock id ("FOSR"): one process migrates at a time


def run() -> None:
    connection = context.config.attributes["connection"]
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run()
