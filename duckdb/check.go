package duckdb

import (
	"context"
	"fmt"
	"strings"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"
)

// Check parses query with DuckDB's parser and applies the sandbox's rules
// to it, without running anything, so that a syntax error or a forbidden
// construct is reported when the query is submitted rather than when it
// runs. tables are the store table names the query may read.
func (e *Engine) Check(ctx context.Context, query string, tables []string) error {
	allowed := make(map[string]bool, len(tables))
	for _, t := range tables {
		allowed[strings.ToLower(t)] = true
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdbdrv.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		r := run{Engine: e, ctx: ctx, conn: c, tables: allowed}
		return r.check(query)
	})
}
