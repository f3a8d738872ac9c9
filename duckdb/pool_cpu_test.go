package duckdb

import (
	"context"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestCheckBoundIsCPUTime checks that a check is bounded by the CPU time
// of its worker, not by wall-clock time, so that a loaded machine does not
// refuse an ordinary statement (issue 15: "DuckDB took longer than 5s to
// plan the statement" under load). Beside a CPU hog of two threads, an
// ordinary check passes even while its worker is stopped (SIGSTOP) for
// twice the bound: wall-clock time passes, the worker's CPU time does not.
func TestCheckBoundIsCPUTime(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the CPU time of a worker is read from /proc")
	}
	f := newFixture(t, Config{})
	const bound = time.Second
	p := newPool(t, f, PoolConfig{CheckTimeout: bound, Idle: 1})
	sql := "SELECT eventname, count(*) AS n FROM " + tableA + " GROUP BY eventname ORDER BY n DESC"
	tables := []string{tableA}

	// The hog: two threads spinning until the test ends, 30 s at most.
	hogCtx, stopHog := context.WithTimeout(context.Background(), 30*time.Second)
	var hog sync.WaitGroup
	defer func() { stopHog(); hog.Wait() }()
	for range 2 {
		hog.Go(func() {
			runtime.LockOSThread()
			for n := 0; hogCtx.Err() == nil; n++ {
			}
		})
	}

	ctx := context.Background()
	for i := range 3 {
		if err := p.Check(ctx, sql, tables); err != nil {
			t.Errorf("check %d beside the hog: %v", i, err)
		}
	}

	w := <-p.idle
	pid := w.cmd.Process.Pid
	p.idle <- w
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	checked := make(chan error, 1)
	go func() { checked <- p.Check(ctx, sql, tables) }()
	time.Sleep(2 * bound) // the worker's wall-clock time passing unused is the point
	// ESRCH: the worker was killed while stopped, as a wall-clock bound
	// would; the check's error says so below.
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil && err != syscall.ESRCH {
		t.Fatal(err)
	}
	if err := <-checked; err != nil {
		t.Errorf("a check whose worker was stopped for %v, beside the hog: %v, want it to pass (its CPU time is what is bounded)", 2*bound, err)
	}
}
