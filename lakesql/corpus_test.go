package lakesql

import (
	"errors"
	"strings"
	"testing"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/internal/sqlcorpus"
)

// readCorpus reads the entries of a corpus file (package sqlcorpus's
// format).
func readCorpus(t testing.TB, path string) []sqlcorpus.Entry {
	t.Helper()
	entries, err := sqlcorpus.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// awsExamples returns the queries AWS publishes, each with storeA written
// where its source has a placeholder for the store.
func awsExamples(t testing.TB) []sqlcorpus.Entry {
	t.Helper()
	entries, err := sqlcorpus.AWSExamples()
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		p := e.Header["placeholder"]
		if p == "" || !strings.Contains(e.SQL, p) {
			t.Fatalf("line %d (%s): the placeholder %q is not in the statement", e.Line, e.Name, p)
		}
		entries[i].SQL = strings.ReplaceAll(e.SQL, p, storeA)
	}
	return entries
}

// TestAWSExamples translates the queries that AWS publishes and runs them
// on DuckDB over the test stores; the two that lost their line breaks
// upstream (@expect) must be refused, by Translate or by DuckDB.
func TestAWSExamples(t *testing.T) {
	entries := awsExamples(t)
	if len(entries) < 30 {
		t.Fatalf("%d examples, want at least 30", len(entries))
	}
	db := openLake(t)
	for _, e := range entries {
		st, err := Translate(e.SQL)
		if want := e.Header["expect"]; want != "" {
			// Not SQL: Translate refuses it, or DuckDB does (the server
			// answers its refusal with the same code).
			var ce *ctlake.Error
			if err != nil && (!errors.As(err, &ce) || ce.Code != want) {
				t.Errorf("line %d (%s): error %v, want a %s", e.Line, e.Name, err, want)
			} else if err == nil {
				if _, err := runSQL(db, st.SQL); err == nil {
					t.Errorf("line %d (%s): translated and ran; want a %s", e.Line, e.Name, want)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("line %d (%s): %v", e.Line, e.Name, err)
			continue
		}
		if len(st.Stores) != 1 || st.Stores[0] != storeA {
			t.Errorf("line %d (%s): stores %q", e.Line, e.Name, st.Stores)
		}
		if _, err := runSQL(db, st.SQL); err != nil {
			t.Errorf("line %d (%s): %v", e.Line, e.Name, err)
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
		st, err := Translate(e.SQL)
		if err == nil {
			t.Errorf("line %d (%s): accepted as %s", e.Line, e.Name, st.SQL)
			continue
		}
		var ce *ctlake.Error
		if !errors.As(err, &ce) || ce.Code != ctlake.InvalidQueryStatementException {
			t.Errorf("line %d (%s): error %v, want an InvalidQueryStatementException", e.Line, e.Name, err)
		}
		if n := len(ce.Message); n < 4 || n > 1000 {
			t.Errorf("line %d (%s): message of %d bytes, outside ErrorMessage's 4..1000", e.Line, e.Name, n)
		}
	}
}
