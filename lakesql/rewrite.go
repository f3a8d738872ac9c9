package lakesql

import (
	"fmt"
	"strings"

	"github.com/ctlake/ctlake/internal/sqlquote"
)

// renames are Trino functions whose DuckDB counterpart takes the same
// arguments with the same meaning under another name. Each pair was checked
// on DuckDB 1.5 (rewrite_test.go runs them).
var renames = map[string]string{
	"day_of_week":          "isodow", // Trino: Monday 1 .. Sunday 7; DuckDB's dayofweek is Sunday 0
	"dow":                  "isodow",
	"day_of_month":         "dayofmonth",
	"day_of_year":          "dayofyear",
	"doy":                  "dayofyear",
	"year_of_week":         "isoyear",
	"yow":                  "isoyear",
	"week_of_year":         "weekofyear",
	"regexp_like":          "regexp_matches", // both match anywhere in the string
	"regexp_split":         "regexp_split_to_array",
	"to_unixtime":          "epoch", // seconds as a DOUBLE in both
	"approx_percentile":    "approx_quantile",
	"contains":             "list_contains",
	"filter":               "list_filter",
	"transform":            "list_transform",
	"array_max":            "list_max",
	"array_min":            "list_min",
	"arrays_overlap":       "list_has_any",
	"sequence":             "generate_series", // both include the stop value
	"format":               "printf",          // Trino's format is printf-like; DuckDB's format is fmt-like
	"levenshtein_distance": "levenshtein",
	"hamming_distance":     "hamming",
	"codepoint":            "unicode",
	"last_day_of_month":    "last_day",
	"to_utf8":              "encode",
	"from_utf8":            "decode",
	"is_nan":               "isnan",
	"is_finite":            "isfinite",
	"is_infinite":          "isinf",
	"rand":                 "random",
	"truncate":             "trunc",
}

// rewriter is a rewrite of a call of a Trino function into DuckDB SQL. It
// returns the nodes that replace the call, or nil to keep the call as it is
// (an argument count it does not know: DuckDB then reports the error when
// the query runs).
type rewriter func(call *node, args [][]*node) ([]*node, error)

// rewrites are the Trino functions that need more than a new name.
var rewrites map[string]rewriter

