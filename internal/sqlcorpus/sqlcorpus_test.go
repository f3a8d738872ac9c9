package sqlcorpus

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	text := "-- the file's comment\n\n-- ==== first\n-- @source a b\n-- @expect X\n\nSELECT 1\n  FROM t \n\n-- ==== second\n-- a comment of the statement\nSELECT 2;\n"
	got, err := Parse("f.sql", text)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{File: "f.sql", Name: "first", Line: 3, Header: map[string]string{"source": "a b", "expect": "X"}, SQL: "SELECT 1\n  FROM t "},
		{File: "f.sql", Name: "second", Line: 10, Header: map[string]string{}, SQL: "-- a comment of the statement\nSELECT 2;"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse = %+v\nwant %+v", got, want)
	}
	for _, c := range []struct{ text, err string }{
		{"-- ==== a\n-- @x 1\n\n-- ==== b\nSELECT 1", "f.sql:1: entry a has no statement"},
		{"-- ==== a\n-- @x 1\n-- @x 2\nSELECT 1", "f.sql:3: entry a has @x twice"},
		{"-- ==== a\n-- @ 1\nSELECT 1", "f.sql:2: a header line without a key"},
	} {
		if _, err := Parse("f.sql", c.text); err == nil || err.Error() != c.err {
			t.Errorf("Parse(%q): error %v, want %q", c.text, err, c.err)
		}
	}
}

// TestAWSExamples: every published query names its source and the
// placeholder that stands for the store in it.
func TestAWSExamples(t *testing.T) {
	entries, err := AWSExamples()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 30 {
		t.Fatalf("%d entries, want at least 30", len(entries))
	}
	for _, e := range entries {
		p := e.Header["placeholder"]
		if e.Header["source"] == "" || p == "" || !strings.Contains(e.SQL, p) {
			t.Errorf("line %d (%s): source %q, placeholder %q: want both, the placeholder in the statement", e.Line, e.Name, e.Header["source"], p)
		}
	}
}
