"""The store's schema, as numbered migrations applied in order.

``PRAGMA user_version`` records how many have run; a database file written by an older mock
is brought up to date when it is opened. Append new migrations; never edit one that shipped.
Times are seconds since the epoch (UTC), as floats.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    # 1: tenants' settings, registrations (devices), attachments, messages
    """
    CREATE TABLE tenants (
        tenant TEXT PRIMARY KEY,
        callback_url TEXT
    );
    CREATE TABLE registrations (
        reg_id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('phone', 'qr')),
        phone TEXT,
        code TEXT,
        qr TEXT,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        paired_at REAL,
        logged_out_at REAL,
        device_number TEXT NOT NULL,
        platform TEXT NOT NULL,
        user_name TEXT NOT NULL,
        j_id TEXT NOT NULL,
        picture_token TEXT NOT NULL UNIQUE
    );
    CREATE INDEX registrations_by_tenant ON registrations (tenant, paired_at);
    CREATE TABLE attachments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL,
        token TEXT NOT NULL UNIQUE,
        filename TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        data BLOB NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX attachments_by_tenant ON attachments (tenant);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL,
        reg_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        content TEXT NOT NULL,
        report_id INTEGER,
        send_speed INTEGER NOT NULL,
        attachment_id INTEGER REFERENCES attachments (id),
        status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
        error TEXT,
        created_at REAL NOT NULL,
        due_at REAL NOT NULL,
        finished_at REAL
    );
    CREATE INDEX messages_by_tenant ON messages (tenant, id);
    CREATE INDEX messages_queue ON messages (status, due_at);
    """,
)


def migrate(connection: sqlite3.Connection) -> int:
    """Apply the migrations the database has not seen; return its version afterwards."""
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    if version > len(MIGRATIONS):
        raise RuntimeError(
            f"the database has schema version {version}, newer than this mock "
            f"({len(MIGRATIONS)}); use a newer mock or another --db file"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        # executescript commits first; the version is bumped in the same script.
        connection.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    return len(MIGRATIONS)
