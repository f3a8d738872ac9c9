package duckdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain makes the test binary a query worker when a Pool starts it (the
// pool runs its own executable with WorkerArg), as cmd/ctlake does.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == WorkerArg {
		if err := ServeWorker(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "query worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// newPool starts a pool of workers (this test binary, by TestMain) over
// the fixture's stores.
func newPool(t *testing.T, f *fixture, cfg PoolConfig) *Pool {
	t.Helper()
	cfg.Engine = Config{AllowedDirs: []string{f.store.Root}, TempDir: f.temp, MemoryLimit: "256MB", Threads: 2}
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// poolQuery runs sql in p and returns its rows as text.
func poolQuery(ctx context.Context, p *Pool, f *fixture, sql string, tables ...string) (result, error) {
	var r result
	st, err := p.Query(ctx, sql, f.stores(tables...), func(columns []string, row []*string) error {
		if r.columns == nil {
			r.columns = slices.Clone(columns)
		}
		text := make([]string, len(row))
		for i, v := range row {
			text[i] = "NULL"
			if v != nil {
				text[i] = *v
			}
		}
		r.rows = append(r.rows, text)
		return nil
	})
	r.stats = st
	return r, err
}

// TestPoolQuery checks that a query in a worker gives what it gives in
// process: columns, rows, NULLs, statistics, and the errors' kinds.
func TestPoolQuery(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	p := newPool(t, f, PoolConfig{Idle: 1})
	ctx := context.Background()
	q := `SELECT eventname, useridentity.arn AS arn, eventtime FROM ` + tableA + ` ORDER BY eventtime`
	want := f.mustQuery(t, q, tableA)
	start := time.Now()
	got, err := poolQuery(ctx, p, f, q, tableA)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a query in a worker took %v", time.Since(start))
	checkRows(t, got, want.columns, want.rows)
	if got.stats != want.stats {
		t.Errorf("stats %+v, want %+v", got.stats, want.stats)
	}
	// Many rows, in several batches, in order.
	got, err = poolQuery(ctx, p, f, "SELECT range AS n, repeat('x', 3000) AS pad FROM range(5000) ORDER BY n")
	if err != nil || len(got.rows) != 5000 || got.rows[4999][0] != "4999" || got.stats.Rows != 5000 {
		t.Errorf("5000 rows: %d rows, stats %+v, %v", len(got.rows), got.stats, err)
	}
	// No rows: no columns either, as in process.
	got, err = poolQuery(ctx, p, f, "SELECT eventname FROM "+tableC, tableC)
	if err != nil || got.columns != nil || len(got.rows) != 0 {
		t.Errorf("empty store: %v %v %v", got.columns, got.rows, err)
	}
	if _, err := poolQuery(ctx, p, f, "SELECT * FROM read_text('/etc/passwd')"); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("read_text: %v, want ErrNotAllowed", err)
	}
	if _, err := poolQuery(ctx, p, f, "SELECT len(list(range)) FROM range(50000000)"); !errors.Is(err, ErrOutOfMemory) {
		t.Errorf("past memory_limit: %v, want ErrOutOfMemory", err)
	}
	// Check, as in process.
	if err := p.Check(ctx, "SELECT eventname FROM "+tableA, []string{tableA}); err != nil {
		t.Errorf("check: %v", err)
	}
	if err := p.Check(ctx, "SELECT nosuchcolumn FROM "+tableA, []string{tableA}); err == nil || !strings.Contains(err.Error(), "nosuchcolumn") {
		t.Errorf("check of an unknown column: %v", err)
	}
	if err := p.Check(ctx, "COPY (SELECT 1) TO '/tmp/x.csv'", nil); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("check of COPY: %v", err)
	}
	// Stop a sink error: the query ends with it.
	stop := errors.New("stop")
	if _, err := p.Query(ctx, "SELECT range FROM range(100000)", nil, func([]string, []*string) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("sink error: %v", err)
	}
	if n := settledChildren(t, 1); n > 1 {
		t.Errorf("%d worker processes after the queries, want at most the idle one", n)
	}
}

// settledChildren counts the live child processes of this process,
// waiting up to three seconds for them to be at most want: a worker that
// served its job ends when the pool closes its stdin, a moment later.
func settledChildren(t *testing.T, want int) int {
	deadline := time.Now().Add(3 * time.Second)
	for {
		n := children(t)
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// children counts the live child processes of this process.
func children(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc:", err)
	}
	self := strconv.Itoa(os.Getpid())
	n := 0
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after ')'.
		rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == self && fields[0] != "Z" {
			n++
		}
	}
	return n
}

// TestFrames checks the protocol's framing: lines as they come, a line cut
// short, and a line past maxFrame refused without being held whole.
func TestFrames(t *testing.T) {
	var b strings.Builder
	v := "a\nb"
	writeFrame(&b, fromWorker{Columns: []string{"x"}})
	writeFrame(&b, fromWorker{Rows: [][]*string{{&v}, {nil}}})
	b.WriteString(`{"done":{"rows":2`)
	r := newFrameReader(strings.NewReader(b.String()))
	var f fromWorker
	if err := r.next(&f); err != nil || f.Columns[0] != "x" {
		t.Fatalf("columns: %+v %v", f, err)
	}
	f = fromWorker{}
	if err := r.next(&f); err != nil || len(f.Rows) != 2 || *f.Rows[0][0] != v || f.Rows[1][0] != nil {
		t.Fatalf("rows: %+v %v", f, err)
	}
	if err := r.next(&f); err != io.ErrUnexpectedEOF {
		t.Errorf("a line cut short: %v", err)
	}
	huge := strings.NewReader(`{"rows":[["` + strings.Repeat("x", maxFrame) + `"]]}` + "\n")
	if err := newFrameReader(huge).next(&f); err != errFrameTooLarge {
		t.Errorf("a line past maxFrame: %v", err)
	}
	if err := newFrameReader(strings.NewReader("")).next(&f); err != io.EOF {
		t.Errorf("the end: %v", err)
	}
}

// TestSizes checks the memory budget and the writing of sizes.
func TestSizes(t *testing.T) {
	if b, _ := DefaultMemoryBudget("256MB"); b != 1<<30 {
		t.Errorf("budget of 256MB: %d, want the 1 GiB floor", b)
	}
	if b, _ := DefaultMemoryBudget("4GiB"); b != 4<<30+512<<20 {
		t.Errorf("budget of 4GiB: %d", b)
	}
	for n, want := range map[int64]string{1 << 30: "1 GiB", 3 << 29: "1.5 GiB", 300 << 20: "300 MiB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
