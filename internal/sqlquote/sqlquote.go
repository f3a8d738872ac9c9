// Package sqlquote writes values into SQL text: a string as a literal, a
// name as a quoted identifier. It is the one place ctlake quotes SQL, for
// the statements the server writes itself (LookupEvents, the workers'
// settings, the stores' views) and for those the SQL front end renders.
package sqlquote

import "strings"

// String returns s as a DuckDB string literal, a doubled quote standing for
// one quote. DuckDB's C API reads a statement up to its first NUL byte, so
// a NUL cannot be written inside a literal: a string holding one becomes
// the parenthesised concatenation of literals and chr(0), which is an
// expression rather than a literal. Callers that write a NUL-free string
// (a path, a formatted time, a setting) get a plain literal, valid
// wherever SQL takes one.
func String(s string) string {
	if !strings.Contains(s, "\x00") {
		return literal(s)
	}
	parts := strings.Split(s, "\x00")
	for i, p := range parts {
		parts[i] = literal(p)
	}
	return "(" + strings.Join(parts, " || chr(0) || ") + ")"
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Ident returns name as a quoted identifier, a doubled double quote
// standing for one: always quoted, so a keyword ("select") or a name of
// any case stays the name it is. A NUL cannot be written in an identifier
// (see String), and no name ctlake quotes holds one (the SQL front end
// refuses control characters), so Ident panics on one rather than write a
// statement DuckDB would cut short.
func Ident(name string) string {
	if strings.Contains(name, "\x00") {
		panic("sqlquote: NUL in the identifier " + literal(strings.ReplaceAll(name, "\x00", `\0`)))
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