func init() {
	rewrites = map[string]rewriter{
		// element_at on a MAP returns a list in DuckDB, and DuckDB has no
		// element_at for lists. A subscript does both as Trino's element_at
		// does: the value for a key (NULL if absent), the element at a
		// 1-based index, from the end for a negative one, NULL out of range.
		"element_at": fixed(2, "($0)[$1]"),
		// json_extract_scalar returns the value of a JSON scalar as text and
		// NULL for an object, an array or JSON null. json_value gives the
		// scalar (still JSON-quoted) or NULL; json_extract_string unquotes it.
		"json_extract_scalar": fixed(2, "json_extract_string(json_value($0, $1), '$')"),
		"json_parse":          fixed(1, "CAST($0 AS JSON)"),
		"json_format":         fixed(1, "CAST($0 AS VARCHAR)"),
		// Trino counts sub-second parts apart from seconds; DuckDB's
		// millisecond includes the seconds.
		"millisecond":            fixed(1, "(millisecond($0) % 1000)"),
		"from_unixtime":          fixed(1, "to_timestamp($0)"),
		"from_iso8601_timestamp": fixed(1, "CAST($0 AS TIMESTAMPTZ)"),
		"from_iso8601_date":      fixed(1, "CAST($0 AS DATE)"),
		"date_add":               dateAdd,
		// Trino's date_diff counts whole units elapsed (truncating toward
		// zero); DuckDB's date_diff counts unit boundaries crossed, and its
		// date_sub counts whole units, as Trino does.
		"date_diff":       fixed(3, "date_sub($0, $1, $2)"),
		"date_format":     formatCall("strftime", mysqlFormat),
		"date_parse":      formatCall("strptime", mysqlFormat),
		"format_datetime": formatCall("strftime", jodaFormat),
		"parse_datetime":  formatCall("strptime", jodaFormat),
		// regexp_extract returns NULL when nothing matches in Trino and ""
		// in DuckDB; the first element of regexp_extract_all is NULL then.
		"regexp_extract": func(_ *node, args [][]*node) ([]*node, error) {
			switch len(args) {
			case 2:
				return tmpl("(regexp_extract_all($0, $1))[1]", args...), nil
			case 3:
				return tmpl("(regexp_extract_all($0, $1, $2))[1]", args...), nil
			}
			return nil, nil
		},
		"regexp_replace": regexpReplace,
		"regexp_count":   fixed(2, "len(regexp_extract_all($0, $1))"),
		"replace":        fixed(2, "replace($0, $1, '')"),
		"cardinality":    cardinality,
		// Trino's array_join skips NULL elements, so an array of NULLs
		// joins to ""; DuckDB's array_to_string answers NULL for it.
		"array_join": fixed(2, "(CASE WHEN ($0) IS NULL THEN NULL ELSE coalesce(array_to_string($0, $1), '') END)"),
		// approx_distinct is answered exactly: an exact count is within any
		// error bound, and Trino's HyperLogLog is exact at the sizes where
		// DuckDB's already errs by several percent.
		"approx_distinct": func(_ *node, args [][]*node) ([]*node, error) {
			if len(args) == 1 || len(args) == 2 { // Trino's optional maximum standard error needs no counterpart
				return tmpl("count(DISTINCT $0)", args[0]), nil
			}
			return nil, nil
		},
		// Trino's lambda predicates over arrays. list_filter drops the
		// elements for which the predicate is false or NULL; a NULL array
		// gives NULL.
		"any_match":  fixed(2, "(len(list_filter($0, $1)) > 0)"),
		"none_match": fixed(2, "(len(list_filter($0, $1)) = 0)"),
		"all_match":  allMatch,
		"reduce":     fixed(4, "(list_transform([list_reduce($0, $2, $1)], $3))[1]"),
		// url_extract_*: RFC 3986 parts by regular expression; NULL where
		// the part is absent, as in Trino.
		"url_extract_protocol": fixed(1, `(regexp_extract_all($0, '^([A-Za-z][A-Za-z0-9+.-]*):', 1))[1]`),
		"url_extract_host":     fixed(1, `(regexp_extract_all($0, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?(\[[^\]]*\]|[^:/?#]*)', 1))[1]`),
		"url_extract_port":     fixed(1, `CAST((regexp_extract_all($0, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^:/?#]*):([0-9]+)', 1))[1] AS BIGINT)`),
		"url_extract_path":     fixed(1, `(regexp_extract_all($0, '^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1))[1]`),
		"url_extract_query":    fixed(1, `(regexp_extract_all($0, '^[^?#]*\?([^#]*)', 1))[1]`),
		"url_extract_fragment": fixed(1, `(regexp_extract_all($0, '#(.*)$', 1))[1]`),
	}
}

// fixed is a rewriter for calls with exactly n arguments.
func fixed(n int, template string) rewriter {
	return func(_ *node, args [][]*node) ([]*node, error) {
		if len(args) != n {
			return nil, nil
		}
		return tmpl(template, args...), nil
	}
}

// rewriteSeq rewrites the Trino calls and types of seq, depth first.
func rewriteSeq(sql string, seq []*node) ([]*node, error) {
	out := make([]*node, 0, len(seq))
	for i := 0; i < len(seq); i++ {
		n := seq[i]
		next := at(seq, i+1)
		switch {
		case n.kind == kIdent && next.isParen() && isCallPosition(at(seq, i-1)):
			name := n.lower()
			if name == "cast" || name == "try_cast" {
				g, err := rewriteCast(sql, n, next)
				if err != nil {
					return nil, err
				}
				out = append(out, g...)
				i++
				continue
			}
			kids, err := rewriteSeq(sql, next.kids)
			if err != nil {
				return nil, err
			}
			args := splitCommas(kids)
			if rw := rewrites[name]; rw != nil {
				repl, err := rw(n, args)
				if err != nil {
					return nil, errorAt(sql, n.pos, "%s: %v", n.text, err)
				}
				if repl != nil {
					out = append(out, repl...)
					i++
					continue
				}
			}
			if to, ok := renames[name]; ok {
				n = ident(to)
			}
			g := *next
			g.kids = kids
			out = append(out, n, &g)
			i++
		case n.kind == kGroup:
			kids, err := rewriteSeq(sql, n.kids)
			if err != nil {
				return nil, err
			}
			g := *n
			g.kids = kids
			out = append(out, &g)
		default:
			out = append(out, n)
		}
	}
	return out, nil
}

