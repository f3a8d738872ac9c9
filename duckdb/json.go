package duckdb

import (
	"strconv"
	"strings"

	"github.com/ctlake/ctlake/internal/sqlquote"
	duckdbdrv "github.com/duckdb/duckdb-go/v2"
)

// jsonCast returns a statement that selects the columns of query, in order,
// with every JSON value among them, however deeply nested, cast to its
// text, and reports whether there was any: duckdb-go decodes a JSON value
// into Go maps and float64s, which loses its key order and the spelling of
// its numbers, while Trino prints a JSON value as its text. The columns are
// selected by position, so duplicate or odd column names do not matter, and
// an order the statement imposes stays: a projection of a subquery keeps
// its order in DuckDB. The caller checks the returned statement again.
func jsonCast(query string, types []duckdbdrv.TypeInfo) (string, bool) {
	cast := false
	list := make([]string, len(types))
	for i, t := range types {
		ref := "#" + strconv.Itoa(i+1)
		list[i] = ref
		if !hasJSON(t) {
			continue
		}
		if text, ok := sqlType(t); ok {
			list[i] = "CAST(" + ref + " AS " + text + ")"
			cast = true
		}
	}
	if !cast {
		return "", false
	}
	// Newlines end a trailing line comment; a trailing semicolon would end
	// the statement inside the parentheses.
	body := strings.TrimRight(query, " \t\r\n;")
	return "SELECT " + strings.Join(list, ", ") + " FROM (\n" + body + "\n)", true
}

// hasJSON reports whether the type t is JSON or has JSON inside.
func hasJSON(t duckdbdrv.TypeInfo) bool {
	if t == nil {
		return false
	}
	if t.Alias() == "JSON" {
		return true
	}
	switch d := t.Details().(type) {
	case *duckdbdrv.ListDetails:
		return hasJSON(d.Child)
	case *duckdbdrv.ArrayDetails:
		return hasJSON(d.Child)
	case *duckdbdrv.MapDetails:
		return hasJSON(d.Key) || hasJSON(d.Value)
	case *duckdbdrv.StructDetails:
		for _, e := range d.Entries {
			if hasJSON(e.Info()) {
				return true
			}
		}
	case *duckdbdrv.UnionDetails:
		for _, m := range d.Members {
			if hasJSON(m.Type) {
				return true
			}
		}
	}
	return false
}

// sqlTypeNames are the SQL names of the types that need no details.
var sqlTypeNames = map[duckdbdrv.Type]string{
	duckdbdrv.TYPE_BOOLEAN:      "BOOLEAN",
	duckdbdrv.TYPE_TINYINT:      "TINYINT",
	duckdbdrv.TYPE_SMALLINT:     "SMALLINT",
	duckdbdrv.TYPE_INTEGER:      "INTEGER",
	duckdbdrv.TYPE_BIGINT:       "BIGINT",
	duckdbdrv.TYPE_UTINYINT:     "UTINYINT",
	duckdbdrv.TYPE_USMALLINT:    "USMALLINT",
	duckdbdrv.TYPE_UINTEGER:     "UINTEGER",
	duckdbdrv.TYPE_UBIGINT:      "UBIGINT",
	duckdbdrv.TYPE_FLOAT:        "FLOAT",
	duckdbdrv.TYPE_DOUBLE:       "DOUBLE",
	duckdbdrv.TYPE_TIMESTAMP:    "TIMESTAMP",
	duckdbdrv.TYPE_DATE:         "DATE",
	duckdbdrv.TYPE_TIME:         "TIME",
	duckdbdrv.TYPE_INTERVAL:     "INTERVAL",
	duckdbdrv.TYPE_HUGEINT:      "HUGEINT",
	duckdbdrv.TYPE_UHUGEINT:     "UHUGEINT",
	duckdbdrv.TYPE_VARCHAR:      "VARCHAR",
	duckdbdrv.TYPE_BLOB:         "BLOB",
	duckdbdrv.TYPE_TIMESTAMP_S:  "TIMESTAMP_S",
	duckdbdrv.TYPE_TIMESTAMP_MS: "TIMESTAMP_MS",
	duckdbdrv.TYPE_TIMESTAMP_NS: "TIMESTAMP_NS",
	duckdbdrv.TYPE_UUID:         "UUID",
	duckdbdrv.TYPE_BIT:          "BIT",
	duckdbdrv.TYPE_TIME_TZ:      "TIME WITH TIME ZONE",
	duckdbdrv.TYPE_TIMESTAMP_TZ: "TIMESTAMP WITH TIME ZONE",
	duckdbdrv.TYPE_ENUM:         "VARCHAR", // prints the same
}

// sqlType returns the SQL spelling of t with JSON replaced by VARCHAR, or
// false if t has a type it cannot spell.
func sqlType(t duckdbdrv.TypeInfo) (string, bool) {
	if t == nil {
		return "", false
	}
	if t.Alias() == "JSON" {
		return "VARCHAR", true
	}
	if name, ok := sqlTypeNames[t.InternalType()]; ok {
		return name, true
	}
	switch d := t.Details().(type) {
	case *duckdbdrv.DecimalDetails:
		return "DECIMAL(" + strconv.Itoa(int(d.Width)) + ", " + strconv.Itoa(int(d.Scale)) + ")", true
	case *duckdbdrv.ListDetails:
		child, ok := sqlType(d.Child)
		return child + "[]", ok
	case *duckdbdrv.ArrayDetails:
		child, ok := sqlType(d.Child)
		return child + "[" + strconv.FormatUint(d.Size, 10) + "]", ok
	case *duckdbdrv.MapDetails:
		key, ok1 := sqlType(d.Key)
		value, ok2 := sqlType(d.Value)
		return "MAP(" + key + ", " + value + ")", ok1 && ok2
	case *duckdbdrv.StructDetails:
		fields := make([]string, len(d.Entries))
		for i, e := range d.Entries {
			typ, ok := sqlType(e.Info())
			if !ok {
				return "", false
			}
			fields[i] = sqlquote.Ident(e.Name()) + " " + typ
		}
		return "STRUCT(" + strings.Join(fields, ", ") + ")", true
	case *duckdbdrv.UnionDetails:
		members := make([]string, len(d.Members))
		for i, m := range d.Members {
			typ, ok := sqlType(m.Type)
			if !ok {
				return "", false
			}
			members[i] = sqlquote.Ident(m.Name) + " " + typ
		}
		return "UNION(" + strings.Join(members, ", ") + ")", true
	}
	return "", false
}
