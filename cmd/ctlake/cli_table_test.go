package main

import (
	"strings"
	"testing"
)

func TestTableAlignsByRunes(t *testing.T) {
	tb := &table{
		header: []string{"NAME", "EVENTS", "NOTE"},
		rows: [][]string{
			{"zürich", "2,900", "ünïcode"},
			{"a", "7", "line\nbreak"},
		},
	}
	var b strings.Builder
	if err := tb.write(&b, terminal{}); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"NAME    EVENTS  NOTE\n" +
		"zürich   2,900  ünïcode\n" +
		"a            7  line\\nbreak\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestTableFitsTerminalWidth(t *testing.T) {
	tb := &table{
		header: []string{"LOCATION", "TYPE", "MESSAGE"},
		rows: [][]string{{
			"file:///data/AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/30/111122223333_CloudTrail_us-east-1_20250330T0000Z_x.json.gz",
			"InvalidFileFormat",
			"the file is not gzip: gzip: invalid header; CloudTrail delivers .json.gz files",
		}},
	}
	var b strings.Builder
	if err := tb.write(&b, terminal{tty: true, width: 60}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if n := displayWidth(line); n > 60 {
			t.Errorf("line of %d runes on a 60-column terminal: %q", n, line)
		}
	}
	if !strings.Contains(b.String(), "…") || !strings.Contains(b.String(), "InvalidFileFormat") {
		t.Errorf("want long cells cut with an ellipsis and the short one whole:\n%s", b.String())
	}
	// Off a terminal nothing is cut.
	b.Reset()
	tb.write(&b, terminal{})
	if strings.Contains(b.String(), "…") {
		t.Errorf("a table to a pipe was cut:\n%s", b.String())
	}
}

func TestTableColoursDoNotUpsetAlignment(t *testing.T) {
	tb := &table{
		header: []string{"ID", "STATUS", "N"},
		rows:   [][]string{{"a", "FAILED", "1"}, {"bb", "COMPLETED", "22"}},
		style: func(_, col int, v string) string {
			if col == 1 {
				return statusStyle(v)
			}
			return ""
		},
	}
	var b strings.Builder
	tb.write(&b, terminal{tty: true, color: true, width: 200})
	lines := strings.Split(strings.TrimSuffix(stripANSI(b.String()), "\n"), "\n")
	for _, l := range lines {
		if displayWidth(l) != displayWidth(lines[0]) {
			t.Errorf("lines of different widths once colours are removed:\n%s", strings.Join(lines, "\n"))
		}
	}
	if !strings.Contains(b.String(), "\x1b[31mFAILED") {
		t.Errorf("FAILED is not red: %q", b.String())
	}
}

func TestTruncateAndGroupDigits(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{{"abcdef", 6, "abcdef"}, {"abcdef", 4, "abc…"}, {"ünïcödé", 3, "ün…"}, {"ab", 1, "a"}} {
		if got := truncate(c.in, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 2900: "2,900", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}