// isCallPosition reports whether a name followed by a parenthesis, after
// prev, is a function call. It is not after a dot (a method or qualified
// name), after a group (the FILTER (WHERE ...) of an aggregate), or after a
// store id, AS or another name (an alias with a column list: FROM t x(a, b)).
func isCallPosition(prev *node) bool {
	switch {
	case prev == nil:
		return true
	case prev.is("."), prev.kind == kGroup, prev.kind == kStore, prev.kind == kQuoted, prev.kw("as"):
		return false
	case prev.kind == kIdent:
		w := prev.lower()
		return isKeyword(w) || w == "zone" // AT TIME ZONE f(x)
	}
	return true
}

// rewriteCast rewrites the argument group of CAST or TRY_CAST: the Trino
// type names that DuckDB spells differently, and a JSON value cast to
// VARCHAR, which Trino turns into the text of a JSON string (unquoted) and
// DuckDB into JSON text (quoted). It returns the nodes that replace the
// keyword and the group.
func rewriteCast(sql string, kw, g *node) ([]*node, error) {
	k := -1
	for i, n := range g.kids {
		if n.kw("as") {
			k = i
		}
	}
	if k < 0 {
		kids, err := rewriteSeq(sql, g.kids)
		if err != nil {
			return nil, err
		}
		return []*node{kw, paren(kids...)}, nil
	}
	operand, typ := g.kids[:k], g.kids[k+1:]
	rop, err := rewriteSeq(sql, operand)
	if err != nil {
		return nil, err
	}
	if isVarcharType(typ) && len(operand) == 2 && operand[1].isParen() &&
		(operand[0].kw("json_extract") || operand[0].kw("json_parse")) {
		return tmpl("json_extract_string($0, '$')", rop), nil
	}
	kids := append(append(rop, g.kids[k]), rewriteType(typ)...)
	cg := *g
	cg.kids = kids
	return []*node{kw, &cg}, nil
}

// isVarcharType reports whether typ is VARCHAR or VARCHAR(n).
func isVarcharType(typ []*node) bool {
	return len(typ) >= 1 && typ[0].kw("varchar") && (len(typ) == 1 || len(typ) == 2 && typ[1].isParen())
}

// rewriteType rewrites a Trino type into DuckDB's spelling: array(T) is
// T[], row(name T, ...) is STRUCT(name T, ...), timestamp(p) [with time
// zone] loses its precision, varbinary is BLOB. map(K, V), varchar(n),
// decimal(p, s), json and the scalar names are spelled alike.
func rewriteType(typ []*node) []*node {
	if len(typ) == 0 {
		return typ
	}
	first, next := typ[0], at(typ, 1)
	switch {
	case first.kw("array") && next.isParen():
		return append(append(rewriteType(next.kids), bracket()), typ[2:]...)
	case (first.kw("map") || first.kw("row")) && next.isParen():
		var parts [][]*node
		for _, p := range splitCommas(next.kids) {
			if first.kw("row") && len(p) >= 2 {
				p = append([]*node{p[0]}, rewriteType(p[1:])...)
			} else {
				p = rewriteType(p)
			}
			parts = append(parts, p)
		}
		name := "MAP"
		if first.kw("row") {
			name = "STRUCT"
		}
		return append([]*node{ident(name), paren(joinCommas(parts)...)}, typ[2:]...)
	case (first.kw("timestamp") || first.kw("time")) && next.isParen():
		return append([]*node{first}, typ[2:]...)
	case first.kw("varbinary"):
		return append([]*node{ident("BLOB")}, typ[1:]...)
	}
	return typ
}

