package duckdb

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// The bombs of the hardening issue: values of gigabytes that DuckDB builds
// while it plans (constant folding, deaf to its memory limit and to
// interruption) or while it runs (one value is allocated outside the
// memory limit).
const (
	planBombSequence = "SELECT count(*) FROM range(3) CROSS JOIN unnest(generate_series(1, 1000000000)) AS t(x)"
	planBombRepeat   = "SELECT length(repeat('x', 1000000000))"
	planBombSeries   = "SELECT len(generate_series(1, 100000000))"
	planBombDoubling = "WITH a AS (SELECT repeat('x', 1000000) AS s), b AS (SELECT s || s || s || s AS s FROM a), " +
		"c AS (SELECT s || s || s || s AS s FROM b), d AS (SELECT s || s || s || s AS s FROM c), " +
		"e AS (SELECT s || s || s || s AS s FROM d), f AS (SELECT s || s || s || s AS s FROM e) SELECT length(s) FROM f"
)

// TestPoolCheckBombs checks that statements whose planning eats memory or
// time are refused within the check's bound plus a little, that no worker
// survives them, and that the pool answers the next check.
func TestPoolCheckBombs(t *testing.T) {
	f := newFixture(t, Config{})
	p := newPool(t, f, PoolConfig{CheckTimeout: 2 * time.Second})
	for _, sql := range []string{planBombSequence, planBombRepeat, planBombSeries, planBombDoubling} {
		start := time.Now()
		err := p.Check(context.Background(), sql, nil)
		took := time.Since(start)
		t.Logf("%.60s: %v after %v", sql, err, took)
		// Some plan without building their value (then the run's limits
		// meet it); the others must be refused.
		if err != nil && !errors.Is(err, ErrCheckTimeout) && !errors.Is(err, ErrOutOfMemory) || err == nil && sql == planBombSequence {
			t.Errorf("%.60s: %v, want a check timeout or out of memory", sql, err)
		}
		// The bound is CPU time: wall-clock time, which load inflates, is
		// bounded only by the backstop.
		if took > checkWallFactor*2*time.Second+2*time.Second {
			t.Errorf("%.60s: refused after %v", sql, took)
		}
		if n := settledChildren(t, 0); n != 0 {
			t.Errorf("%d worker processes left", n)
		}
	}
	// Time without memory: a lambda over 60 million elements, computed
	// while planning because table function arguments are constants.
	start := time.Now()
	err := p.Check(context.Background(), "SELECT count(*) FROM unnest([list_reduce(range(1, 60000000), (a, b) -> a + b)])", nil)
	if took := time.Since(start); !errors.Is(err, ErrCheckTimeout) || took > checkWallFactor*2*time.Second+2*time.Second {
		t.Errorf("a slow plan: %v after %v, want ErrCheckTimeout after 2s", err, took)
	}
	if n := settledChildren(t, 0); n != 0 {
		t.Errorf("%d worker processes left", n)
	}
	if err := p.Check(context.Background(), "SELECT eventname FROM "+tableA, []string{tableA}); err != nil {
		t.Errorf("a check after the bombs: %v", err)
	}
}

// TestPoolRunBombs checks the run-time kill paths: a query past the
// worker's memory ends with ErrOutOfMemory; one past its deadline, or
// cancelled, ends with the context's error promptly, keeping the rows sent
// before; no worker survives.
func TestPoolRunBombs(t *testing.T) {
	f := newFixture(t, Config{})
	p := newPool(t, f, PoolConfig{})
	ctx := context.Background()

	start := time.Now()
	_, err := poolQuery(ctx, p, f, "SELECT length(repeat(eventname, 300000000)) AS n FROM "+tableA, tableA)
	t.Logf("repeat(eventname, 3e8): %v after %v", err, time.Since(start))
	if !errors.Is(err, ErrOutOfMemory) || !strings.Contains(err.Error(), "GiB of memory") {
		t.Errorf("a run-time bomb: %v, want ErrOutOfMemory naming the limit", err)
	}
	start = time.Now()
	if _, err := poolQuery(ctx, p, f, planBombDoubling); !errors.Is(err, ErrOutOfMemory) {
		t.Errorf("a doubling chain: %v, want ErrOutOfMemory", err)
	}
	t.Logf("doubling chain: %v", time.Since(start))

	deadline, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = poolQuery(deadline, p, f, runaway)
	if took := time.Since(start); err != context.DeadlineExceeded || took > 2500*time.Millisecond {
		t.Errorf("runaway: %v after %v, want the deadline", err, took)
	}

	t.Logf("runaway: %v", time.Since(start))
	// Rows sent before a cancellation are kept.
	start = time.Now()
	cancelled, cancel := context.WithCancel(ctx)
	var delivered int
	_, err = p.Query(cancelled, "SELECT range FROM range(1000000)", nil, func([]string, []*string) error {
		if delivered++; delivered == 2000 {
			cancel()
		}
		return nil
	})
	t.Logf("cancel while delivering: %v", time.Since(start))
	if err != context.Canceled || delivered < 2000 {
		t.Errorf("cancelled while delivering: %v, %d rows", err, delivered)
	}

	// A worker that a check keeps busy past its bound is killed even if
	// its context has no deadline; the query path has no bound but ctx.
	if n := settledChildren(t, 0); n != 0 {
		t.Errorf("%d worker processes left", n)
	}
	r, err := poolQuery(ctx, p, f, "SELECT count(*) AS n FROM "+tableA, tableA)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, r, []string{"n"}, [][]string{{"3"}})
}

// TestPoolWorkerDeath checks how a worker that dies without a word is
// explained: SIGKILL that the pool did not send is the kernel's
// out-of-memory killer; the Go runtime's "out of memory" too; anything else
// is a worker that crashed (its last words go to the server's log).
func TestPoolWorkerDeath(t *testing.T) {
	f := newFixture(t, Config{})
	for _, c := range []struct {
		script string
		oom    bool
		want   string
	}{
		{"kill -9 $$", true, "needed more than"},
		{"echo 'fatal error: runtime: out of memory' >&2; exit 2", true, "needed more than"},
		{"echo 'boom' >&2; exit 3", false, "the query engine's worker process crashed (exit status 3)"},
	} {
		p := newPool(t, f, PoolConfig{Command: []string{"sh", "-c", "read line; " + c.script}})
		_, err := p.Query(context.Background(), "SELECT 1", nil, func([]string, []*string) error { return nil })
		if errors.Is(err, ErrOutOfMemory) != c.oom || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.script, err)
		}
	}
}

// TestPoolReuse checks that a worker whose query ended by itself serves the
// next one, and that one whose query was cut off never does.
func TestPoolReuse(t *testing.T) {
	f := newFixture(t, Config{})
	p := newPool(t, f, PoolConfig{Idle: 1})
	idlePid := func() int {
		w := <-p.idle
		defer func() { p.idle <- w }()
		return w.cmd.Process.Pid
	}
	ctx := context.Background()
	first := idlePid()
	for range 3 {
		if _, err := poolQuery(ctx, p, f, "SELECT count(*) FROM "+tableA, tableA); err != nil {
			t.Fatal(err)
		}
		if pid := idlePid(); pid != first {
			t.Errorf("a query that ended by itself: the idle worker is %d, want %d again", pid, first)
		}
	}
	deadline, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := poolQuery(deadline, p, f, runaway); err != context.DeadlineExceeded {
		t.Errorf("runaway: %v", err)
	}
	if pid := idlePid(); pid == first {
		t.Errorf("the worker of a query cut off is idle again")
	}
}
