package duckdb

import (
	"database/sql"
	"testing"

	"github.com/ctlake/ctlake/internal/sqlquote"
)

// TestQuoteRoundTrip reads back through DuckDB what sqlquote writes: a
// string literal gives the string, a quoted identifier names the column it
// was written as, whatever quotes, NULs, keywords or non-ASCII they hold.
func TestQuoteRoundTrip(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	strs := []string{"", "it's", "''", `"`, "select", "from", "é ☃ 日本", "line\nbreak", "a\x00b", "\x00", "x'\x00'--", "' OR 1=1 --"}
	for _, s := range strs {
		var got string
		if err := db.QueryRow("SELECT " + sqlquote.String(s)).Scan(&got); err != nil {
			t.Errorf("SELECT %s: %v", sqlquote.String(s), err)
		} else if got != s {
			t.Errorf("SELECT %s = %q, want %q", sqlquote.String(s), got, s)
		}
	}
	for _, name := range []string{"select", "from", "EventName", `a"b`, `""`, "it's", "my-store.v2", "é☃"} {
		rows, err := db.Query("SELECT 1 AS " + sqlquote.Ident(name))
		if err != nil {
			t.Errorf("SELECT 1 AS %s: %v", sqlquote.Ident(name), err)
			continue
		}
		cols, err := rows.Columns()
		if err := rows.Close(); err != nil {
			t.Error(err)
		}
		if err != nil || len(cols) != 1 || cols[0] != name {
			t.Errorf("SELECT 1 AS %s: columns %q (%v), want [%q]", sqlquote.Ident(name), cols, err, name)
		}
	}
}
