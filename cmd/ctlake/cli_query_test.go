package main

import (
	"strings"
	"testing"
)

func TestBindStore(t *testing.T) {
	const id = "0e3b2c1a-7d5f-4a9b-8c6d-112233445566"
	for _, c := range []struct {
		sql, want string
		n         int
	}{
		{`SELECT * FROM $store`, `SELECT * FROM ` + id, 1},
		{`select count(*) from demo where eventName = 'ConsoleLogin'`, `select count(*) from ` + id + ` where eventName = 'ConsoleLogin'`, 1},
		{"SELECT a.x FROM demo a\nJOIN demo b ON a.x = b.x", "SELECT a.x FROM " + id + " a\nJOIN " + id + " b ON a.x = b.x", 2},
		// Not a table reference: a column, a literal, a comment, a longer name.
		{`SELECT demo FROM t WHERE x = 'FROM demo' -- FROM demo`, `SELECT demo FROM t WHERE x = 'FROM demo' -- FROM demo`, 0},
		{`SELECT 1 FROM demo-2`, `SELECT 1 FROM demo-2`, 0},
		{`SELECT '$store', "$store" FROM $storex`, `SELECT '$store', "$store" FROM $storex`, 0},
		{`SELECT 'it''s' FROM demo`, `SELECT 'it''s' FROM ` + id, 1},
		// Comments: skipped between FROM and the name; $store or the name in one stays.
		{"SELECT 1 FROM /* the store */ demo -- FROM demo, $store\n", "SELECT 1 FROM /* the store */ " + id + " -- FROM demo, $store\n", 1},
		{"SELECT 1 FROM demo/* FROM demo */JOIN demo--x", "SELECT 1 FROM " + id + "/* FROM demo */JOIN " + id + "--x", 2},
		// Quoted identifiers and string literals holding the name or $store stay.
		{`SELECT "FROM demo" FROM "demo"`, `SELECT "FROM demo" FROM "demo"`, 0},
		{`SELECT x AS "demo" FROM $store WHERE y = 'FROM demo' OR z = '$store'`, `SELECT x AS "demo" FROM ` + id + ` WHERE y = 'FROM demo' OR z = '$store'`, 1},
		{`SELECT 1 FROM demo'x'`, `SELECT 1 FROM ` + id + `'x'`, 1},
		// Keywords in any case.
		{`select 1 From demo a jOiN demo b using (x)`, `select 1 From ` + id + ` a jOiN ` + id + ` b using (x)`, 2},
	} {
		got, n, err := bindStore(c.sql, "demo", id)
		if got != c.want || n != c.n || err != nil {
			t.Errorf("bindStore(%q) = %q, %d, %v\nwant %q, %d", c.sql, got, n, err, c.want, c.n)
		}
	}
}

// TestBindStoreNameOfSeveralTokens: a store name with - or . reads as
// several tokens; it is bound only when they are written together and the
// name ends where they do.
func TestBindStoreNameOfSeveralTokens(t *testing.T) {
	const id = "0e3b2c1a-7d5f-4a9b-8c6d-112233445566"
	for _, c := range []struct {
		name, sql, want string
		n               int
	}{
		{"my-store.v2", `SELECT * FROM my-store.v2 WHERE x = 1`, `SELECT * FROM ` + id + ` WHERE x = 1`, 1},
		{"my-store.v2", `SELECT * FROM my-store.v2, my-store.v2x`, `SELECT * FROM ` + id + `, my-store.v2x`, 1},
		{"my-store.v2", `SELECT * FROM my - store.v2`, `SELECT * FROM my - store.v2`, 0},
		{"my-store.v2", `SELECT * FROM my-store.v2-1`, `SELECT * FROM my-store.v2-1`, 0},
		{"my-store.v2", `SELECT * FROM my-store.v2)`, `SELECT * FROM ` + id + `)`, 1},
		{"my-store.v2", `SELECT * FROM my-store/**/.v2`, `SELECT * FROM my-store/**/.v2`, 0},
		{"my-store.v2", `SELECT 'FROM my-store.v2' FROM "my-store.v2"`, `SELECT 'FROM my-store.v2' FROM "my-store.v2"`, 0},
		{"2024.trail-1", `SELECT * FROM 2024.trail-1 t`, `SELECT * FROM ` + id + ` t`, 1},
		{"a_b", `SELECT * FROM a_b--comment`, `SELECT * FROM ` + id + `--comment`, 1},
	} {
		got, n, err := bindStore(c.sql, c.name, id)
		if got != c.want || n != c.n || err != nil {
			t.Errorf("bindStore(%q, %q) = %q, %d, %v\nwant %q, %d", c.sql, c.name, got, n, err, c.want, c.n)
		}
	}
}

