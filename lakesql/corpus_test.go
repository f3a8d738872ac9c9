package lakesql

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ctlake/ctlake"
)

// entry is one statement of a corpus file.
type entry struct {
	header string // the text after "-- ==== "
	line   int    // the line of the header
	sql    string
}

// readCorpus reads a file of entries, each starting with a line
// "-- ==== header" and running to the next such line.
func readCorpus(t testing.TB, name string) []entry {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var entries []entry
	var cur *entry
	var body []string
	flush := func() {
		if cur != nil {
			cur.sql = strings.TrimSpace(strings.Join(body, "\n"))
			entries = append(entries, *cur)
		}
	}
	for i, line := range strings.Split(string(b), "\n") {
		if h, ok := strings.CutPrefix(line, "-- ==== "); ok {
			flush()
			cur, body = &entry{header: h, line: i + 1}, nil
			continue
		}
		body = append(body, line)
	}
	flush()
	return entries
}

// TestAWSExamples translates the queries that AWS publishes and runs them
// on DuckDB over the test stores.
func TestAWSExamples(t *testing.T) {
	entries := readCorpus(t, "testdata/aws_examples.sql")
	if len(entries) < 15 {
		t.Fatalf("%d examples, want at least 15", len(entries))
	}
	db := openLake(t)
	for _, e := range entries {
		st, err := Translate(e.sql)
		if err != nil {
			t.Errorf("line %d (%s): %v", e.line, e.header, err)
			continue
		}
		if len(st.Stores) != 1 || st.Stores[0] != storeA {
			t.Errorf("line %d (%s): stores %q", e.line, e.header, st.Stores)
		}
		if _, err := runSQL(db, st.SQL); err != nil {
			t.Errorf("line %d (%s): %v", e.line, e.header, err)
		}
	}
}

// TestRefused checks that every statement of testdata/refused.sql is
// refused with InvalidQueryStatementException.
func TestRefused(t *testing.T) {
	entries := readCorpus(t, "testdata/refused.sql")
	if len(entries) < 50 {
		t.Fatalf("%d entries, want at least 50", len(entries))
	}
	for _, e := range entries {
		st, err := Translate(e.sql)
		if err == nil {
			t.Errorf("line %d (%s): accepted as %s", e.line, e.header, st.SQL)
			continue
		}
		var ce *ctlake.Error
		if !errors.As(err, &ce) || ce.Code != ctlake.InvalidQueryStatementException {
			t.Errorf("line %d (%s): error %v, want an InvalidQueryStatementException", e.line, e.header, err)
		}
		if n := len(ce.Message); n < 4 || n > 1000 {
			t.Errorf("line %d (%s): message of %d bytes, outside ErrorMessage's 4..1000", e.line, e.header, n)
		}
	}
}
