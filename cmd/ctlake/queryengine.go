package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/duckdb"
	"github.com/ctlake/ctlake/lakesql"
	"github.com/ctlake/ctlake/segment"
)

// queryEngine joins the lakesql front end and the DuckDB engine into the
// ctlake.QueryEngine the service runs queries with. The DuckDB work of each
// check and query runs in a worker process of this binary (the engine's
// Isolated pool), under an OS memory limit and killed at its timeout, so
// that a statement that eats all memory or time takes down its worker, not
// the server.
type queryEngine struct {
	engine   *duckdb.Engine
	segments *segment.Store
}

// idleQueryWorkers are the workers kept started, DuckDB open, so that a
// check or a query does not wait for one to start; more start on demand.
const idleQueryWorkers = 2

func (e queryEngine) workers() (*duckdb.Pool, error) {
	return e.engine.Isolated(idleQueryWorkers)
}

var _ ctlake.QueryEngine = queryEngine{}

func (e queryEngine) Prepare(ctx context.Context, statement string) (ctlake.PreparedQuery, error) {
	st, err := lakesql.Translate(statement)
	if err != nil {
		return ctlake.PreparedQuery{}, err
	}
	// DuckDB's own parser sees the statement now, so that a syntax error is
	// InvalidQueryStatementException at StartQuery, as on AWS, not a FAILED
	// query later.
	tables := make([]string, len(st.Stores))
	for i, id := range st.Stores {
		tables[i] = lakesql.TableName(id)
	}
	pool, err := e.workers()
	if err != nil {
		return ctlake.PreparedQuery{}, fmt.Errorf("check the statement: %w", err)
	}
	if err := pool.Check(ctx, st.SQL, tables); err != nil {
		if errors.Is(err, duckdb.ErrNoWorker) {
			return ctlake.PreparedQuery{}, fmt.Errorf("check the statement: %w", err)
		}
		return ctlake.PreparedQuery{}, ctlake.Errorf(ctlake.InvalidQueryStatementException, "The query statement is not valid: %s", cleanDuckDBError(err, tables, st.Stores))
	}
	return ctlake.PreparedQuery{SQL: st.SQL, Stores: st.Stores}, nil
}

func (e queryEngine) Run(ctx context.Context, q ctlake.PreparedQuery, segs map[string][]ctlake.Segment, sink func([]string, []*string) error) (ctlake.ScanStats, error) {
	tables := make(map[string][]string, len(segs))
	for store, list := range segs {
		paths := make([]string, len(list))
		for i, s := range list {
			paths[i] = e.segments.Abs(s.Path)
		}
		tables[lakesql.TableName(store)] = paths
	}
	pool, err := e.workers()
	if err != nil {
		return ctlake.ScanStats{}, err
	}
	st, err := pool.Query(ctx, q.SQL, tables, sink)
	return ctlake.ScanStats{EventsScanned: st.EventsScanned, BytesScanned: st.BytesScanned}, err
}

// cleanDuckDBError words an engine error for the user: store table names
// become the store ids the user wrote.
func cleanDuckDBError(err error, tables, ids []string) string {
	msg := err.Error()
	for i, t := range tables {
		msg = strings.ReplaceAll(msg, t, ids[i])
	}
	return msg
}
