package lakesql

import (
	"strings"

	"github.com/ctlake/ctlake/internal/sqlquote"
)

// refusedWords are keywords that begin statements other than a query, or
// DuckDB query forms that Trino does not have (DESCRIBE, SHOW, SUMMARIZE,
// PIVOT, FROM-first), or clauses that write (INTO, RETURNING). DuckDB accepts
// some of them inside a subquery ("SELECT * FROM (DESCRIBE t)"), so they are
// refused wherever they appear unquoted, not only at the start. Most are
// reserved words in Trino and cannot be names there; a name that is one of
// the others can still be written quoted ("load").
var refusedWords = setOf(
	"alter", "attach", "call", "checkpoint", "copy", "create", "deallocate", "delete", "describe", "detach",
	"drop", "execute", "explain", "export", "grant", "import", "insert", "install", "into", "load", "merge",
	"pivot", "pivot_longer", "pivot_wider", "pragma", "prepare", "returning", "revoke", "show", "summarize",
	"table", "truncate", "unpivot", "update", "vacuum",
)

// refusedFirstWords begin DuckDB statements; they may not be the first word
// of a parenthesised group either, where they would read as a statement of
// their own. (FROM, which begins DuckDB's FROM-first queries, is refused
// there too.) Words that are plausible column names (start, use, comment)
// are not in the list: DuckDB cannot run those statements inside a query.
var refusedFirstWords = setOf("abort", "analyze", "begin", "commit", "reset", "rollback", "set")

// blockedFuncs are DuckDB functions that read files, reach the network,
// expose the server's settings, environment or catalog, change the state of
// the database or of the process, or execute SQL of their own. A call of any
// of them, or of a function whose name has a prefix of blockedPrefixes, is
// refused wherever it appears. TestDuckDBFunctions checks that every
// function of the linked DuckDB is either here or reviewed as harmless in
// testdata/duckdb_functions.txt.
var blockedFuncs = setOf(
	// files and formats
	"glob", "sniff_csv", "read_text", "read_blob", "read_csv", "read_csv_auto", "read_json", "read_json_auto",
	"read_json_objects", "read_json_objects_auto", "read_ndjson", "read_ndjson_auto", "read_ndjson_objects",
	"read_parquet", "parquet_scan", "read_duckdb", "delta_scan", "iceberg_scan", "st_read", "st_read_meta",
	"st_readosm", "st_drivers", "st_write",
	// other databases and the network
	"sqlite_scan", "sqlite_attach", "postgres_scan", "postgres_attach", "postgres_query", "postgres_execute",
	"mysql_scan", "mysql_query", "mysql_execute", "http_get", "http_post", "http_head", "load_aws_credentials",
	"prompt", "open_prompt",
	// SQL inside SQL
	"query", "query_table", "json_execute_serialized_sql", "json_serialize_sql", "json_deserialize_sql",
	"json_serialize_plan", "sql_auto_complete", "check_peg_parser",
	// settings, environment, secrets, catalog; tables named by a string
	// (histogram_values is a table macro over query_table; format_type and
	// get_block_size are macros over duckdb_types and pragma_database_size)
	"current_setting", "getenv", "getvariable", "which_secret", "current_database", "current_catalog",
	"current_schema", "current_schemas", "current_query", "in_search_path", "seq_scan", "summary",
	"histogram_values", "format_type", "get_block_size",
	// state of the database or the process
	"checkpoint", "force_checkpoint", "write_log", "truncate_duckdb_logs", "sleep_ms", "pg_sleep",
	"copy_database", "import_database", "export_database", "install_extension", "load_extension",
	"start_ui", "start_ui_server", "stop_ui_server", "get_ui_url", "ui_is_started",
	"dbgen", "dsdgen", "tpch", "tpcds", "tpch_queries", "tpcds_queries", "tpch_answers", "tpcds_answers",
	"setseed", "nextval", "currval",
)

// blockedPrefixes are name prefixes of families of such functions: the
// readers of files (read_*, parquet_*), the catalog and settings (duckdb_*,
// pragma_*, pg_*), the scanners of other systems, the switches of logging
// and profiling (enable_*, disable_*), and Arrow scans of raw pointers.
var blockedPrefixes = []string{
	"read_", "parquet_", "duckdb_", "pragma_", "pg_", "sqlite_", "postgres_", "mysql_", "odbc_", "iceberg_",
	"delta_", "ducklake_", "md_", "azure_", "httpfs", "arrow_", "enable_", "disable_",
}

