package duckdb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/lakesql"
	"github.com/ctlake/ctlake/segment"
)

// QueryEngine is the server's ctlake.QueryEngine: the lakesql front end
// translates and checks a statement, and DuckDB checks and runs it in the
// worker processes of a Pool, each under an OS memory limit and killed at
// its timeout, so that a statement that eats all memory or time takes down
// its worker, not the server.
type QueryEngine struct {
	pool     *Pool
	segments *segment.Store
}

// QueryEngineConfig configures a QueryEngine.
type QueryEngineConfig struct {
	// Engine is the configuration each worker opens DuckDB with;
	// AllowedDirs is the segment root when empty.
	Engine Config
	// Segments holds the stores' segment files.
	Segments *segment.Store
	// Workers is how many queries run at once (--query-workers): the
	// worker processes kept started, DuckDB open, so that a check or a
	// query does not wait for one to start.
	Workers int
}

var _ ctlake.QueryEngine = (*QueryEngine)(nil)

// NewQueryEngine starts the engine's worker processes and has one check a
// statement, so that an engine that cannot run (a worker that cannot start,
// open DuckDB or apply the sandbox) fails the server's start, not its
// first query.
func NewQueryEngine(ctx context.Context, cfg QueryEngineConfig) (*QueryEngine, error) {
	if len(cfg.Engine.AllowedDirs) == 0 {
		cfg.Engine.AllowedDirs = []string{cfg.Segments.Root}
	}
	pool, err := NewPool(PoolConfig{Engine: cfg.Engine, Idle: max(cfg.Workers, 1)})
	if err != nil {
		return nil, fmt.Errorf("start the query engine: %w", err)
	}
	if err := pool.Check(ctx, "SELECT 1", nil); err != nil {
		pool.Close()
		return nil, fmt.Errorf("start the query engine: a worker process could not check a statement: %w", err)
	}
	return &QueryEngine{pool: pool, segments: cfg.Segments}, nil
}

// Close ends the idle worker processes; queries still running go on to
// their end.
func (e *QueryEngine) Close() error { return e.pool.Close() }

// Prepare translates a statement and has DuckDB's own parser and planner
// check it now, so that a syntax error is InvalidQueryStatementException
// at StartQuery, as on AWS, not a FAILED query later.
func (e *QueryEngine) Prepare(ctx context.Context, statement string) (ctlake.PreparedQuery, error) {
	st, err := lakesql.Translate(statement)
	if err != nil {
		return ctlake.PreparedQuery{}, err
	}
	tables := make([]string, len(st.Stores))
	for i, id := range st.Stores {
		tables[i] = lakesql.TableName(id)
	}
	if err := e.pool.Check(ctx, st.SQL, tables); err != nil {
		if errors.Is(err, ErrNoWorker) || ctx.Err() != nil {
			return ctlake.PreparedQuery{}, fmt.Errorf("check the statement: %w", err)
		}
		return ctlake.PreparedQuery{}, ctlake.Errorf(ctlake.InvalidQueryStatementException, "The query statement is not valid: %s", storeIDs(err, tables, st.Stores))
	}
	return ctlake.PreparedQuery{SQL: st.SQL, Stores: st.Stores}, nil
}

// Run runs a prepared query over the segments of its stores.
func (e *QueryEngine) Run(ctx context.Context, q ctlake.PreparedQuery, segs map[string][]ctlake.Segment, sink func([]string, []*string) error) (ctlake.ScanStats, error) {
	return e.run(ctx, e.pool, q.SQL, segs, sink)
}

// run runs sql in a worker of pool over the store views of segs.
func (e *QueryEngine) run(ctx context.Context, pool *Pool, sql string, segs map[string][]ctlake.Segment, sink func([]string, []*string) error) (ctlake.ScanStats, error) {
	tables := make(map[string][]string, len(segs))
	for store, list := range segs {
		paths := make([]string, len(list))
		for i, s := range list {
			paths[i] = e.segments.Abs(s.Path)
		}
		tables[lakesql.TableName(store)] = paths
	}
	st, err := pool.Query(ctx, sql, tables, sink)
	return ctlake.ScanStats{EventsScanned: st.EventsScanned, BytesScanned: st.BytesScanned}, err
}

// storeIDs words an engine error for the user: store table names become
// the store ids the user wrote.
func storeIDs(err error, tables, ids []string) string {
	msg := err.Error()
	for i, t := range tables {
		msg = strings.ReplaceAll(msg, t, ids[i])
	}
	return msg
}
