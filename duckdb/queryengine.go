package duckdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/lakesql"
	"github.com/ctlake/ctlake/segment"
)

// QueryEngine is the server's ctlake.QueryEngine: the lakesql front end
// translates and checks a statement, and DuckDB checks and runs it in the
// worker processes of a Pool, each under an OS memory limit and killed at
// its timeout, so that a statement that eats all memory or time takes down
// its worker, not the server.
//
// Its worker processes are bounded: Workers for queries (the service runs at
// most that many at once, the rest wait QUEUED) and CallWorkers for the
// work an API call waits on, StartQuery's checks and LookupEvents. The two
// are apart so that long queries never hold up StartQuery, and a flood of
// StartQuery calls never takes memory from running queries; a call that
// finds its workers all busy waits up to CallWait, then gets
// ThrottlingException, which the AWS SDKs retry.
type QueryEngine struct {
	queries  *Pool
	calls    *Pool
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
	// worker processes for queries, kept started, DuckDB open, so that a
	// query does not wait for one to start. 1 when zero.
	Workers int
	// CallWorkers are the worker processes for StartQuery's checks and
	// for LookupEvents; DefaultCallWorkers when zero. CallWait is how long
	// such a call waits for one; DefaultCallWait when zero.
	CallWorkers int
	CallWait    time.Duration
	// Logger receives the crash reports of workers; slog.Default() when
	// nil.
	Logger *slog.Logger
}

// Defaults of QueryEngineConfig. A check takes milliseconds, so two
// workers answer a burst of StartQuery calls in turn.
const (
	DefaultCallWorkers = 2
	DefaultCallWait    = 10 * time.Second
	// startTimeout bounds the first query, at start-up.
	startTimeout = 2 * time.Minute
)

var _ ctlake.QueryEngine = (*QueryEngine)(nil)

// NewQueryEngine starts the engine's worker processes and has one check a
// statement, so that an engine that cannot run (a worker that cannot start,
// open DuckDB or apply the sandbox) fails the server's start, not its
// first query.
func NewQueryEngine(ctx context.Context, cfg QueryEngineConfig) (*QueryEngine, error) {
	if len(cfg.Engine.AllowedDirs) == 0 {
		cfg.Engine.AllowedDirs = []string{cfg.Segments.Root}
	}
	cfg.Workers = max(cfg.Workers, 1)
	if cfg.CallWorkers <= 0 {
		cfg.CallWorkers = DefaultCallWorkers
	}
	if cfg.CallWait <= 0 {
		cfg.CallWait = DefaultCallWait
	}
	budget, err := workerMemory(&cfg.Engine, cfg.Workers+cfg.CallWorkers)
	if err != nil {
		return nil, fmt.Errorf("start the query engine: --query-memory-limit: %w", err)
	}
	e := &QueryEngine{segments: cfg.Segments}
	e.queries, err = NewPool(PoolConfig{Engine: cfg.Engine, MemoryBudget: budget, Idle: cfg.Workers, MaxWorkers: cfg.Workers, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("start the query engine: %w", err)
	}
	e.calls, err = NewPool(PoolConfig{Engine: cfg.Engine, MemoryBudget: budget, Idle: cfg.CallWorkers, MaxWorkers: cfg.CallWorkers, Wait: cfg.CallWait, Logger: cfg.Logger})
	if err != nil {
		e.queries.Close()
		return nil, fmt.Errorf("start the query engine: %w", err)
	}
	// A first query proves that a worker starts, opens DuckDB and applies
	// the sandbox; a slow machine is no fault, a hung worker is.
	probe, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if _, err := e.calls.Query(probe, "SELECT 1", nil, func([]string, []*string) error { return nil }); err != nil {
		e.Close()
		return nil, fmt.Errorf("start the query engine: a worker process could not run a query: %w", err)
	}
	return e, nil
}

// Close ends the idle worker processes; queries still running go on to
// their end.
func (e *QueryEngine) Close() error { return errors.Join(e.calls.Close(), e.queries.Close()) }

// MemoryLimit is DuckDB's memory limit in each worker; MemoryBudget the
// OS limit of each worker's memory (0: none); MaxWorkers the most worker
// processes alive at once.
func (e *QueryEngine) MemoryLimit() string { return e.queries.wcfg.MemoryLimit }
func (e *QueryEngine) MemoryBudget() int64 { return e.queries.MemoryBudget() }
func (e *QueryEngine) MaxWorkers() int     { return e.queries.MaxWorkers() + e.calls.MaxWorkers() }

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
	if err := e.calls.Check(ctx, st.SQL, tables); err != nil {
		if errors.Is(err, ErrBusy) {
			return ctlake.PreparedQuery{}, e.busy()
		}
		if errors.Is(err, ErrNoWorker) || ctx.Err() != nil {
			return ctlake.PreparedQuery{}, fmt.Errorf("check the statement: %w", err)
		}
		return ctlake.PreparedQuery{}, ctlake.Errorf(ctlake.InvalidQueryStatementException, "The query statement is not valid: %s", storeIDs(err, tables, st.Stores))
	}
	return ctlake.PreparedQuery{SQL: st.SQL, Stores: st.Stores}, nil
}

// Run runs a prepared query over the segments of its stores.
func (e *QueryEngine) Run(ctx context.Context, q ctlake.PreparedQuery, segs map[string][]ctlake.Segment, sink func([]string, []*string) error) (ctlake.ScanStats, error) {
	return e.run(ctx, e.queries, q.SQL, segs, sink)
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

// busy is the error of a call whose workers were all busy for CallWait.
func (e *QueryEngine) busy() error {
	return ctlake.Errorf(ctlake.ThrottlingException,
		"The query engine's %d worker processes for statement checks and LookupEvents were all busy for %s; retry in a moment.",
		e.calls.MaxWorkers(), e.calls.cfg.Wait)
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
