package duckdb

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ctlake/ctlake/internal/sqlquote"
)

// TestDuckDBSettings checks the first wall, DuckDB's own settings, with raw
// SQL on a connection of the engine's database that bypasses the engine's
// statement check, and logs what DuckDB alone still allows.
func TestDuckDBSettings(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	ctx := context.Background()
	conn, err := f.engine.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	root, segA, segB := f.store.Root, f.paths[tableA][0], f.paths[tableB][0]

	want := map[string]string{
		"enable_external_access":       "false",
		"lock_configuration":           "true",
		"autoinstall_known_extensions": "false",
		"autoload_known_extensions":    "false",
		"allow_community_extensions":   "false",
		"TimeZone":                     "UTC",
		"threads":                      "2",
		"temp_directory":               f.temp,
	}
	for name, value := range want {
		var got string
		if err := conn.QueryRowContext(ctx, "SELECT current_setting('"+name+"')::VARCHAR").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != value {
			t.Errorf("%s = %q, want %q", name, got, value)
		}
	}
	var dirs string
	if err := conn.QueryRowContext(ctx, "SELECT current_setting('allowed_directories')::VARCHAR").Scan(&dirs); err != nil {
		t.Fatal(err)
	}
	// DuckDB adds the temp directory to the allowed ones by itself.
	if dirs != "["+root+"/, "+f.temp+"/]" {
		t.Errorf("allowed_directories = %s", dirs)
	}

	mustFail := []string{
		// The configuration is locked: no SET, RESET or PRAGMA changes it.
		"SET GLOBAL enable_external_access = true",
		"SET enable_external_access = true",
		"RESET enable_external_access",
		"SET GLOBAL lock_configuration = false",
		"SET lock_configuration = false",
		"RESET lock_configuration",
		"SET GLOBAL allowed_directories = ['/']",
		"SET allowed_paths = ['/etc/passwd']",
		"SET GLOBAL memory_limit = '100GB'",
		"PRAGMA memory_limit = '100GB'",
		"SET threads = 64",
		"RESET threads",
		"SET TimeZone = 'Europe/Paris'",
		"SET SESSION TimeZone = 'Europe/Paris'",
		"RESET TimeZone",
		"SET temp_directory = '/tmp'",
		"SET max_temp_directory_size = '1TB'",
		"SET autoload_known_extensions = true",
		"SET autoinstall_known_extensions = true",
		"SET allow_community_extensions = true",
		"SET default_null_order = 'nulls_first'",
		// Files outside the allowed folders, and the network.
		"SELECT * FROM read_csv('/etc/passwd')",
		"SELECT * FROM read_text('/etc/passwd')",
		"SELECT * FROM read_blob('/etc/passwd')",
		"SELECT * FROM read_text('" + root + "/../../../../../../etc/passwd')",
		"SELECT * FROM glob('/*')",
		"SELECT * FROM '/etc/passwd.csv'",
		"COPY (SELECT 1) TO '/tmp/ctlake-escape.csv'",
		"ATTACH '/tmp/ctlake-escape.duckdb' AS x",
		"SELECT * FROM read_parquet('https://example.com/x.parquet')",
		"SELECT * FROM 'https://example.com/x.parquet'",
		// Extensions.
		"INSTALL httpfs",
		"LOAD httpfs",
		"FORCE INSTALL httpfs FROM core",
	}
	for _, q := range mustFail {
		if _, err := conn.ExecContext(ctx, q); err == nil {
			t.Errorf("DuckDB ran %s", q)
		}
	}

	// Reading the allowed folders works (the store views need it) even
	// with external access off.
	var n int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM read_parquet("+sqlquote.String(segA)+")").Scan(&n); err != nil || n != 2 {
		t.Errorf("read_parquet of a segment: %d, %v", n, err)
	}

	// What DuckDB alone still allows inside an allowed folder: the engine's
	// statement check (TestEscapes) is what refuses these.
	for _, q := range []string{
		"SELECT count(*) FROM '" + segB + "'",
		"SELECT count(*) FROM glob('" + root + "/**')",
		"COPY (SELECT 1) TO '" + root + "/escape.csv'",
		"COPY (SELECT 1) TO '" + f.temp + "/escape.csv'",
		"ATTACH '" + root + "/escape.duckdb' AS escape",
		"ATTACH ':memory:' AS mem",
		"EXPORT DATABASE '" + root + "/export'",
	} {
		_, err := conn.ExecContext(ctx, q)
		t.Logf("DuckDB alone: %s: %v", q, errOrOK(err))
	}
}

