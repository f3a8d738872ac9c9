package duckdb

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ctlake/ctlake/internal/sqlquote"
)

// ErrNotAllowed is the error, wrapped with the reason, of a statement the
// engine refuses to run: anything but one SELECT over the stores of the
// query. The front end refuses such statements first; this is the second
// wall.
var ErrNotAllowed = errors.New("statement not allowed")

// setting is one DuckDB configuration option the engine sets before it
// locks the configuration; value is SQL (a quoted string, a number, a
// list).
type setting struct{ name, value string }

// settings returns the configuration of the sandbox for cfg, in the order
// it is applied: enable_external_access goes after allowed_directories (a
// list set while access is still open) and lock_configuration last, after
// which no SET, RESET or PRAGMA can change any of them. The package
// documentation says why each one is there.
func settings(cfg Config) []setting {
	dirs := make([]string, len(cfg.AllowedDirs))
	for i, d := range cfg.AllowedDirs {
		dirs[i] = sqlquote.String(d)
	}
	return []setting{
		{"threads", strconv.Itoa(cfg.Threads)},
		{"memory_limit", sqlquote.String(cfg.MemoryLimit)},
		{"temp_directory", sqlquote.String(cfg.TempDir)},
		{"max_temp_directory_size", sqlquote.String(cfg.MaxTempDirSize)},
		{"TimeZone", sqlquote.String("UTC")},
		{"default_null_order", sqlquote.String("nulls_last")},
		// Trino divides integers by integers into an integer (7 / 2 = 3);
		// DuckDB would answer 3.5. CloudTrail Lake queries are Trino SQL.
		{"integer_division", "true"},
		{"autoinstall_known_extensions", "false"},
		{"autoload_known_extensions", "false"},
		{"allow_community_extensions", "false"},
		{"allow_persistent_secrets", "false"},
		{"allowed_directories", "[" + strings.Join(dirs, ", ") + "]"},
		{"enable_external_access", "false"},
		{"lock_configuration", "true"},
	}
}

// tableFunctions are the table functions a query may call: they make rows
// from their arguments alone and touch no file. unnest is how a query
// expands an array (Trino's CROSS JOIN UNNEST); range and generate_series
// are Trino's sequence. Every other table function (read_parquet,
// read_text, glob, query, duckdb_settings, ...) is refused.
var tableFunctions = map[string]bool{
	"unnest":          true,
	"range":           true,
	"generate_series": true,
}

// functions are the scalar functions a query may not call, though they
// touch no file: current_setting shows the configuration, data folder
// included, and write_log writes to DuckDB's log.
var functions = map[string]bool{
	"current_setting": true,
	"write_log":       true,
}

// identifier is the shape of a name a common table expression may have: a
// name that DuckDB could read as a file (a path, a name with an extension)
// never refers to a CTE by accident.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkTree checks the syntax tree of a statement, as DuckDB's
// json_serialize_sql gives it, against the rules of the sandbox: exactly
// one statement, a SELECT (json_serialize_sql serializes nothing else),
// whose every table is one of tables (the store views of the query, in
// lower case) or a common table expression of the statement, with no
// catalog or schema, whose every table function is in tableFunctions and
// which calls none of functions.
// A name in FROM that is neither would otherwise reach DuckDB's replacement
// scans, which read any file of an allowed folder ("FROM
// '<segments>/<other store>/...parquet'"); DESCRIBE and SUMMARIZE, which do
// the same, are refused.
func checkTree(tree map[string]any, tables map[string]bool) error {
	if failed, _ := tree["error"].(bool); failed {
		msg, _ := tree["error_message"].(string)
		if strings.HasPrefix(msg, "Only SELECT statements") {
			return fmt.Errorf("%w: only a SELECT statement may run", ErrNotAllowed)
		}
		if kind, _ := tree["error_type"].(string); kind != "" {
			return fmt.Errorf("%s error: %s", kind, msg)
		}
		return errors.New(msg)
	}
	statements, _ := tree["statements"].([]any)
	if len(statements) != 1 {
		return fmt.Errorf("%w: %d statements, not one", ErrNotAllowed, len(statements))
	}
	names := make(map[string]bool, len(tables))
	for t := range tables {
		names[t] = true
	}
	// Common table expressions, wherever they are declared: a name
	// declared in one scope and used in another is, at worst, a table that
	// does not exist.
	err := walk(statements, func(node map[string]any) error {
		ctes, _ := node["cte_map"].(map[string]any)
		entries, _ := ctes["map"].([]any)
		for _, e := range entries {
			entry, _ := e.(map[string]any)
			name, _ := entry["key"].(string)
			if !identifier.MatchString(name) {
				return fmt.Errorf("%w: common table expression name %q", ErrNotAllowed, name)
			}
			names[strings.ToLower(name)] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	return walk(statements, func(node map[string]any) error {
		switch kind, _ := node["type"].(string); kind {
		case "BASE_TABLE":
			catalog, _ := node["catalog_name"].(string)
			schema, _ := node["schema_name"].(string)
			name, _ := node["table_name"].(string)
			if catalog != "" || schema != "" {
				return fmt.Errorf("%w: qualified table name %q", ErrNotAllowed, strings.Join([]string{catalog, schema, name}, "."))
			}
			if !names[strings.ToLower(name)] {
				return fmt.Errorf("%w: table %q is not an event data store of this query", ErrNotAllowed, name)
			}
		case "TABLE_FUNCTION":
			fn, _ := node["function"].(map[string]any)
			name, _ := fn["function_name"].(string)
			catalog, _ := fn["catalog"].(string)
			schema, _ := fn["schema"].(string)
			if catalog != "" || schema != "" || !tableFunctions[strings.ToLower(name)] {
				return fmt.Errorf("%w: table function %s", ErrNotAllowed, name)
			}
		case "FUNCTION":
			if class, _ := node["class"].(string); class == "FUNCTION" {
				if name, _ := node["function_name"].(string); functions[strings.ToLower(name)] {
					return fmt.Errorf("%w: function %s", ErrNotAllowed, name)
				}
			}
		case "SHOW_REF":
			return fmt.Errorf("%w: DESCRIBE, SHOW and SUMMARIZE", ErrNotAllowed)
		case "COLUMN_DATA", "DELIM_GET", "BOUND_TABLE_REF":
			return fmt.Errorf("%w: table reference %s", ErrNotAllowed, kind)
		}
		return nil
	})
}

// walk calls fn on every JSON object in v, depth first, and stops at the
// first error.
func walk(v any, fn func(map[string]any) error) error {
	switch x := v.(type) {
	case map[string]any:
		if err := fn(x); err != nil {
			return err
		}
		for _, child := range x {
			if err := walk(child, fn); err != nil {
				return err
			}
		}
	case []any:
		for _, child := range x {
			if err := walk(child, fn); err != nil {
				return err
			}
		}
	}
	return nil
}
