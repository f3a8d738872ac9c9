package duckdb

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPoolBound checks that a pool never has more than MaxWorkers worker
// processes: with both busy, a third job waits Wait and fails with
// ErrBusy, and once one ends, the next job gets a worker.
func TestPoolBound(t *testing.T) {
	f := newFixture(t, Config{})
	// A worker that reads its configuration and its job, then says nothing
	// until it is stopped.
	p := newPool(t, f, PoolConfig{Command: []string{"sh", "-c", "read config; read job; sleep 60"}, MaxWorkers: 2, Wait: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ended := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := p.Query(ctx, "SELECT 1", nil, func([]string, []*string) error { return nil })
			ended <- err
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(p.slots) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d workers started after 10s, want 2", len(p.slots))
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, err := p.Query(context.Background(), "SELECT 1", nil, func([]string, []*string) error { return nil })
	if !errors.Is(err, ErrBusy) {
		t.Errorf("a third job with 2 of 2 workers busy: %v, want ErrBusy", err)
	}
	if n := len(p.slots); n > 2 {
		t.Errorf("%d worker processes alive, want at most 2", n)
	}
	cancel()
	for range 2 {
		if err := <-ended; !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled job: %v", err)
		}
	}
	// The cancelled workers are gone (killed after Grace); a new job
	// starts one.
	late, stop := context.WithTimeout(context.Background(), 2*time.Second) // longer than Wait
	defer stop()
	if _, err := p.Query(late, "SELECT 1", nil, func([]string, []*string) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a job after the others ended: %v, want it to get a worker and run until its deadline", err)
	}
}