// TestBindStoreRef: with --store, a statement may name the store by $store,
// by its name or already by its id (in either case, bare or quoted); one
// that names it no way is refused, and one the front end refuses but that
// holds the id goes to the server unchanged, whose message says what is
// wrong.
func TestBindStoreRef(t *testing.T) {
	const id = "0e3b2c1a-7d5f-4a9b-8c6d-112233445566"
	const other = "5f1c3b1e-2a4d-4c6e-9f00-0123456789ab"
	for _, c := range []struct{ sql, want, err string }{
		{`SELECT * FROM $store`, `SELECT * FROM ` + id, ""},
		{`SELECT * FROM people`, `SELECT * FROM ` + id, ""},
		{`SELECT * FROM ` + id, `SELECT * FROM ` + id, ""},
		{`SELECT * FROM "` + strings.ToUpper(id) + `"`, `SELECT * FROM "` + strings.ToUpper(id) + `"`, ""},
		{`SELECT * FROM ` + other + ` a JOIN ` + id + ` b ON a.eventid = b.eventid`,
			`SELECT * FROM ` + other + ` a JOIN ` + id + ` b ON a.eventid = b.eventid`, ""},
		{`SELECT * FROM ` + other, "", "--store people: the SQL names neither $store nor people after FROM or JOIN, nor the store's id " + id +
			" (in a double-quoted shell string, write \\$store, or the name)"},
		{`SELECT * FROM ` + other + ` WHERE x = '` + id + `'`, "", "names neither $store nor people"},
		{`SELECT * FROM ` + id + ` WHERE`, `SELECT * FROM ` + id + ` WHERE`, ""},
		{`SELECT 1 FROM other`, "", "names neither $store nor people"},
		// A statement the front end cannot read to the end goes to the
		// server, bound up to the fault, whose refusal names it.
		{`SELECT x::int FROM people`, `SELECT x::int FROM people`, ""},
		{`SELECT * FROM people WHERE x = 'open`, `SELECT * FROM ` + id + ` WHERE x = 'open`, ""},
		{`SELECT * FROM $store WHERE x = 'open`, `SELECT * FROM ` + id + ` WHERE x = 'open`, ""},
	} {
		got, err := bindStoreRef(c.sql, "people", id)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("bindStoreRef(%q) = %q, %v; want %q", c.sql, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("bindStoreRef(%q) = %q, %v; want an error with %q", c.sql, got, err, c.err)
		}
	}
}

func TestRowsAsJSONAndCSV(t *testing.T) {
	s := func(v string) *string { return &v }
	rows := []resultRow{
		{{"eventTime", s("2023-07-10 12:23:15.000")}, {"errorCode", nil}, {"msg", s(`a "<quoted>", text`)}},
	}
	var b strings.Builder
	writeRowsJSON(&b, rows)
	want := "[\n  {\"eventTime\": \"2023-07-10 12:23:15.000\", \"errorCode\": null, \"msg\": \"a \\\"<quoted>\\\", text\"}\n]\n"
	if b.String() != want {
		t.Errorf("json:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	writeRowsJSON(&b, nil)
	if b.String() != "[]\n" {
		t.Errorf("json of no rows = %q", b.String())
	}
	b.Reset()
	writeRowsCSV(&b, rows)
	if want := "eventTime,errorCode,msg\n2023-07-10 12:23:15.000,,\"a \"\"<quoted>\"\", text\"\n"; b.String() != want {
		t.Errorf("csv = %q, want %q", b.String(), want)
	}
}
