"""Table definitions of the local database (SQLAlchemy Core).

Paths and names are stored as TEXT, or as BLOB (the raw OS bytes) when they
are not valid Unicode; see ``store.codec``. Each block below belongs to one
part of the app; keep changes to a block inside it.

This is the one definition of the schema: a new database is created from it. A change here
needs a numbered step in ``store.migrations`` that brings existing databases to the same shape
(``tests/store/test_migrations.py`` compares the two).
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)

metadata = MetaData()

# --- scanning index -------------------------------------------------------------------------

roots = Table(
    "roots", metadata,
    Column("id", Integer, primary_key=True),
    Column("path", Text, nullable=False, unique=True),
    Column("added_at", Float, nullable=False),
    Column("last_scan_at", Float),
    Column("scan_gen", Integer, nullable=False, default=0),
)

dirs = Table(
    "dirs", metadata,
    Column("id", Integer, primary_key=True),
    Column("root_id", Integer, ForeignKey("roots.id", ondelete="CASCADE"), nullable=False),
    Column("path", Text, nullable=False, unique=True),
    Column("scan_gen", Integer, nullable=False, default=0),
    # digest of the folder's listing at the last scan: equal -> its file rows are unchanged
    Column("signature", LargeBinary),
    # the folder's own regular files and their bytes (not below it), written by the scanner with
    # the signature and cleared with it: NULL means "count the rows" (store.aggregates_scope.direct_totals)
    Column("files", Integer),
    Column("bytes", BigInteger),
)
Index("ix_dirs_root", dirs.c.root_id)

files = Table(
    "files", metadata,
    Column("id", Integer, primary_key=True),
    Column("dir_id", Integer, ForeignKey("dirs.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("inode", BigInteger, nullable=False),
    Column("dev", BigInteger, nullable=False),
    Column("nlink", Integer, nullable=False, default=1),
    Column("ext", String, nullable=False, default=""),
    Column("category", String, nullable=False, default="other"),
    Column("is_link", Boolean, nullable=False, default=False),
    Column("partial_hash", LargeBinary),
    Column("full_hash", LargeBinary),
    Column("scan_gen", Integer, nullable=False, default=0),
    # inode change time: with size, mtime_ns and inode, what a stored hash is trusted by
    Column("ctime_ns", BigInteger, nullable=False, default=0, server_default="0"),
    UniqueConstraint("dir_id", "name"),
)
# size first: duplicate candidates (GROUP BY size, covering with is_link) and largest-file queries
Index("ix_files_size", files.c.size, files.c.is_link)
# Any change to a folder's file rows outside a scan invalidates the folder's listing signature
# and its file totals, so the next scan compares that folder file by file and the reports count
# its rows (the scanner sets both again afterwards). New rows come from the scanner, which signs
# and counts their folder itself, and from store.index_refresh, which clears both itself: no
# insert trigger (it cost a lookup of the folder per row).
_UNSIGN_TRIGGERS = (
    "CREATE TRIGGER files_delete_unsign AFTER DELETE ON files BEGIN "
    "UPDATE dirs SET signature = NULL, files = NULL, bytes = NULL "
    "WHERE id = OLD.dir_id AND (signature IS NOT NULL OR files IS NOT NULL); END",
    "CREATE TRIGGER files_update_unsign AFTER UPDATE OF dir_id, name, size, mtime_ns, inode, dev, nlink, "
    "is_link, ctime_ns ON files BEGIN "
    "UPDATE dirs SET signature = NULL, files = NULL, bytes = NULL "
    "WHERE id IN (OLD.dir_id, NEW.dir_id) AND (signature IS NOT NULL OR files IS NOT NULL); END",
)
for _ddl in _UNSIGN_TRIGGERS:
    event.listen(files, "after_create", DDL(_ddl))
# reports (store.aggregates): partial covering indexes, so duplicate groups and hard-link totals
# read only the hashed / hard-linked rows and never the table; a scan inserting unhashed,
# single-link rows pays nothing for them
Index("ix_files_full_hash", files.c.full_hash, files.c.size, files.c.dev, files.c.inode, files.c.is_link,
      files.c.dir_id, sqlite_where=files.c.full_hash.isnot(None))
Index("ix_files_hardlinks", files.c.dev, files.c.inode, files.c.size, files.c.is_link, files.c.dir_id,
      sqlite_where=files.c.nlink > 1)
# the Dashboard's and the reports' breakdowns read these instead of the table: files by kind
# come out grouped in index order (no sort of a million rows), files by age as a few ranges;
# dir_id last so that a breakdown of some of the scanned folders is read from the index too
Index("ix_files_kind", files.c.category, files.c.ext, files.c.is_link, files.c.size, files.c.dir_id)
Index("ix_files_mtime", files.c.mtime_ns, files.c.is_link, files.c.size, files.c.dir_id)

scan_errors = Table(
    "scan_errors", metadata,
    Column("id", Integer, primary_key=True),
    Column("root_id", Integer, ForeignKey("roots.id", ondelete="CASCADE")),
    Column("path", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", Float, nullable=False),
)

# --- journal and history --------------------------------------------------------------------

history = Table(
    "history", metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("source", String, nullable=False),          # duplicates | organizer | watcher | undo
    Column("title", Text, nullable=False, default=""),
    Column("status", String, nullable=False),          # running | done | partial | failed | undone
    Column("undo_of", Integer, ForeignKey("history.id")),
    Column("op_count", Integer, nullable=False, default=0),
    Column("done_count", Integer, nullable=False, default=0),
    Column("failed_count", Integer, nullable=False, default=0),
    Column("skipped_count", Integer, nullable=False, default=0),
    Column("bytes", BigInteger, nullable=False, default=0),
)

journal = Table(
    "journal", metadata,
    Column("id", Integer, primary_key=True),
    Column("history_id", Integer, ForeignKey("history.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String, nullable=False),
    Column("src", Text, nullable=False),
    Column("dst", Text),
    Column("tmp", Text),                 # temporary name used while acting (cross-device, links)
    Column("keep", Text),
    Column("keep_hash", String),
    Column("expect", Text),              # JSON FileState at planning time
    Column("state", String, nullable=False),   # planned | done | failed | skipped | undone
    Column("error", Text),
    Column("extra", Text),               # JSON: e.g. where the trash put the file
    Column("size", BigInteger, nullable=False, default=0),
    UniqueConstraint("history_id", "seq"),
)

# --- organizer ------------------------------------------------------------------------------

rules = Table(
    "rules", metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("position", Integer, nullable=False, default=0),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("body", Text, nullable=False),      # JSON of core.organize.rules.Rule
    Column("version", Integer, nullable=False, default=1),
    Column("updated_at", Float, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
)

categories = Table(
    "categories", metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("name", Text, nullable=False, unique=True),
    Column("extensions", Text, nullable=False),   # JSON list
    Column("version", Integer, nullable=False, default=1),
    Column("updated_at", Float, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
)

# --- settings, watcher and sync -------------------------------------------------------------

settings = Table(
    "settings", metadata,
    Column("key", String, primary_key=True),
    Column("value", Text, nullable=False),        # JSON
)

watched_folders = Table(
    "watched_folders", metadata,
    Column("id", Integer, primary_key=True),
    Column("path", Text, nullable=False, unique=True),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("rules", Text, nullable=False, default="[]"),   # JSON list of rule uuids or a preset
    Column("dest", Text),
    Column("last_seen_at", Float),
    Column("recursive", Boolean, nullable=False, default=False),   # also watch subfolders
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("kind", String, nullable=False),
    Column("payload", Text, nullable=False),      # JSON
    Column("created_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False, default=0),
    Column("last_error", Text),
)
