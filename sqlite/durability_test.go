package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommitsAreDurable checks the settings that make a commit survive a
// power cut once it returns: write-ahead log, and synchronous=FULL, which
// in WAL mode fsyncs the log at every commit (NORMAL would not, and could
// lose the last commits, so a segment the catalog recorded could vanish
// from it). Both connection pools get them.
func TestCommitsAreDurable(t *testing.T) {
	ctx := context.Background()
	c := NewCatalog(filepath.Join(t.TempDir(), "catalog.db"))
	if err := c.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for name, db := range map[string]*sql.DB{"writer": c.writer, "reader": c.reader} {
		var mode string
		var sync int
		if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if !strings.EqualFold(mode, "wal") || sync != 2 {
			t.Errorf("%s: journal_mode=%s synchronous=%d, want wal and 2 (FULL)", name, mode, sync)
		}
	}
}
