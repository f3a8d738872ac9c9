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
	} {
		got, n := bindStore(c.sql, "demo", id)
		if got != c.want || n != c.n {
			t.Errorf("bindStore(%q) = %q, %d\nwant %q, %d", c.sql, got, n, c.want, c.n)
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