// dateAdd rewrites date_add(unit, n, x) as x + INTERVAL (n) unit. DuckDB
// adds months and years as Trino does, keeping the day where it exists and
// clamping it to the end of a shorter month.
func dateAdd(call *node, args [][]*node) ([]*node, error) {
	if len(args) != 3 {
		return nil, nil
	}
	unit, err := unitArg(args[0])
	if err != nil {
		return nil, err
	}
	return tmpl("($2 + INTERVAL ($1) "+unit+")", args...), nil
}

// units are the units of Trino's date_add and date_diff.
var units = setOf("millisecond", "second", "minute", "hour", "day", "week", "month", "quarter", "year")

// unitArg returns the upper-case unit of a unit argument, a string literal.
func unitArg(arg []*node) (string, error) {
	if len(arg) != 1 || arg[0].kind != kString {
		return "", errf("the unit must be a string literal such as 'day'")
	}
	u := strings.ToLower(arg[0].text)
	if !units[u] {
		return "", errf("unit %s is not supported", sqlquote.String(arg[0].text))
	}
	return strings.ToUpper(u), nil
}

// regexpReplace rewrites regexp_replace: Trino replaces every match and
// writes group references as $1, DuckDB replaces the first match unless
// given 'g' and writes them as \1.
func regexpReplace(call *node, args [][]*node) ([]*node, error) {
	switch len(args) {
	case 2:
		return tmpl("regexp_replace($0, $1, '', 'g')", args...), nil
	case 3:
		r := args[2]
		if len(r) == 1 && r[0].kind == kString {
			r = []*node{str(javaReplacement(r[0].text))}
		}
		return tmpl("regexp_replace($0, $1, $2, 'g')", args[0], args[1], r), nil
	}
	return nil, nil
}

// javaReplacement converts a Java regular expression replacement ($1 for a
// group, \$ for a dollar) into RE2's (\1, and a literal $).
func javaReplacement(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] == '\\' {
				b.WriteString(`\\`)
			} else {
				b.WriteByte(s[i])
			}
		case c == '$' && i+1 < len(s) && isDigit(s[i+1]):
			b.WriteByte('\\')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// mapColumns are the MAP columns of the Lake schema (spec §6.2).
var mapColumns = setOf("requestparameters", "responseelements", "additionaleventdata", "serviceeventdetails",
	"addendum", "edgedevicedetails", "insightdetails")

// mapFuncs are functions that return a MAP.
var mapFuncs = setOf("map", "map_from_entries", "map_concat", "map_filter", "histogram", "map_agg", "multimap_agg")

// cardinality rewrites cardinality(x): DuckDB's cardinality takes only a
// MAP and its len only a list. A front end without types decides by the
// argument's form: a MAP column of the Lake schema (or a path ending in
// webidfederationdata.attributes), a function that returns a MAP or a cast
// to MAP keeps cardinality; anything else is an array and gets len.
func cardinality(call *node, args [][]*node) ([]*node, error) {
	if len(args) != 1 {
		return nil, nil
	}
	if isMapExpr(args[0]) {
		return tmpl("cardinality($0)", args[0]), nil
	}
	return tmpl("len($0)", args[0]), nil
}

func isMapExpr(e []*node) bool {
	if len(e) == 0 {
		return false
	}
	last, _ := e[len(e)-1].name()
	switch {
	case len(e) == 2 && e[1].isParen() && e[0].kind == kIdent:
		f := e[0].lower()
		if mapFuncs[f] {
			return true
		}
		if f == "cast" || f == "try_cast" {
			for i, n := range e[1].kids {
				if n.kw("as") {
					return at(e[1].kids, i+1).kw("map")
				}
			}
		}
		return false
	case e[len(e)-1].kind == kIdent || e[len(e)-1].kind == kQuoted:
		if mapColumns[last] {
			return true
		}
		if last == "attributes" && len(e) >= 3 && e[len(e)-2].is(".") {
			prev, _ := e[len(e)-3].name()
			return prev == "webidfederationdata"
		}
	}
	return false
}

