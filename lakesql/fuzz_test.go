package lakesql

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/internal/serializedsql"
)

// mustBlock are the functions the brief names as reaching files, the
// network or the environment. The invariant checks use this list as well as
// isBlocked, so that shrinking blockedFuncs by mistake fails the tests.
var mustBlock = setOf("read_csv", "read_csv_auto", "read_json", "read_json_auto", "read_ndjson", "read_ndjson_auto",
	"read_ndjson_objects", "read_json_objects", "read_parquet", "parquet_scan", "parquet_metadata", "parquet_schema",
	"read_text", "read_blob", "glob", "sniff_csv", "iceberg_scan", "delta_scan", "sqlite_scan", "postgres_scan",
	"duckdb_settings", "duckdb_extensions", "duckdb_tables", "duckdb_views", "duckdb_secrets", "pragma_table_info",
	"getenv", "current_setting", "query", "query_table", "json_execute_serialized_sql", "which_secret", "read_duckdb",
	"histogram_values", "format_type", "get_block_size")

// checkAccepted checks the invariants of a statement that Translate
// accepted, by reading its SQL back with the package's own lexer.
func checkAccepted(st *Statement) error {
	if len(st.Stores) == 0 {
		return errors.New("no stores")
	}
	tables := map[string]bool{}
	for _, s := range st.Stores {
		if !isUUID(s) || s != strings.ToLower(s) {
			return fmt.Errorf("store %q is not a lower-case UUID", s)
		}
		tables[TableName(s)] = true
	}
	toks, err := lex(st.SQL, lexStatement)
	if err != nil {
		return fmt.Errorf("the output does not lex: %v", err)
	}
	if len(toks) == 0 {
		return errors.New("empty output")
	}
	first := toks[0]
	if !(first.kind == kIdent && (strings.EqualFold(first.text, "select") || strings.EqualFold(first.text, "with")) ||
		first.kind == kOp && first.text == "(") {
		return fmt.Errorf("the output starts with %q", first.text)
	}
	// calls is the stack of the names of the functions whose argument
	// lists are open ("" for other parentheses and brackets).
	var calls []string
	for i, t := range toks {
		var next, prev, prev2 token
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		if i > 0 {
			prev = toks[i-1]
		}
		if i > 1 {
			prev2 = toks[i-2]
		}
		lower := strings.ToLower(t.text)
		switch t.kind {
		case kOp:
			switch t.text {
			case ";":
				return errors.New("the output has a semicolon")
			case "(", "[":
				name := ""
				if prev.kind == kIdent {
					name = strings.ToLower(prev.text)
				}
				calls = append(calls, name)
			case ")", "]":
				if len(calls) > 0 {
					calls = calls[:len(calls)-1]
				}
			}
		case kStore:
			return fmt.Errorf("the output has a store id %s", t.text)
		case kIdent, kQuoted:
			if next.kind == kOp && next.text == "(" && (isBlocked(lower) || mustBlock[lower]) {
				return fmt.Errorf("the output calls %s", t.text)
			}
			if t.kind == kIdent && refusedWords[lower] {
				return fmt.Errorf("the output has the keyword %s", t.text)
			}
			if t.kind == kIdent && strings.HasPrefix(lower, "eds_") && !tables[lower] {
				return fmt.Errorf("the output names %s, not a table of %q", t.text, st.Stores)
			}
			inFromArgs := len(calls) > 0 && fromArgFuncs[calls[len(calls)-1]]
			distinct := strings.EqualFold(prev.text, "distinct") && (strings.EqualFold(prev2.text, "is") || strings.EqualFold(prev2.text, "not"))
			if t.kind == kIdent && (lower == "join" || lower == "from" && !inFromArgs && !distinct) && next.kind == kString {
				return fmt.Errorf("the output reads the string %q as a table", next.text)
			}
		}
	}
	return nil
}

var (
	parserOnce sync.Once
	parserDB   *sql.DB
	parserErr  error
)

// parseDuckDB parses sql with DuckDB's own parser (json_serialize_sql runs
// nothing) and returns the statement trees, or nil if DuckDB cannot parse
// it.
func parseDuckDB(q string) ([]any, error) {
	parserOnce.Do(func() {
		parserDB, parserErr = sql.Open("duckdb", "")
	})
	if parserErr != nil {
		return nil, parserErr
	}
	var raw string
	if err := parserDB.QueryRow("SELECT CAST(json_serialize_sql(CAST(? AS VARCHAR)) AS VARCHAR)", q).Scan(&raw); err != nil {
		return nil, err
	}
	tree, err := serializedsql.Decode(raw)
	if err != nil {
		return nil, err
	}
	if failed, _ := tree["error"].(bool); failed {
		return nil, nil
	}
	statements, _ := tree["statements"].([]any)
	return statements, nil
}

