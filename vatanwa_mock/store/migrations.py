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
    # 2: the outbox of delivery reports and the log of every attempt to deliver them. A report
    # goes with its message (a reset deletes both); an attempt with its report.
    """
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL,
        message_id INTEGER NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
        report_id INTEGER NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
        created_at REAL NOT NULL,
        due_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        window_started_at REAL,
        claim TEXT,
        claimed_until REAL,
        finished_at REAL,
        replays INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX deliveries_due ON deliveries (status, due_at);
    CREATE INDEX deliveries_by_tenant ON deliveries (tenant, id);
    CREATE TABLE delivery_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        claim TEXT NOT NULL,
        url TEXT NOT NULL,
        started_at REAL NOT NULL,
        finished_at REAL,
        http_status INTEGER,
        latency_ms REAL,
        error TEXT,
        outcome TEXT CHECK (outcome IN ('delivered', 'retry', 'dead', 'interrupted'))
    );
    CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, id);
    """,
    # 3: tenants created at run time through the control API, with the tenant that made them
    """
    CREATE TABLE tenant_credentials (
        client_id TEXT PRIMARY KEY,
        client_secret TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    """,
    # 4: a send's text is stored once, not once per recipient; a report's body is built from
    # its message whenever it is posted, not stored again per report.
    """
    CREATE TABLE message_texts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL,
        content TEXT NOT NULL
    );
    CREATE INDEX message_texts_by_tenant ON message_texts (tenant);
    ALTER TABLE messages ADD COLUMN text_id INTEGER REFERENCES message_texts (id);
    INSERT INTO message_texts (id, tenant, content) SELECT id, tenant, content FROM messages;
    UPDATE messages SET text_id = id;
    ALTER TABLE messages DROP COLUMN content;
    ALTER TABLE deliveries DROP COLUMN body;
    """,
    # 5: `report_id` is the text the client sent (a number's digits or any string, a UUID), kept
    # as sent: an INTEGER column would turn "0033" into 33. SQLite cannot change a column's
    # type, so each column is replaced by a TEXT one holding the digits of the old numbers.
    """
    ALTER TABLE messages RENAME COLUMN report_id TO report_id_v2;
    ALTER TABLE messages ADD COLUMN report_id TEXT;
    UPDATE messages SET report_id = CAST(report_id_v2 AS TEXT);
    ALTER TABLE messages DROP COLUMN report_id_v2;
    ALTER TABLE deliveries RENAME COLUMN report_id TO report_id_v2;
    ALTER TABLE deliveries ADD COLUMN report_id TEXT NOT NULL DEFAULT '';
    UPDATE deliveries SET report_id = CAST(report_id_v2 AS TEXT);
    ALTER TABLE deliveries DROP COLUMN report_id_v2;
    """,
    # 6: a device's last queued message, read by every send to pace it, is found in the
    # device's own queue: the queue of every device (`messages_queue`) grows with all the
    # queued messages of every tenant.
    """
    CREATE INDEX messages_device_queue ON messages (reg_id, due_at) WHERE status = 'queued';
    """,
    # 7: a tenant's messages in one state, oldest first (the control API's `status` filter, and
    # a script polling for what is still queued while a large send drains), are read from an
    # index rather than by scanning every message of the tenant.
    """
    CREATE INDEX messages_by_status ON messages (tenant, status, id);
    """,
    # 8: the delivery reports that are claimed, few at any time, for the worker to learn when
    # the next report is due without reading every pending one.
    """
    CREATE INDEX deliveries_claimed ON deliveries (claimed_until) WHERE claimed_until IS NOT NULL;
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
