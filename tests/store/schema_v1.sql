-- The local database as the first released schema (SCHEMA_VERSION 1) created it: the DDL of
-- app/store/_schema_ddl.py at commit 22834dd, the last one with SCHEMA_VERSION 1 (create_all of its schema.py).
-- tests/store/test_migrations.py builds a version-1 database from it. Do not edit.

CREATE TABLE roots (
	id INTEGER NOT NULL, 
	path TEXT NOT NULL, 
	added_at FLOAT NOT NULL, 
	last_scan_at FLOAT, 
	scan_gen INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (path)
);

CREATE TABLE history (
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	started_at FLOAT NOT NULL, 
	finished_at FLOAT, 
	source VARCHAR NOT NULL, 
	title TEXT NOT NULL, 
	status VARCHAR NOT NULL, 
	undo_of INTEGER, 
	op_count INTEGER NOT NULL, 
	done_count INTEGER NOT NULL, 
	failed_count INTEGER NOT NULL, 
	skipped_count INTEGER NOT NULL, 
	bytes BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (uuid), 
	FOREIGN KEY(undo_of) REFERENCES history (id)
);

CREATE TABLE rules (
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	name TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	enabled BOOLEAN NOT NULL, 
	body TEXT NOT NULL, 
	version INTEGER NOT NULL, 
	updated_at FLOAT NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (uuid)
);

CREATE TABLE categories (
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	name TEXT NOT NULL, 
	extensions TEXT NOT NULL, 
	version INTEGER NOT NULL, 
	updated_at FLOAT NOT NULL, 
	deleted BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (uuid), 
	UNIQUE (name)
);

CREATE TABLE settings (
	"key" VARCHAR NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE watched_folders (
	id INTEGER NOT NULL, 
	path TEXT NOT NULL, 
	enabled BOOLEAN NOT NULL, 
	rules TEXT NOT NULL, 
	dest TEXT, 
	last_seen_at FLOAT, 
	recursive BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (path)
);

CREATE TABLE outbox (
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	kind VARCHAR NOT NULL, 
	payload TEXT NOT NULL, 
	created_at FLOAT NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at FLOAT NOT NULL, 
	last_error TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (uuid)
);

CREATE TABLE dirs (
	id INTEGER NOT NULL, 
	root_id INTEGER NOT NULL, 
	parent_id INTEGER, 
	path TEXT NOT NULL, 
	scan_gen INTEGER NOT NULL, 
	signature BLOB, 
	PRIMARY KEY (id), 
	FOREIGN KEY(root_id) REFERENCES roots (id) ON DELETE CASCADE, 
	UNIQUE (path)
);

CREATE INDEX ix_dirs_root ON dirs (root_id);

CREATE TABLE scan_errors (
	id INTEGER NOT NULL, 
	root_id INTEGER, 
	path TEXT NOT NULL, 
	reason TEXT NOT NULL, 
	at FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(root_id) REFERENCES roots (id) ON DELETE CASCADE
);

CREATE TABLE journal (
	id INTEGER NOT NULL, 
	history_id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	kind VARCHAR NOT NULL, 
	src TEXT NOT NULL, 
	dst TEXT, 
	tmp TEXT, 
	keep TEXT, 
	keep_hash VARCHAR, 
	expect TEXT, 
	state VARCHAR NOT NULL, 
	error TEXT, 
	extra TEXT, 
	size BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (history_id, seq), 
	FOREIGN KEY(history_id) REFERENCES history (id) ON DELETE CASCADE
);

CREATE TABLE files (
	id INTEGER NOT NULL, 
	dir_id INTEGER NOT NULL, 
	name TEXT NOT NULL, 
	size BIGINT NOT NULL, 
	mtime_ns BIGINT NOT NULL, 
	inode BIGINT NOT NULL, 
	dev BIGINT NOT NULL, 
	nlink INTEGER NOT NULL, 
	ext VARCHAR NOT NULL, 
	category VARCHAR NOT NULL, 
	is_link BOOLEAN NOT NULL, 
	partial_hash BLOB, 
	full_hash BLOB, 
	scan_gen INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (dir_id, name), 
	FOREIGN KEY(dir_id) REFERENCES dirs (id) ON DELETE CASCADE
);

CREATE INDEX ix_files_full_hash ON files (full_hash, size, dev, inode, is_link, dir_id) WHERE full_hash IS NOT NULL;

CREATE INDEX ix_files_hardlinks ON files (dev, inode, size, is_link, dir_id) WHERE nlink > 1;

CREATE INDEX ix_files_size ON files (size, is_link);

CREATE TRIGGER files_insert_unsign AFTER INSERT ON files BEGIN UPDATE dirs SET signature = NULL WHERE id = NEW.dir_id AND signature IS NOT NULL; END;

CREATE TRIGGER files_delete_unsign AFTER DELETE ON files BEGIN UPDATE dirs SET signature = NULL WHERE id = OLD.dir_id AND signature IS NOT NULL; END;

CREATE TRIGGER files_update_unsign AFTER UPDATE OF dir_id, name, size, mtime_ns, inode, dev, nlink, is_link ON files BEGIN UPDATE dirs SET signature = NULL WHERE id IN (OLD.dir_id, NEW.dir_id) AND signature IS NOT NULL; END;
