package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order; PRAGMA user_version records how many
// have run. Append only: a released migration never changes.
var migrations = []string{
	`CREATE TABLE settings (
		name  TEXT PRIMARY KEY,
		value BLOB NOT NULL
	);
	CREATE TABLE event_data_stores (
		id                     TEXT PRIMARY KEY,
		account                TEXT NOT NULL,
		region                 TEXT NOT NULL,
		name                   TEXT NOT NULL,
		status                 TEXT NOT NULL,
		status_before_deletion TEXT NOT NULL DEFAULT '',
		selectors              TEXT NOT NULL, -- JSON
		multi_region           INTEGER NOT NULL,
		organization           INTEGER NOT NULL,
		termination_protection INTEGER NOT NULL,
		retention_days         INTEGER NOT NULL,
		kms_key_id             TEXT NOT NULL DEFAULT '',
		billing_mode           TEXT NOT NULL,
		tags                   TEXT NOT NULL, -- JSON
		created_ms             INTEGER NOT NULL,
		updated_ms             INTEGER NOT NULL,
		deleted_ms             INTEGER NOT NULL DEFAULT 0
	);
	CREATE UNIQUE INDEX event_data_stores_name ON event_data_stores (account, region, name);
	CREATE INDEX event_data_stores_order ON event_data_stores (account, region, created_ms, id);`,

	`CREATE TABLE imports (
		id                TEXT PRIMARY KEY,
		account           TEXT NOT NULL,
		region            TEXT NOT NULL,
		destination       TEXT NOT NULL,
		s3_location_uri   TEXT NOT NULL,
		s3_bucket_region  TEXT NOT NULL,
		s3_role_arn       TEXT NOT NULL,
		start_ms          INTEGER NOT NULL DEFAULT 0,
		end_ms            INTEGER NOT NULL DEFAULT 0,
		status            TEXT NOT NULL,
		prefixes_found    INTEGER NOT NULL DEFAULT 0,
		prefixes_done     INTEGER NOT NULL DEFAULT 0,
		files_done        INTEGER NOT NULL DEFAULT 0,
		events_done       INTEGER NOT NULL DEFAULT 0,
		failed_entries    INTEGER NOT NULL DEFAULT 0,
		created_ms        INTEGER NOT NULL,
		updated_ms        INTEGER NOT NULL
	);
	CREATE INDEX imports_order ON imports (account, region, created_ms);
	CREATE INDEX imports_status ON imports (status);
	CREATE TABLE import_prefixes (
		import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
		prefix    TEXT NOT NULL,
		completed INTEGER NOT NULL,
		PRIMARY KEY (import_id, prefix)
	) WITHOUT ROWID;
	CREATE TABLE import_files (
		import_id     TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
		key           TEXT NOT NULL,
		prefix        TEXT NOT NULL,
		location      TEXT NOT NULL,
		state         TEXT NOT NULL,
		events        INTEGER NOT NULL DEFAULT 0,
		error_type    TEXT NOT NULL DEFAULT '',
		error_message TEXT NOT NULL DEFAULT '',
		updated_ms    INTEGER NOT NULL,
		PRIMARY KEY (import_id, key)
	) WITHOUT ROWID;
	CREATE TABLE segments (
		id         TEXT PRIMARY KEY,
		store_id   TEXT NOT NULL,
		day        TEXT NOT NULL, -- YYYY-MM-DD
		path       TEXT NOT NULL UNIQUE,
		events     INTEGER NOT NULL,
		bytes      INTEGER NOT NULL,
		min_ms     INTEGER NOT NULL,
		max_ms     INTEGER NOT NULL,
		import_id  TEXT NOT NULL
	);
	CREATE INDEX segments_store ON segments (store_id, day);`,

	`CREATE TABLE queries (
		id              TEXT PRIMARY KEY,
		account         TEXT NOT NULL,
		region          TEXT NOT NULL,
		statement       TEXT NOT NULL,
		status          TEXT NOT NULL,
		error_message   TEXT NOT NULL DEFAULT '',
		delivery_uri    TEXT NOT NULL DEFAULT '',
		delivery_status TEXT NOT NULL DEFAULT '',
		events_matched  INTEGER NOT NULL DEFAULT 0,
		events_scanned  INTEGER NOT NULL DEFAULT 0,
		bytes_scanned   INTEGER NOT NULL DEFAULT 0,
		execution_ms    INTEGER NOT NULL DEFAULT 0,
		total_results   INTEGER NOT NULL DEFAULT 0,
		columns         TEXT NOT NULL DEFAULT '[]', -- JSON
		created_ms      INTEGER NOT NULL,
		updated_ms      INTEGER NOT NULL
	);
	CREATE INDEX queries_order ON queries (account, region, created_ms);
	CREATE INDEX queries_status ON queries (status);
	CREATE TABLE query_stores (
		query_id TEXT NOT NULL REFERENCES queries (id) ON DELETE CASCADE,
		position INTEGER NOT NULL,
		store_id TEXT NOT NULL,
		PRIMARY KEY (query_id, position)
	) WITHOUT ROWID;
	CREATE INDEX query_stores_store ON query_stores (store_id);
	CREATE TABLE query_results (
		query_id TEXT NOT NULL REFERENCES queries (id) ON DELETE CASCADE,
		row_no   INTEGER NOT NULL,
		row      TEXT NOT NULL, -- JSON array of strings and nulls
		PRIMARY KEY (query_id, row_no)
	) WITHOUT ROWID;`,

	// The bytes each query's result takes, so that their total can be
	// bounded without reading the rows (ResultLimits.MaxTotalBytes); a
	// catalog's existing results are counted by their stored size.
	`ALTER TABLE queries ADD COLUMN result_bytes INTEGER NOT NULL DEFAULT 0;
	UPDATE queries SET result_bytes = (SELECT COALESCE(SUM(length(CAST(row AS BLOB))), 0) FROM query_results WHERE query_id = queries.id);`,

	// What an import's last attempt passed over, and its retention cut-off.
	`ALTER TABLE imports ADD COLUMN notes TEXT NOT NULL DEFAULT '[]'; -- JSON array of strings
	ALTER TABLE imports ADD COLUMN retention_cutoff_ms INTEGER NOT NULL DEFAULT 0;`,
}

func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("the catalog has schema version %d, newer than this ctlake knows (%d): run a newer ctlake", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, len(migrations))); err != nil {
		return err
	}
	return tx.Commit()
}
