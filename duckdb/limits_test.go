package duckdb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"
)

// runaway never ends on its own: a cross join of 10^18 rows.
const runaway = "SELECT count(*) FROM range(1000000000) a, range(1000000000) b"

// TestDeadline checks that a runaway query stops at its deadline, returns
// the context's error promptly, and that the engine answers the next query.
func TestDeadline(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	const timeout = 500 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	_, err := f.query(ctx, runaway)
	took := time.Since(start)
	if err != context.DeadlineExceeded {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if took > timeout+2*time.Second {
		t.Errorf("returned %v after the deadline", took-timeout)
	}
	t.Logf("returned %v after the deadline", took-timeout)
	r := f.mustQuery(t, "SELECT count(*) AS n FROM "+tableA, tableA)
	checkRows(t, r, []string{"n"}, [][]string{{"3"}})
}

// TestCancel checks CancelQuery's path: a query whose context is cancelled
// while DuckDB runs it, and one cancelled while its rows are delivered.
func TestCancel(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	if _, err := f.query(ctx, runaway); err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v", took)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	var delivered int
	st, err := f.engine.Query(ctx, "SELECT range FROM range(1000000)", nil, func([]string, []*string) error {
		delivered++
		if delivered == 10 {
			cancel()
		}
		return nil
	})
	if err != context.Canceled || delivered != 10 || st.Rows != 10 {
		t.Errorf("cancelled while delivering: err %v, %d rows delivered, stats %+v", err, delivered, st)
	}

	// An error from the sink ends the query with it.
	stop := errors.New("stop")
	_, err = f.engine.Query(context.Background(), "SELECT range FROM range(1000)", nil, func([]string, []*string) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("sink error: %v", err)
	}
	f.mustQuery(t, "SELECT 1")
}

// TestConcurrent runs ten queries at once over the same stores, with the
// race detector watching.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	q := `SELECT a.eventname AS "a", b.eventname AS "b", count(*) OVER () AS "n"
		FROM ` + tableA + ` a JOIN ` + tableB + ` b ON a.useridentity.arn = b.useridentity.arn ORDER BY 2`
	want := [][]string{{"ConsoleLogin", "GetObject", "2"}, {"ConsoleLogin", "ListBuckets", "2"}}
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Go(func() {
			for j := range 3 {
				r, err := f.query(context.Background(), q, tableA, tableB)
				if err != nil {
					errs <- fmt.Errorf("query %d.%d: %w", i, j, err)
					return
				}
				if !rowsEqual(r.rows, want) {
					errs <- fmt.Errorf("query %d.%d: rows %q", i, j, r.rows)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestMemoryLimit checks that a query past the memory limit fails with
// DuckDB's out-of-memory error, and that the engine goes on.
func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{MemoryLimit: "64MB"})
	// A list cannot spill: 20 million BIGINTs are 160 MB.
	_, err := f.query(context.Background(), "SELECT len(list(range)) AS n FROM range(20000000)")
	var de *duckdbdrv.Error
	if !errors.As(err, &de) || de.Type != duckdbdrv.ErrorTypeOutOfMemory {
		t.Fatalf("err = %v, want an out-of-memory error", err)
	}
	r := f.mustQuery(t, "SELECT len(list(range)) AS n FROM range(1000)")
	checkRows(t, r, []string{"n"}, [][]string{{"1000"}})
}
