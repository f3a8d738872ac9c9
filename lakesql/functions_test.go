package lakesql

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

var updateFunctions = flag.Bool("update-functions", false, "rewrite testdata/duckdb_functions.txt from the linked DuckDB")

// harmlessTableFunctions are the table functions (and table macros) of
// DuckDB that touch no file, network, setting or catalog and name no
// table. They are not blocked by name, though a table position admits only
// UNNEST anyway. histogram is here for its aggregate form (Trino's
// histogram); its table-macro form reads a table named by a string, like
// histogram_values (blocked), and can only be called in a table position,
// where the checker refuses it (TestKeywordAliasEscapes).
var harmlessTableFunctions = setOf("unnest", "range", "generate_series", "repeat", "repeat_row", "json_each",
	"json_tree", "test_all_types", "test_vector_types", "icu_calendar_names", "histogram")

const functionsFile = "testdata/duckdb_functions.txt"

// TestDuckDBFunctions is a ratchet on the function catalogue of the linked
// DuckDB. Every function DuckDB has must be listed in
// testdata/duckdb_functions.txt with the verdict Translate gives it
// (blocked or allowed), so a DuckDB upgrade that adds functions fails here
// until someone has looked at each new one: add it to blockedFuncs if it can
// read files, reach the network, expose settings or the catalog, or change
// state; then rerun with -update-functions. Table functions must be blocked
// or be in harmlessTableFunctions. PRAGMA functions are listed but need no
// verdict: PRAGMA and CALL statements are refused.
func TestDuckDBFunctions(t *testing.T) {
	db := openLake(t)
	rows, err := db.Query(`SELECT function_name, string_agg(DISTINCT function_type, ',' ORDER BY function_type)
		FROM duckdb_functions() GROUP BY function_name ORDER BY function_name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	var problems []string
	for rows.Next() {
		var name, types string
		if err := rows.Scan(&name, &types); err != nil {
			t.Fatal(err)
		}
		lower := strings.ToLower(name)
		verdict := "allowed"
		if isBlocked(lower) {
			verdict = "blocked"
		}
		if types == "pragma" {
			verdict = "pragma"
		}
		lines = append(lines, fmt.Sprintf("%s\t%s\t%s", name, types, verdict))
		isTable := strings.Contains(types, "table")
		if isTable && verdict != "blocked" && !harmlessTableFunctions[lower] {
			problems = append(problems, fmt.Sprintf("table function %s is neither blocked nor reviewed as harmless", name))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for name := range mustBlock {
		if !isBlocked(name) {
			problems = append(problems, fmt.Sprintf("%s is not blocked", name))
		}
	}
	content := "# The functions of the DuckDB that ctlake links, with Translate's verdict on each\n" +
		"# (TestDuckDBFunctions; regenerate with go test ./lakesql -run TestDuckDBFunctions -update-functions).\n" +
		"# name\ttypes\tverdict\n" + strings.Join(lines, "\n") + "\n"
	if *updateFunctions {
		if len(problems) > 0 {
			t.Fatalf("not updating:\n%s", strings.Join(problems, "\n"))
		}
		if err := os.WriteFile(functionsFile, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, p := range problems {
		t.Error(p)
	}
	b, err := os.ReadFile(functionsFile)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if !strings.HasPrefix(l, "#") {
			name, rest, _ := strings.Cut(l, "\t")
			want[name] = rest
		}
	}
	var changed []string
	for _, l := range lines {
		name, rest, _ := strings.Cut(l, "\t")
		if was, ok := want[name]; !ok {
			changed = append(changed, "new: "+l)
		} else if was != rest {
			changed = append(changed, fmt.Sprintf("changed: %s\t%s (was %s)", name, rest, was))
		}
		delete(want, name)
	}
	for name := range want {
		changed = append(changed, "gone: "+name)
	}
	slices.Sort(changed)
	if len(changed) > 0 {
		t.Errorf("the functions of DuckDB or Translate's verdicts differ from %s; review each, then rerun with -update-functions:\n%s",
			functionsFile, strings.Join(changed, "\n"))
	}
}
