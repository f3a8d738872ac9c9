package duckdb

import (
	"context"
	"fmt"
	"strings"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"
)

// Check parses query with DuckDB's parser, applies the sandbox's rules to
// it, and binds it against empty views of the stores, without running
// anything: a syntax error, a forbidden construct, an unknown column or
// function is reported when the query is submitted rather than when it
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
		if err := r.check(query); err != nil {
			return err
		}
		for t := range allowed {
			if _, err := c.ExecContext(ctx, r.viewSQL(t, nil), nil); err != nil {
				return fmt.Errorf("create the view of %s: %w", t, err)
			}
		}
		stmt, err := r.prepare(query)
		if err != nil {
			return err
		}
		return stmt.Close()
	})
}