// checkDuckDBParse checks an accepted statement as DuckDB reads it: one
// SELECT (json_serialize_sql serializes nothing else), whose base tables are
// the stores' views or names defined by WITH, whose only table function is
// UNNEST, and which calls no blocked function. A statement DuckDB cannot
// parse passes: it fails when it runs.
func checkDuckDBParse(st *Statement) error {
	stmts, err := parseDuckDB(st.SQL)
	if err != nil {
		return err
	}
	if stmts == nil {
		return nil
	}
	if len(stmts) != 1 {
		return fmt.Errorf("DuckDB reads %d statements", len(stmts))
	}
	allowed := map[string]bool{}
	for _, s := range st.Stores {
		allowed[TableName(s)] = true
	}
	collectCTEs(stmts[0], allowed)
	return walkJSON(stmts[0], func(m map[string]any) error {
		typ, _ := m["type"].(string)
		switch {
		case typ == "BASE_TABLE":
			name, _ := m["table_name"].(string)
			if m["schema_name"] != "" || m["catalog_name"] != "" || !allowed[strings.ToLower(name)] {
				return fmt.Errorf("DuckDB reads the table %v.%v.%v", m["catalog_name"], m["schema_name"], name)
			}
		case typ == "TABLE_FUNCTION":
			f, _ := m["function"].(map[string]any)
			if name, _ := f["function_name"].(string); !strings.EqualFold(name, "unnest") {
				return fmt.Errorf("DuckDB calls the table function %s", name)
			}
		case m["class"] == "FUNCTION":
			name, _ := m["function_name"].(string)
			if isBlocked(strings.ToLower(name)) || mustBlock[strings.ToLower(name)] {
				return fmt.Errorf("DuckDB calls %s", name)
			}
		}
		return nil
	})
}

func collectCTEs(v any, names map[string]bool) {
	walkJSON(v, func(m map[string]any) error {
		if cm, ok := m["cte_map"].(map[string]any); ok {
			entries, _ := cm["map"].([]any)
			for _, e := range entries {
				if em, ok := e.(map[string]any); ok {
					if k, ok := em["key"].(string); ok {
						names[strings.ToLower(k)] = true
					}
				}
			}
		}
		return nil
	})
}

func walkJSON(v any, f func(map[string]any) error) error {
	switch v := v.(type) {
	case map[string]any:
		if err := f(v); err != nil {
			return err
		}
		for _, c := range v {
			if err := walkJSON(c, f); err != nil {
				return err
			}
		}
	case []any:
		for _, c := range v {
			if err := walkJSON(c, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// corpusSeeds returns the statements of the test corpora.
func corpusSeeds(t testing.TB) []string {
	var seeds []string
	for _, e := range append(awsExamples(t), readCorpus(t, "testdata/refused.sql")...) {
		seeds = append(seeds, e.SQL)
	}
	return append(seeds,
		toIDs.Replace(`SELECT element_at(requestParameters, 'k'), day_of_week(eventTime) d FROM {A} a JOIN {B} b ON a.x = b.x`),
		toIDs.Replace(`WITH x AS (SELECT * FROM {A}) SELECT count(*) FROM x WHERE eventTime > '2023-01-01' UNION SELECT 1 FROM {B}`),
		toIDs.Replace(`SELECT date_format(eventtime, '%Y') FROM {A} WHERE any_match(resources, r -> r.type = 'x')`),
		"SELECT * FROM "+storeA+" /* x */ -- y\n;",
	)
}

// TestAcceptedInvariants checks the invariants, with both oracles, on every
// statement of the corpora that Translate accepts.
func TestAcceptedInvariants(t *testing.T) {
	n := 0
	for _, q := range corpusSeeds(t) {
		st, err := Translate(q)
		if err != nil {
			continue
		}
		n++
		if err := checkAccepted(st); err != nil {
			t.Errorf("%s\n=> %s\n%v", q, st.SQL, err)
		}
		if err := checkDuckDBParse(st); err != nil {
			t.Errorf("%s\n=> %s\n%v", q, st.SQL, err)
		}
	}
	if n < 20 {
		t.Errorf("only %d accepted statements checked", n)
	}
}

// FuzzTranslate: Translate never panics; an error is always an
// InvalidQueryStatementException; whatever it accepts is one SELECT (or WITH
// or parenthesised) statement that calls no blocked function and reads
// only the stores it reports, as the package's lexer and DuckDB's parser
// both read it.
func FuzzTranslate(f *testing.F) {
	for _, s := range corpusSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		st, err := Translate(q)
		if err != nil {
			var ce *ctlake.Error
			if !errors.As(err, &ce) || ce.Code != ctlake.InvalidQueryStatementException || ce.Message == "" {
				t.Fatalf("%q: error %v", q, err)
			}
			return
		}
		if err := checkAccepted(st); err != nil {
			t.Fatalf("%q\n=> %s\n%v", q, st.SQL, err)
		}
		if err := checkDuckDBParse(st); err != nil {
			t.Fatalf("%q\n=> %s\n%v", q, st.SQL, err)
		}
	})
}

// TestOracles checks that the invariant checks catch what they are for,
// on SQL that Translate would never write.
func TestOracles(t *testing.T) {
	table := TableName(storeA)
	for _, q := range []string{
		"SELECT * FROM 'x.csv'",
		"SELECT * FROM \"x.csv\"",
		"SELECT read_text('/etc/passwd') FROM " + table,
		"SELECT * FROM " + table + ", read_csv('x')",
		"SELECT * FROM main." + table,
		"SELECT * FROM duckdb_settings()",
		"SELECT * FROM " + table + "; SELECT 1",
		"SELECT * FROM " + TableName(storeB),
		"WITH secret AS (SELECT 1) SELECT * FROM (SELECT * FROM duckdb_tables), secret",
	} {
		st := &Statement{SQL: q, Stores: []string{storeA}}
		if checkAccepted(st) == nil && checkDuckDBParse(st) == nil {
			t.Errorf("both oracles pass %s", q)
		}
		if err := checkDuckDBParse(st); err == nil {
			t.Errorf("DuckDB's parse passes %s", q)
		}
	}
}