func errOrOK(err error) string {
	if err == nil {
		return "allowed"
	}
	return "refused (" + strings.SplitN(err.Error(), "\n", 2)[0] + ")"
}

// TestEscapes runs the escape corpus through Query, the way user SQL comes
// in: every statement must fail, and none may leave a file behind.
func TestEscapes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	data := filepath.Dir(f.store.Root)
	before := files(t, data)
	root, temp := f.store.Root, f.temp
	segB := f.paths[tableB][0]
	a := tableA

	corpus := []string{
		// Configuration.
		"SET threads = 1",
		"RESET threads",
		"SET lock_configuration = false",
		"SET enable_external_access = true",
		"SET GLOBAL allowed_directories = ['/']",
		"PRAGMA memory_limit = '10GB'",
		"PRAGMA enable_profiling",
		"SET VARIABLE x = 1",
		// Files outside, and the network.
		"SELECT * FROM read_csv('/etc/passwd')",
		"SELECT * FROM read_csv_auto('/etc/passwd')",
		"SELECT * FROM read_text('/etc/passwd')",
		"SELECT * FROM read_blob('/etc/passwd')",
		"SELECT * FROM sniff_csv('/etc/passwd')",
		"SELECT * FROM glob('/*')",
		"SELECT * FROM '/etc/passwd.csv'",
		"SELECT * FROM read_parquet('https://example.com/x.parquet')",
		"SELECT * FROM 'https://example.com/x.parquet'",
		"SELECT * FROM read_json('http://169.254.169.254/latest/meta-data/')",
		// Files inside the allowed folders: another store's segments, the
		// folder listing, the temp folder.
		"SELECT * FROM glob('" + root + "/*')",
		"SELECT * FROM read_parquet('" + root + "/**/*.parquet')",
		"SELECT * FROM read_parquet('" + segB + "')",
		"SELECT * FROM '" + segB + "'",
		"FROM '" + segB + "'",
		`SELECT * FROM "` + segB + `"`,
		"SELECT * FROM parquet_metadata('" + segB + "')",
		"SELECT * FROM parquet_schema('" + segB + "')",
		"SELECT * FROM read_text('" + temp + "/x')",
		"SELECT * FROM " + tableB, // a store the query was not given
		"SELECT * FROM " + a + " JOIN " + tableB + " USING (eventid)",
		"DESCRIBE '" + segB + "'",
		"SUMMARIZE '" + segB + "'",
		"DESCRIBE " + a,
		"SHOW TABLES",
		// Hidden in subqueries, CTEs and function arguments.
		"SELECT (SELECT count(*) FROM read_text('/etc/passwd'))",
		"SELECT * FROM " + a + " WHERE eventname IN (SELECT content FROM read_text('/etc/passwd'))",
		"WITH x AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM x",
		"WITH x AS (SELECT 1) SELECT * FROM x, '" + segB + "'",
		`SELECT * FROM (WITH "` + segB + `" AS (SELECT 1) SELECT 1), "` + segB + `"`,
		"SELECT * FROM unnest((SELECT list(content) FROM read_text('/etc/passwd')))",
		"SELECT * FROM " + a + " UNION ALL SELECT * FROM read_parquet('" + segB + "')",
		"SELECT * FROM query('SELECT 1')",
		"SELECT * FROM query_table('" + tableB + "')",
		// Catalog and system objects.
		"SELECT * FROM temp.main." + a,
		"SELECT * FROM main." + a,
		"SELECT * FROM duckdb_settings()",
		"SELECT * FROM duckdb_views()",
		"SELECT * FROM duckdb_tables",
		"SELECT * FROM information_schema.tables",
		"SELECT * FROM pg_catalog.pg_tables",
		"SELECT * FROM sqlite_master",
		"CALL duckdb_settings()",
		"SELECT current_setting('allowed_directories')",
		"SELECT eventname FROM " + a + " WHERE current_setting('temp_directory') IS NOT NULL",
		"SELECT write_log('x')",
		// Writes, inside the allowed folders and out.
		"COPY (SELECT 1) TO '" + root + "/x.csv'",
		"COPY (SELECT 1) TO '" + temp + "/x.csv'",
		"COPY " + a + " TO '" + root + "/x.parquet'",
		"COPY (SELECT 1) TO '/tmp/ctlake-escape.csv'",
		"EXPORT DATABASE '" + root + "/export'",
		"ATTACH ':memory:' AS m",
		"ATTACH '" + root + "/x.duckdb' AS f",
		"ATTACH '" + temp + "/x.duckdb' AS f",
		"DETACH memory",
		"CREATE TABLE t AS SELECT 1",
		"CREATE TEMP TABLE t AS SELECT 1",
		"CREATE TEMP VIEW v AS SELECT * FROM read_text('/etc/passwd')",
		"CREATE OR REPLACE TEMP VIEW " + a + " AS SELECT * FROM '" + segB + "'",
		"CREATE MACRO m(x) AS x",
		"CREATE SECRET s (TYPE s3, KEY_ID 'k', SECRET 's')",
		"DROP VIEW " + a,
		"INSERT INTO " + a + " DEFAULT VALUES",
		"UPDATE " + a + " SET eventname = 'x'",
		"DELETE FROM " + a,
		"CHECKPOINT",
		"VACUUM",
		"EXPLAIN SELECT 1",
		"EXPLAIN ANALYZE SELECT 1",
		"PIVOT " + a + " ON eventname USING count(*)",
		"BEGIN TRANSACTION",
		// Extensions.
		"INSTALL httpfs",
		"LOAD httpfs",
		"LOAD '" + root + "/x.duckdb_extension'",
		// Several statements: the driver would run all but the last.
		"SELECT 1; SELECT 2",
		"COPY (SELECT 1) TO '" + root + "/multi.csv'; SELECT 1",
		"SELECT 1; COPY (SELECT 1) TO '" + root + "/multi2.csv'",
		"ATTACH ':memory:' AS m2; SELECT 1",
		// Parameters, and nothing at all.
		"SELECT $1",
		"SELECT ?",
		"",
		";",
		"-- nothing",
	}
	for _, q := range corpus {
		r, err := f.query(context.Background(), q, tableA)
		if err == nil {
			t.Errorf("ran %q: %q", q, r.rows)
			continue
		}
		if !errors.Is(err, ErrNotAllowed) {
			t.Logf("%q: refused by DuckDB, not the statement check: %v", q, strings.SplitN(err.Error(), "\n", 2)[0])
		}
	}

	// Nothing was written, anywhere in the data folder.
	if after := files(t, data); !slices.Equal(after, before) {
		t.Errorf("files in the data folder changed:\nbefore %q\nafter  %q", before, after)
	}
	for _, p := range []string{"/tmp/ctlake-escape.csv", "/tmp/ctlake-escape.duckdb"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}

	// What the sandbox still allows: the table functions that make rows
	// from their arguments, CTEs, subqueries.
	for _, q := range []string{
		"SELECT count(*) FROM " + a + ", unnest(resources) AS t(r)",
		"SELECT count(*) FROM " + a + " CROSS JOIN unnest(resources) AS t(r)",
		"SELECT count(*) FROM range(3)",
		"SELECT count(*) FROM generate_series(1, 3)",
		"WITH logins AS (SELECT * FROM " + a + " WHERE eventname = 'ConsoleLogin') SELECT count(*) FROM logins",
		"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT count(*) FROM r",
		"SELECT count(*) FROM (SELECT * FROM " + strings.ToUpper(a) + ")",
		"SELECT 1;",
		"SELECT 1 -- trailing comment",
	} {
		if _, err := f.query(context.Background(), q, tableA); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

// files lists the files under dir, as paths relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestQueryArguments checks the engine's checks of its own arguments.
func TestQueryArguments(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	ctx := context.Background()
	sink := func([]string, []*string) error { return nil }
	for name, stores := range map[string]map[string][]string{
		"outside the allowed folders": {tableA: {"/etc/passwd"}},
		"relative path":               {tableA: {"segments/x.parquet"}},
		"unclean path":                {tableA: {f.store.Root + "/../x.parquet"}},
		"glob":                        {tableA: {f.store.Root + "/*/*/*.parquet"}},
		"missing file":                {tableA: {f.store.Root + "/x/eventday=2023-01-01/none.parquet"}},
		"table name":                  {"eds-a": nil},
		"quoted table name":           {`a" AS SELECT 1; --`: nil},
		"table name twice":            {"eds_a": nil, "EDS_A": nil},
	} {
		if _, err := f.engine.Query(ctx, "SELECT 1", stores, sink); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