// isBlocked reports whether name (lower case) is a blocked function.
func isBlocked(name string) bool {
	if blockedFuncs[name] {
		return true
	}
	for _, p := range blockedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// fromArgFuncs are the functions whose argument lists take a FROM that is
// not a table: EXTRACT(field FROM x), SUBSTRING(x FROM i FOR n),
// TRIM(BOTH c FROM x).
var fromArgFuncs = setOf("extract", "substring", "trim")

// reservedCTEPrefixes and reservedCTENames are prefixes and names that a
// name defined by WITH may not have, lest it be taken for, or shadow, a
// table of the engine or of DuckDB's catalog.
var (
	reservedCTEPrefixes = []string{"eds_", "duckdb_", "pg_", "sqlite_", "pragma_"}
	reservedCTENames    = setOf("information_schema", "pg_catalog", "main", "temp", "system", "memory")
)

// scope is the set of names defined by WITH that a table reference can see.
type scope struct {
	names  map[string]bool
	parent *scope
}

func (s *scope) has(name string) bool {
	for ; s != nil; s = s.parent {
		if s.names[name] {
			return true
		}
	}
	return false
}

// checker walks the tree of a statement and enforces the safety rules:
//
//   - the statement is a query: it starts with SELECT, WITH or "(";
//   - every table position (after FROM, after JOIN, after a comma of a FROM
//     list, first in a parenthesised join) holds an event data store id, a
//     name defined by a WITH that is in scope there, a parenthesised query or
//     join, or UNNEST(...); never a string literal (DuckDB would read a file
//     of that name), a table function, a qualified name or any other name;
//   - an event data store id appears nowhere else;
//   - no refused keyword appears, and no blocked function is called.
//
// It records the store ids in the order it meets them and replaces a quoted
// store id by a store token.
type checker struct {
	sql    string
	stores []string
}

func (c *checker) statement(seq []*node) error {
	if !startsQuery(seq) {
		return c.errorf(seq[0], "only SELECT statements are supported; the statement starts with %s", describe(seq[0]))
	}
	if err := c.walk(seq, nil, "", false); err != nil {
		return err
	}
	if len(c.stores) == 0 {
		return invalid("the statement reads no event data store: name one after FROM")
	}
	return nil
}

// startsQuery reports whether seq begins as a query does: SELECT, WITH, or a
// parenthesised group that itself begins a query.
func startsQuery(seq []*node) bool {
	first := at(seq, 0)
	switch {
	case first.kw("select") || first.kw("with"):
		return true
	case first.isParen():
		return startsQuery(first.kids)
	}
	return false
}

// walk checks seq, a statement or the content of a group. fn is the name of
// the function whose argument list seq is, if any; inFrom says that seq is
// already inside a FROM list (the content of a parenthesised join).
func (c *checker) walk(seq []*node, sc *scope, fn string, inFrom bool) error {
	return c.walkFrom(seq, 0, sc, fn, inFrom)
}

// walkFrom is walk from seq[i] on; the rules for the first word of a query
// apply only when i is 0.
func (c *checker) walkFrom(seq []*node, i int, sc *scope, fn string, inFrom bool) error {
	if first := at(seq, 0); i == 0 && first != nil && first.kind == kIdent {
		switch w := first.lower(); {
		case w == "with":
			var err error
			if sc, i, err = c.with(seq, sc); err != nil {
				return err
			}
		case w == "from":
			// DuckDB reads "(FROM t ...)" as a query; Trino has no such form.
			return c.errorf(first, "a query must start with SELECT, not FROM")
		case refusedFirstWords[w]:
			return c.errorf(first, "%s is not supported: only SELECT statements are (quote %s if it is a name)", strings.ToUpper(w), first.text)
		}
	}
	fromArgs := fromArgFuncs[fn] && !containsWord(seq, "select")
	for i < len(seq) {
		n := seq[i]
		next := at(seq, i+1)
		switch n.kind {
		case kStore:
			return c.errorf(n, "event data store id %s is only allowed after FROM or JOIN", n.text)
		case kGroup:
			if err := c.group(n, sc, callName(seq, i)); err != nil {
				return err
			}
		case kQuoted:
			if next.isParen() {
				if err := c.call(n, n.text); err != nil {
					return err
				}
			}
		case kOp:
			if n.is(",") && inFrom {
				j, err := c.tableRef(seq, i+1, sc, n)
				if err != nil {
					return err
				}
				i = j
				continue
			}
		case kIdent:
			w := n.lower()
			if refusedWords[w] {
				return c.errorf(n, "%s is not supported: only SELECT statements are (quote %s if it is a name)", strings.ToUpper(w), n.text)
			}
			switch w {
			case "with":
				// WITH begins a query only at the start of one; elsewhere it
				// is part of TIMESTAMP WITH TIME ZONE or WITH ORDINALITY.
				if !(next.kw("time") || next.kw("ordinality")) {
					return c.errorf(n, "WITH is only supported at the start of a query")
				}
			case "recursive":
				return c.errorf(n, "RECURSIVE is not supported")
			case "from", "join":
				if at(seq, i-1).kw("as") {
					// DuckDB takes any keyword as a column alias; Trino
					// does not, and reading it as a clause would be wrong.
					return c.errorf(n, "%s is a reserved word and cannot be a name after AS: quote it (%s) to use it as one",
						strings.ToUpper(w), sqlquote.Ident(n.text))
				}
				if w == "from" && (isDistinctFrom(seq, i) || fromArgs) {
					break
				}
				j, err := c.tableRef(seq, i+1, sc, n)
				if err != nil {
					return err
				}
				if w == "from" {
					inFrom = true
				}
				i = j
				continue
			case "where", "group", "having", "order", "limit", "offset", "union", "intersect", "except",
				"window", "qualify", "fetch", "select":
				// These end a FROM list, unless the word is a name after
				// AS (DuckDB takes any keyword as a column alias there).
				// VALUES is not among them: it cannot follow a FROM list
				// without one of these first, and it is a non-reserved word
				// that DuckDB takes as a table alias, with or without AS
				// ("FROM t AS values, range(10)"), after which the comma
				// still begins a table reference.
				if !at(seq, i-1).kw("as") {
					inFrom = false
				}
			default:
				if next.isParen() {
					if err := c.call(n, w); err != nil {
						return err
					}
				}
			}
		}
		i++
	}
	return nil
}

// group checks a group that is not in a table position. fn is the name of
// the function it is the argument list of, if any.
func (c *checker) group(g *node, sc *scope, fn string) error {
	return c.walk(g.kids, sc, fn, false)
}

// call checks a call of the function name (lower case for an unquoted name,
// as written for a quoted one).
func (c *checker) call(n *node, name string) error {
	for _, r := range name {
		if r >= 0x80 {
			return c.errorf(n, "function name %q is not supported", name)
		}
	}
	name = strings.ToLower(name)
	if isBlocked(name) {
		return c.errorf(n, "function %s is not supported: it can read files, reach the network or expose the server", name)
	}
	return nil
}

// with checks the WITH clause at the start of seq and returns the scope of
// the query that follows it and the index of that query's first node.
//
// A name defined by WITH is visible in the queries of the names defined
// after it and in the main query, never in its own definition: DuckDB
// resolves a name in its own definition against the catalog, so a self
// reference would reach a table of the server. WITH RECURSIVE is refused for
// the same reason.
func (c *checker) with(seq []*node, sc *scope) (*scope, int, error) {
	inner := &scope{names: map[string]bool{}, parent: sc}
	i := 1
	if n := at(seq, i); n.kw("recursive") {
		return nil, 0, c.errorf(n, "WITH RECURSIVE is not supported")
	}
	for {
		n := at(seq, i)
		if n == nil {
			return nil, 0, c.errorf(seq[len(seq)-1], "WITH needs a name and a query")
		}
		name, err := c.cteName(n)
		if err != nil {
			return nil, 0, err
		}
		i++
		if g := at(seq, i); g.isParen() { // column names
			for k, col := range g.kids {
				if k%2 == 1 && !col.is(",") || k%2 == 0 && col.kind != kIdent && col.kind != kQuoted {
					return nil, 0, c.errorf(col, "expected a column name in the column list of %s", n.text)
				}
			}
			i++
		}
		if !at(seq, i).kw("as") {
			return nil, 0, c.errorf(at(seq, i-1), "expected AS after the name %s in WITH", n.text)
		}
		i++
		if at(seq, i).kw("not") && at(seq, i+1).kw("materialized") {
			i += 2
		} else if at(seq, i).kw("materialized") {
			i++
		}
		body := at(seq, i)
		if !body.isParen() || !(startsQuery(body.kids) || at(body.kids, 0).kw("values")) {
			return nil, 0, c.errorf(at(seq, i-1), "expected a parenthesised SELECT after %s AS", n.text)
		}
		if err := c.walk(body.kids, inner, "", false); err != nil {
			return nil, 0, err
		}
		if inner.names[name] {
			return nil, 0, c.errorf(n, "the name %s is defined twice in WITH", n.text)
		}
		inner.names[name] = true
		i++
		if !at(seq, i).is(",") {
			break
		}
		i++
	}
	if !startsQuery(seq[i:]) {
		if i < len(seq) {
			return nil, 0, c.errorf(seq[i], "expected SELECT after the WITH clause, found %s", describe(seq[i]))
		}
		return nil, 0, c.errorf(seq[len(seq)-1], "expected SELECT after the WITH clause")
	}
	return inner, i, nil
}

// cteName checks a name defined by WITH and returns it in lower case. Such
// names are plain identifiers (letters, digits, underscores) without a
// reserved prefix: a quoted name such as "x.csv" would, if it ever reached
// DuckDB's catalog lookup, be read as a file.
func (c *checker) cteName(n *node) (string, error) {
	name, ok := n.name()
	if !ok || n.kind == kIdent && isKeyword(name) {
		return "", c.errorf(n, "expected a name after WITH, found %s", describe(n))
	}
	if !isPlainName(name) {
		return "", c.errorf(n, "the name %s defined by WITH must consist of letters, digits and underscores", sqlquote.Ident(n.text))
	}
	for _, p := range reservedCTEPrefixes {
		if strings.HasPrefix(name, p) {
			return "", c.errorf(n, "the name %s defined by WITH may not begin with %s", n.text, p)
		}
	}
	if reservedCTENames[name] {
		return "", c.errorf(n, "the name %s is reserved and cannot be defined by WITH", n.text)
	}
	return name, nil
}

// tableRef checks the table reference that starts at seq[i], after the
// node after (FROM, JOIN or a comma), and returns the index of the node
// that follows the reference's primary (its alias, if any, is walked as
// ordinary nodes).
func (c *checker) tableRef(seq []*node, i int, sc *scope, after *node) (int, error) {
	n := at(seq, i)
	if n.kw("lateral") {
		i++
		n = at(seq, i)
	}
	if n == nil {
		return 0, c.errorf(after, "expected an event data store id after %s", describe(after))
	}
	next := at(seq, i+1)
	if (n.kind == kStore || n.kind == kQuoted && isUUID(n.text)) && (next.is(".") || next.isParen()) {
		return 0, c.errorf(next, "%s after an event data store id is not supported", describe(next))
	}
	switch n.kind {
	case kStore:
		c.addStore(n.text)
		return i + 1, nil
	case kQuoted:
		if isUUID(n.text) {
			n.kind, n.text = kStore, strings.ToLower(n.text)
			c.addStore(n.text)
			return i + 1, nil
		}
		if strings.HasPrefix(strings.ToLower(n.text), "arn:") {
			return 0, c.errorf(n, "an event data store ARN is not supported after %s: use the event data store id, the last part of the ARN", describe(after))
		}
		name, _ := n.name()
		if !sc.has(name) || next.is(".") || next.isParen() {
			return 0, c.errorf(n, "%s is neither an event data store id nor a name defined by WITH", sqlquote.Ident(n.text))
		}
		return i + 1, nil
	case kIdent:
		w := n.lower()
		switch {
		case w == "unnest" && next.isParen():
			return i + 2, c.group(next, sc, w)
		case next.is("-") && next.pos == n.pos+len(n.text):
			return 0, c.errorf(n, "%s is not an event data store id: an id is a UUID such as 03543d1c-054c-4016-95ae-1f8faef24485", hyphenated(c.sql, n.pos))
		case next.is("."):
			return 0, c.errorf(n, "the qualified name %s.%s is not supported after %s: name an event data store id", n.text, describe(at(seq, i+2)), describe(after))
		case next.isParen():
			return 0, c.errorf(n, "the table function %s is not supported", n.text)
		case isKeyword(w) || !sc.has(w):
			return 0, c.errorf(n, "%s is neither an event data store id nor a name defined by WITH", n.text)
		}
		return i + 1, nil
	case kGroup:
		if n.open != '(' {
			break
		}
		return i + 1, c.tableGroup(n, sc)
	case kString:
		return 0, c.errorf(n, "a string literal after %s is not supported: name an event data store id", describe(after))
	case kNumber:
		return 0, c.errorf(n, "%s is not an event data store id: an id is a UUID such as 03543d1c-054c-4016-95ae-1f8faef24485", hyphenated(c.sql, n.pos))
	}
	return 0, c.errorf(n, "expected an event data store id after %s, found %s", describe(after), describe(n))
}

// tableGroup checks a parenthesised group in a table position: a query, or
// a parenthesised join whose first element is itself a table reference.
func (c *checker) tableGroup(g *node, sc *scope) error {
	first := at(g.kids, 0)
	switch {
	case first == nil:
		return c.errorf(g, "empty parentheses after FROM")
	case first.kw("select") || first.kw("with") || first.kw("values"):
		return c.walk(g.kids, sc, "", false)
	}
	j, err := c.tableRef(g.kids, 0, sc, g)
	if err != nil {
		return err
	}
	return c.walkFrom(g.kids, j, sc, "", true)
}

func (c *checker) addStore(id string) {
	for _, s := range c.stores {
		if s == id {
			return
		}
	}
	c.stores = append(c.stores, id)
}

func (c *checker) errorf(n *node, format string, args ...any) error {
	pos := -1
	if n != nil {
		pos = n.pos
	}
	return errorAt(c.sql, pos, format, args...)
}

// isDistinctFrom reports whether the FROM at seq[i] ends IS [NOT] DISTINCT FROM.
func isDistinctFrom(seq []*node, i int) bool {
	if !at(seq, i-1).kw("distinct") {
		return false
	}
	return at(seq, i-2).kw("is") || at(seq, i-2).kw("not") && at(seq, i-3).kw("is")
}

// callName returns the lower-case name of the function that seq[i], a
// group, is the argument list of, or "".
func callName(seq []*node, i int) string {
	if !seq[i].isParen() {
		return ""
	}
	if p := at(seq, i-1); p != nil && p.kind == kIdent {
		return p.lower()
	}
	return ""
}

// containsWord reports whether the unquoted word w appears at the top level of seq.
func containsWord(seq []*node, w string) bool {
	for _, n := range seq {
		if n.kw(w) {
			return true
		}
	}
	return false
}

// hyphenated returns the hyphenated word that starts at sql[pos], for
// messages about ids that are not UUIDs.
func hyphenated(sql string, pos int) string {
	end := pos
	for end < len(sql) && (isIdentPart(sql[end]) || sql[end] == '-') && end-pos < 64 {
		end++
	}
	return sql[pos:end]
}

// describe names a node in a message.
func describe(n *node) string {
	switch {
	case n == nil:
		return "the end of the statement"
	case n.kind == kGroup:
		return string(n.open)
	case n.kind == kString:
		if len(n.text) > 40 {
			return sqlquote.String(n.text[:40] + "...")
		}
		return sqlquote.String(n.text)
	case n.kind == kQuoted:
		return sqlquote.Ident(n.text)
	case n.kind == kIdent && isKeyword(n.lower()):
		return strings.ToUpper(n.text)
	}
	return n.text
}

// isPlainName reports whether s is a non-empty run of ASCII letters,
// digits and underscores that does not start with a digit.
func isPlainName(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentPart(s[i]) {
			return false
		}
	}
	return true
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
