package lakesql

import "strconv"

// keywords are the reserved words of Trino, with the clause words of
// DuckDB, that cannot be a name without quotes. A keyword is never taken
// for an implicit alias, a table name or a name defined by WITH.
var keywords = setOf(
	"all", "alter", "and", "any", "array", "as", "asc", "between", "by", "case", "cast", "constraint", "create",
	"cross", "cube", "current_catalog", "current_date", "current_path", "current_role", "current_schema",
	"current_time", "current_timestamp", "current_user", "deallocate", "delete", "desc", "describe", "distinct",
	"drop", "else", "end", "escape", "except", "execute", "exists", "extract", "false", "fetch", "for", "from",
	"full", "group", "grouping", "having", "in", "inner", "insert", "intersect", "interval", "into", "is", "join",
	"json_array", "json_exists", "json_object", "json_query", "json_table", "json_value", "lateral", "left",
	"like", "limit", "listagg", "localtime", "localtimestamp", "natural", "normalize", "not", "null", "offset",
	"on", "or", "order", "outer", "over", "prepare", "qualify", "recursive", "right", "rollup", "select", "skip",
	"some", "table", "then", "trim", "true", "uescape", "union", "unnest", "using", "values", "when", "where",
	"window", "with",
)

// callKeywords are keywords written like a function call, without a space
// before the parenthesis.
var callKeywords = setOf("cast", "extract", "trim", "unnest", "grouping", "exists", "array", "listagg",
	"json_array", "json_exists", "json_object", "json_query", "json_value", "normalize")

func isKeyword(w string) bool { return keywords[w] }

// labelOutput gives every expression of the outermost SELECT list the
// column label that CloudTrail Lake reports for it (spec §6.4) as an
// explicit quoted alias, so that DuckDB's result columns carry that label:
//
//   - a plain column keeps its spelling: eventName AS "eventName";
//   - a field reference keeps its last component as written:
//     userIdentity.principalid AS "principalid";
//   - an alias keeps its spelling: COUNT(*) AS apiCount becomes AS "apiCount";
//   - any other expression is _col0, _col1, ... by its position;
//   - * and t.* are left alone (DuckDB names their columns as the schema
//     does, in lower case).
//
// For a set operation, the first SELECT names the columns, in Trino as in
// DuckDB. It returns the rewritten sequence.
func labelOutput(seq []*node) []*node {
	i := skipWith(seq)
	first := at(seq, i)
	switch {
	case first.isParen():
		first.kids = labelOutput(first.kids)
		return seq
	case !first.kw("select"):
		return seq
	}
	start := i + 1
	if at(seq, start).kw("distinct") || at(seq, start).kw("all") {
		start++
	}
	end := start
	for end < len(seq) && !endsSelectList(seq, end) {
		end++
	}
	items := splitCommas(seq[start:end])
	for k, it := range items {
		items[k] = label(it, k)
	}
	out := append([]*node{}, seq[:start]...)
	out = append(out, joinCommas(items)...)
	return append(out, seq[end:]...)
}

// skipWith returns the index of the first node after a WITH clause at the
// start of seq (0 if there is none). The checker has validated the clause.
func skipWith(seq []*node) int {
	if !at(seq, 0).kw("with") {
		return 0
	}
	for i := 1; i < len(seq); i++ {
		// The clause is name [(columns)] AS [[NOT] MATERIALIZED] (query),
		// ...: it ends after a parenthesised query not followed by a comma.
		if seq[i].isParen() && at(seq, i-1).kw("as") || seq[i].isParen() && at(seq, i-1).kw("materialized") {
			if !at(seq, i+1).is(",") {
				return i + 1
			}
		}
	}
	return len(seq)
}

// endsSelectList reports whether seq[i] is the first node after a SELECT list.
func endsSelectList(seq []*node, i int) bool {
	n := seq[i]
	if n.kind != kIdent {
		return false
	}
	switch n.lower() {
	case "from":
		return !isDistinctFrom(seq, i)
	case "where", "group", "having", "order", "limit", "offset", "union", "intersect", "except", "window",
		"qualify", "fetch":
		return true
	}
	return false
}

// label returns the select item it, the k-th of the list, with its label as
// an explicit alias.
func label(it []*node, k int) []*node {
	if len(it) == 0 || it[0].is("*") {
		return it
	}
	for i, n := range it {
		if n.is("*") && at(it, i-1).is(".") {
			return it // t.*, t.* EXCLUDE (...)
		}
	}
	last := it[len(it)-1]
	isName := last.kind == kQuoted || last.kind == kIdent && !isKeyword(last.lower())
	switch {
	case isName && len(it) >= 3 && it[len(it)-2].kw("as"):
		return append(it[:len(it)-1:len(it)-1], quotedName(last))
	case isName && len(it) >= 2 && endsExpr(it[len(it)-2]) &&
		!(it[len(it)-2].kind == kString && at(it, len(it)-3).kw("interval")):
		return append(it[:len(it)-1:len(it)-1], ident("AS"), quotedName(last))
	case isName && (len(it) == 1 || it[len(it)-2].is(".")):
		return append(it[:len(it):len(it)], ident("AS"), quotedName(last))
	}
	return append(it[:len(it):len(it)], ident("AS"), &node{token: token{kind: kQuoted, text: "_col" + strconv.Itoa(k), pos: -1}})
}

// quotedName returns the name n (an identifier, quoted or not) as a quoted
// identifier spelled as the statement spelled it.
func quotedName(n *node) *node {
	return &node{token: token{kind: kQuoted, text: n.text, pos: n.pos}}
}

// endsExpr reports whether an expression can end with n, so that a name
// after it is an alias.
func endsExpr(n *node) bool {
	switch n.kind {
	case kQuoted, kString, kNumber, kGroup, kStore:
		return true
	case kIdent:
		w := n.lower()
		return !isKeyword(w) || w == "end" || w == "null" || w == "true" || w == "false" ||
			w == "current_date" || w == "current_timestamp" || w == "current_time" ||
			w == "localtime" || w == "localtimestamp"
	}
	return false
}
