// Package serializedsql reads the syntax trees that DuckDB's
// json_serialize_sql writes. They are JSON but for one thing: a constant
// double that is not finite (SELECT 1e1000, which overflows to infinity)
// is written as a bare Infinity, -Infinity or NaN, which no JSON decoder
// takes. Both the query engine's sandbox check and the SQL front end's
// fuzz oracle read these trees.
package serializedsql

import (
	"encoding/json"
	"strings"
)

// Decode decodes a tree, reading a bare Infinity, -Infinity or NaN as the
// string of that name.
func Decode(text string) (map[string]any, error) {
	var v map[string]any
	if err := json.Unmarshal([]byte(quoteNonFinite(text)), &v); err != nil {
		return nil, err
	}
	return v, nil
}

// quoteNonFinite quotes the bare non-finite numbers of text, leaving the
// inside of strings alone.
func quoteNonFinite(text string) string {
	if !strings.Contains(text, "Infinity") && !strings.Contains(text, "NaN") {
		return text
	}
	var b strings.Builder
	inString, escaped := false, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			b.WriteByte(c)
			continue
		}
		if c == '"' {
			inString = true
			b.WriteByte(c)
			continue
		}
		matched := false
		for _, word := range []string{"-Infinity", "Infinity", "NaN"} {
			if strings.HasPrefix(text[i:], word) {
				b.WriteString(`"` + word + `"`)
				i += len(word) - 1
				matched = true
				break
			}
		}
		if !matched {
			b.WriteByte(c)
		}
	}
	return b.String()
}
