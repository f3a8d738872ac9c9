package lakesql

import (
	"errors"
	"strings"
	"testing"

	"github.com/ctlake/ctlake"
)

// escapes are what a statement may try to put in a table position past an
// alias: a table function, a file named by a string, a quoted name DuckDB
// would read as a file, a table macro over a table named by a string, a
// reader of files and a catalog function. Each with a word that the
// refusal's message names.
var escapes = []struct{ sql, named string }{
	{"range(10)", "range"},
	{"'/etc/passwd'", "string literal"},
	{`"x.csv"`, `"x.csv"`},
	{"histogram_values('" + TableName(storeB) + "', eventname)", "histogram_values"},
	{"histogram('" + TableName(storeB) + "', eventname)", "histogram"},
	{"read_csv('/etc/passwd')", "read_csv"},
	{"duckdb_settings()", "duckdb_settings"},
}

// aliasForms put a keyword kw in every place a name can stand just before
// a table position: a table alias with and without AS, quoted, with a
// column list, after JOIN and UNNEST, in a parenthesised join; and a
// column alias, in the select list of the query and of a subquery in the
// FROM list. {E} is the escape.
var aliasForms = []string{
	"SELECT * FROM {A} AS kw, {E}",
	"SELECT * FROM {A} kw, {E}",
	`SELECT * FROM {A} AS "kw", {E}`,
	`SELECT * FROM {A} "kw", {E}`,
	"SELECT * FROM {A} AS kw(a), {E}",
	"SELECT * FROM {A} AS t(kw), {E}",
	"SELECT * FROM {B} JOIN {A} AS kw ON true, {E}",
	"SELECT * FROM {A} CROSS JOIN UNNEST(resources) AS kw, {E}",
	"SELECT * FROM ({A} AS kw, {E})",
	"SELECT * FROM (SELECT eventname AS kw FROM {A}) AS s, {E}",
	"SELECT * FROM (SELECT eventname AS kw FROM {A}) kw, {E}",
	"SELECT eventname AS kw, 1 FROM {A}, {E}",
	"SELECT eventname kw, 1 FROM {A}, {E}",
	`SELECT eventname AS "kw", 1 FROM {A}, {E}`,
	"WITH w AS (SELECT eventname AS kw FROM {A}) SELECT * FROM w AS kw, {E}",
}

// TestKeywordAliasEscapes checks that no keyword used as a name opens a
// table position to anything but a store: for every keyword of the linked
// DuckDB, in every form of aliasForms, with every escape, Translate
// refuses the statement with a message naming the escape or the keyword,
// or (for a form DuckDB itself cannot parse, such as a reserved word as a
// table alias without AS) translates it into SQL that DuckDB's parser
// refuses too, so that nothing of it runs.
func TestKeywordAliasEscapes(t *testing.T) {
	db := openLake(t)
	rows, err := db.Query("SELECT keyword_name FROM duckdb_keywords() ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	var keywords []string
	for rows.Next() {
		var kw string
		if err := rows.Scan(&kw); err != nil {
			t.Fatal(err)
		}
		keywords = append(keywords, kw)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	// Trino's keywords that DuckDB does not have are names to DuckDB.
	keywords = append(keywords, "values", "ordinality", "uescape", "trim")
	if len(keywords) < 400 {
		t.Fatalf("%d keywords from duckdb_keywords(), want several hundred", len(keywords))
	}
	refused, parsedNot := 0, 0
	for _, kw := range keywords {
		for _, form := range aliasForms {
			for _, e := range escapes {
				q := toIDs.Replace(strings.NewReplacer("kw", kw, "{E}", e.sql).Replace(form))
				st, err := Translate(q)
				if err != nil {
					var ce *ctlake.Error
					if !errors.As(err, &ce) || ce.Code != ctlake.InvalidQueryStatementException {
						t.Errorf("%s: %v, want an InvalidQueryStatementException", q, err)
					} else if lower := strings.ToLower(ce.Message); !strings.Contains(lower, strings.ToLower(e.named)) &&
						!strings.Contains(lower, strings.ToLower(kw)) {
						t.Errorf("%s: message %q names neither %s nor %s", q, ce.Message, e.named, kw)
					}
					refused++
					continue
				}
				trees, err := parseDuckDB(st.SQL)
				if err != nil {
					t.Fatal(err)
				}
				if trees != nil {
					t.Errorf("%s: accepted, and DuckDB parses the translation %s", q, st.SQL)
				}
				parsedNot++
			}
		}
	}
	t.Logf("%d keywords: %d statements refused, %d accepted only in forms DuckDB cannot parse", len(keywords), refused, parsedNot)
}

// TestValuesAlias is the case the security review found: after a table
// alias named values, the rest of the FROM list was not checked.
func TestValuesAlias(t *testing.T) {
	for _, c := range []struct{ sql, msg string }{
		{"SELECT * FROM {A} AS values, range(10)", "the table function range is not supported at line 1, column 63"},
		{"SELECT * FROM {A} values, '/etc/passwd'", "a string literal after , is not supported: name an event data store id at line 1, column 60"},
		{"SELECT * FROM {A} AS values, histogram_values('" + TableName(storeB) + "', eventname)",
			"the table function histogram_values is not supported at line 1, column 63"},
		{"SELECT histogram_values('" + TableName(storeB) + "', eventname) FROM {A}",
			"function histogram_values is not supported: it can read files, reach the network or expose the server at line 1, column 8"},
	} {
		_, err := Translate(toIDs.Replace(c.sql))
		var ce *ctlake.Error
		if !errors.As(err, &ce) || ce.Code != ctlake.InvalidQueryStatementException || ce.Message != c.msg {
			t.Errorf("%s: %v\nwant InvalidQueryStatementException: %s", c.sql, err, c.msg)
		}
	}
	// A keyword is still a name where it is one.
	for _, q := range []string{
		"SELECT values.eventname FROM {A} AS values",
		"SELECT eventname AS values FROM {A} values WHERE values.eventname <> 'x'",
		"SELECT count(*) AS select FROM {A} AS t, {B} AS values",
	} {
		if _, err := Translate(toIDs.Replace(q)); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}
