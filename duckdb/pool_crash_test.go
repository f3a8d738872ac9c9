package duckdb

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// TestPoolWorkerCrash checks what a query whose worker crashes says:
// json_structure over a value nested a million levels deep overflows
// DuckDB's stack, and the worker dies with a crash report whose last line
// (a register, "gs 0x0") used to be the query's message. The caller now
// learns that the worker process crashed; the report goes to the server's
// log; the pool serves the next query.
func TestPoolWorkerCrash(t *testing.T) {
	f := newFixture(t, Config{})
	var log lockedBuffer
	p := newPool(t, f, PoolConfig{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	deep := "SELECT json_structure(repeat('[', 1000000) || repeat(']', 1000000)) AS s FROM " + tableA
	_, err := poolQuery(context.Background(), p, f, deep, tableA)
	want := "the query engine's worker process crashed (exit status 2) while it ran the statement; " +
		"the server's log has its crash report. A deeply nested value (JSON nested thousands of levels, say) can cause this"
	if !errors.Is(err, ErrCrashed) || err.Error() != want {
		t.Errorf("a query whose worker crashed: %v, want %q", err, want)
	}
	if got := log.String(); !strings.Contains(got, "query worker crashed") || !strings.Contains(got, "stderr_tail=") || len(got) < 200 {
		t.Errorf("the server's log has no crash report: %q", got)
	}
	r, err := poolQuery(context.Background(), p, f, "SELECT count(*) AS n FROM "+tableA, tableA)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, r, []string{"n"}, [][]string{{"3"}})
}

// lockedBuffer is a bytes.Buffer safe for the pool's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