// allMatch rewrites all_match(a, x -> p) as "no element for which p is
// false". Unlike Trino it answers true, not NULL, when p is NULL for some
// elements and true for the others.
func allMatch(call *node, args [][]*node) ([]*node, error) {
	if len(args) != 2 {
		return nil, nil
	}
	for i, n := range args[1] {
		if n.is("->") {
			return tmpl("(len(list_filter($0, $1 -> NOT ($2))) = 0)", args[0], args[1][:i], args[1][i+1:]), nil
		}
	}
	return nil, errf("the second argument must be a lambda expression such as x -> x > 0")
}

// formatCall rewrites a call f(x, format) whose format is a string literal
// of another convention as to(x, converted format).
func formatCall(to string, convert func(string) (string, error)) rewriter {
	return func(call *node, args [][]*node) ([]*node, error) {
		if len(args) != 2 {
			return nil, nil
		}
		f := args[1]
		if len(f) != 1 || f[0].kind != kString {
			return nil, errf("the format must be a string literal")
		}
		conv, err := convert(f[0].text)
		if err != nil {
			return nil, err
		}
		return tmpl(to+"($0, $1)", args[0], []*node{str(conv)}), nil
	}
}

// mysqlSpecifiers maps the specifiers of Trino's date_format and date_parse
// (MySQL's) to DuckDB's strftime and strptime.
var mysqlSpecifiers = map[byte]string{
	'a': "%a", 'b': "%b", 'c': "%-m", 'd': "%d", 'e': "%-d", 'f': "%f", 'H': "%H", 'h': "%I",
	'I': "%I", 'i': "%M", 'j': "%j", 'k': "%-H", 'l': "%-I", 'M': "%B", 'm': "%m", 'p': "%p",
	'r': "%I:%M:%S %p", 'S': "%S", 's': "%S", 'T': "%H:%M:%S", 'v': "%V", 'W': "%A", 'w': "%w",
	'x': "%G", 'Y': "%Y", 'y': "%y", '%': "%%",
}

// mysqlFormat converts a MySQL date format into a strftime format.
func mysqlFormat(f string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		if i+1 == len(f) {
			return "", errf("the format %s ends with a lone %%", sqlquote.String(f))
		}
		i++
		s, ok := mysqlSpecifiers[f[i]]
		if !ok {
			return "", errf("the format specifier %%%c is not supported", f[i])
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// jodaPatterns maps runs of Joda-Time pattern letters (Trino's
// format_datetime and parse_datetime) to strftime.
var jodaPatterns = map[string]string{
	"yyyy": "%Y", "yy": "%y", "y": "%Y", "YYYY": "%Y", "xxxx": "%G",
	"MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%-m",
	"dd": "%d", "d": "%-d", "DDD": "%j",
	"HH": "%H", "H": "%-H", "hh": "%I", "h": "%-I",
	"mm": "%M", "m": "%-M", "ss": "%S", "s": "%-S",
	"SSS": "%g", "SSSSSS": "%f", "a": "%p",
	"EEEE": "%A", "EEE": "%a", "E": "%a", "ww": "%V", "e": "%u",
	"Z": "%z", "ZZ": "%z",
}

// jodaFormat converts a Joda-Time pattern into a strftime format.
func jodaFormat(f string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(f); {
		c := f[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(f[i+1:], '\'')
			if j < 0 {
				return "", errf("unterminated quote in the format %s", sqlquote.String(f))
			}
			if j == 0 {
				b.WriteByte('\'')
			}
			b.WriteString(strings.ReplaceAll(f[i+1:i+1+j], "%", "%%"))
			i += j + 2
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			j := i
			for j < len(f) && f[j] == c {
				j++
			}
			s, ok := jodaPatterns[f[i:j]]
			if !ok {
				return "", errf("the pattern %s is not supported", f[i:j])
			}
			b.WriteString(s)
			i = j
		case c == '%':
			b.WriteString("%%")
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// errf returns the message of a rewrite error; the caller adds the
// function's name and position.
func errf(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}
