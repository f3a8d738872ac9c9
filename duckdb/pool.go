package duckdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ctlake/ctlake/internal/bytesize"
)

// ErrOutOfMemory is wrapped by the error of a query that needed more memory
// than its worker may use: DuckDB's memory_limit, or the worker's OS limit.
var ErrOutOfMemory = errors.New("out of memory")

// ErrCheckTimeout is wrapped by the error of a statement DuckDB took longer
// than PoolConfig.CheckTimeout to parse and plan.
var ErrCheckTimeout = errors.New("check took too long")

// ErrCrashed is wrapped by the error of a job whose worker process died
// without being asked to and not for want of memory: DuckDB or the runtime
// crashed (a stack overflow on a deeply nested value, say).
var ErrCrashed = errors.New("query worker crashed")

// ErrBusy is wrapped by the error of a job that waited PoolConfig.Wait for
// a worker while MaxWorkers were all busy.
var ErrBusy = errors.New("all query workers busy")

// ErrNoWorker is wrapped by the error of a job for which no worker could be
// started: a fault of the server, not of the statement.
var ErrNoWorker = errors.New("no query worker")

// PoolConfig configures a Pool.
type PoolConfig struct {
	// Engine is the configuration each worker opens DuckDB with, as for
	// Open; its Formatter must be nil (workers format with TrinoText).
	Engine Config
	// Command runs a worker: a program that calls ServeWorker. nil means
	// this executable with the argument WorkerArg.
	Command []string
	// MemoryBudget is the memory a worker may take beyond what it has when
	// it starts, enforced by the kernel (RLIMIT_DATA); 0 means
	// DefaultMemoryBudget of the engine's memory limit, -1 no limit.
	MemoryBudget int64
	// CheckTimeout bounds a Check by the CPU time its worker uses, which a
	// busy machine does not inflate as it does wall-clock time; 0 means 5s.
	// Where a process's CPU time cannot be read, and as a backstop for a
	// worker that hangs without using CPU, a Check is also bounded by
	// checkWallFactor times it of wall-clock time.
	CheckTimeout time.Duration
	// Idle is how many started workers wait for a job; 0 means none (each
	// job starts its worker, which ends after it).
	Idle int
	// MaxWorkers bounds the worker processes alive at once, idle ones and
	// ones still exiting included; 0 means max(Idle, 1). A job that finds
	// them all busy waits for one, up to Wait (0: as long as its context).
	MaxWorkers int
	Wait       time.Duration
	// Grace is how long a worker may take to stop after its job is
	// cancelled before it is killed; 0 means 1s.
	Grace time.Duration
	// Logger receives the last output of a worker that crashed;
	// slog.Default() when nil.
	Logger *slog.Logger
}

// DefaultMemoryBudget is the memory budget of a worker whose DuckDB has
// the memory limit memoryLimit: the limit plus 512 MiB for what DuckDB
// allocates outside it (a single huge value, constant folding while it
// plans) and the Go runtime, and at least 1 GiB.
func DefaultMemoryBudget(memoryLimit string) (int64, error) {
	n, err := bytesize.Parse(memoryLimit)
	if err != nil {
		return 0, err
	}
	return max(1<<30, n+512<<20), nil
}

// Pool runs checks and queries in child processes, one job at a time per
// process: a worker that a job makes eat all memory or time is killed
// (SIGKILL to its process group) and replaced, and the server goes on. A
// worker whose job ended by itself (rows and "done", or an error DuckDB
// reported) goes back to the idle set, up to Idle of them, for maxJobs
// jobs. It is safe for concurrent use.
type Pool struct {
	cfg     PoolConfig
	wcfg    workerConfig
	allowed []string
	idle    chan *worker
	// slots holds a token for each live worker process: MaxWorkers.
	slots chan struct{}
	done  chan struct{} // closed by Close

	mu     sync.Mutex
	warm   int // idle workers and workers being started for idle
	closed bool
	wg     sync.WaitGroup
}

// NewPool checks cfg and starts its idle workers.
func NewPool(cfg PoolConfig) (*Pool, error) {
	if cfg.Engine.Formatter != nil {
		return nil, errors.New("query pool: workers format values with TrinoText only")
	}
	engine, err := withDefaults(cfg.Engine)
	if err != nil {
		return nil, err
	}
	if cfg.Command == nil {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("query pool: %w", err)
		}
		cfg.Command = []string{exe, WorkerArg}
	}
	switch {
	case cfg.MemoryBudget == 0:
		if cfg.MemoryBudget, err = DefaultMemoryBudget(engine.MemoryLimit); err != nil {
			return nil, fmt.Errorf("query pool: memory limit: %w", err)
		}
	case cfg.MemoryBudget < 0:
		cfg.MemoryBudget = 0
	}
	if cfg.CheckTimeout <= 0 {
		cfg.CheckTimeout = 5 * time.Second
	}
	if cfg.MaxWorkers <= 0 {
		cfg.MaxWorkers = max(cfg.Idle, 1)
	}
	cfg.Idle = min(cfg.Idle, cfg.MaxWorkers)
	if cfg.Grace <= 0 {
		cfg.Grace = time.Second
	}
	if engine.TempDir != "" {
		if err := os.MkdirAll(engine.TempDir, 0o755); err != nil {
			return nil, fmt.Errorf("query pool: %w", err)
		}
	}
	p := &Pool{
		cfg: cfg,
		wcfg: workerConfig{
			MemoryLimit: engine.MemoryLimit, Threads: engine.Threads, TempDir: engine.TempDir,
			MaxTempDirSize: engine.MaxTempDirSize, AllowedDirs: engine.AllowedDirs, MemoryBudget: cfg.MemoryBudget,
		},
		allowed: engine.AllowedDirs,
		idle:    make(chan *worker, max(cfg.Idle, 1)),
		slots:   make(chan struct{}, cfg.MaxWorkers),
		done:    make(chan struct{}),
	}
	for range cfg.Idle {
		p.refill()
	}
	return p, nil
}

// Close kills the idle workers; jobs still running go on to their end.
func (p *Pool) Close() error {
	p.mu.Lock()
	if !p.closed {
		close(p.done)
	}
	p.closed = true
	p.mu.Unlock()
	p.wg.Wait()
	for {
		select {
		case w := <-p.idle:
			w.kill()
			<-w.exited
		default:
			return nil
		}
	}
}

// MemoryBudget is the memory a worker may take, in bytes (0: no limit).
func (p *Pool) MemoryBudget() int64 { return p.cfg.MemoryBudget }

// Check is Engine.Check in a worker: parsing and planning a statement can
// take DuckDB unbounded time and memory (it folds constant expressions such
// as sequence(1, 1000000000) while it plans, heedless of its memory limit
// and of interruption), so the worker is killed after CheckTimeout and the
// statement refused with an error wrapping ErrCheckTimeout.
func (p *Pool) Check(ctx context.Context, query string, tables []string) error {
	return p.do(ctx, &job{Op: "check", SQL: query, Tables: tables}, p.cfg.CheckTimeout, nil)
}

// Query is Engine.Query in a worker. The rows the worker sent before it
// was stopped have gone to sink. A worker stopped by ctx ends the query
// with ctx.Err(); one that ran out of memory with an error wrapping
// ErrOutOfMemory.
func (p *Pool) Query(ctx context.Context, query string, stores map[string][]string,
	sink func(columns []string, row []*string) error) (Stats, error) {
	var st Stats
	for name, paths := range stores {
		if !tableName.MatchString(name) {
			return st, fmt.Errorf("query: invalid table name %q", name)
		}
		for _, path := range paths {
			if err := checkPath(p.allowed, path); err != nil {
				return st, fmt.Errorf("query: store %s: %w", name, err)
			}
		}
	}
	var err error
	if st.EventsScanned, st.BytesScanned, err = scanned(stores); err != nil {
		return st, err
	}
	var columns []string
	err = p.do(ctx, &job{Op: "query", SQL: query, Stores: stores}, 0, func(f *fromWorker) error {
		if f.Columns != nil {
			columns = f.Columns
		}
		for _, row := range f.Rows {
			if len(row) != len(columns) {
				return fmt.Errorf("query worker: a row of %d values for %d columns", len(row), len(columns))
			}
			if err := sink(columns, row); err != nil {
				return err
			}
			st.Rows++
		}
		return nil
	})
	return st, err
}

// do runs j in a worker, passing its columns and rows to onData, and
// returns how it ended. bound, if not 0, is how long the worker may take.
func (p *Pool) do(ctx context.Context, j *job, bound time.Duration, onData func(*fromWorker) error) error {
	w, err := p.take(ctx)
	if err != nil {
		return err
	}
	// The worker goes back to the idle set only if its job ended by itself:
	// not killed, not cancelled, not left in the middle of its rows.
	reusable := false
	var watchdog sync.WaitGroup
	finished := make(chan struct{})
	defer func() {
		close(finished)
		watchdog.Wait()
		if reusable && !w.stopped.Load() {
			p.release(w)
			return
		}
		w.kill()
		<-w.exited
		p.refill()
	}()
	// The watchdog: cancellation asks the worker to stop (it interrupts
	// DuckDB and sends its last rows), then kills it after the grace
	// period; the bound kills it at once.
	var overtime atomic.Bool
	watchdog.Go(func() {
		var cpu, wall <-chan time.Time
		var cpuStart time.Duration
		if bound > 0 {
			t := time.NewTimer(checkWallFactor * bound)
			defer t.Stop()
			wall = t.C
			if start, ok := processCPUTime(w.cmd.Process.Pid); ok {
				cpuStart = start
				tick := time.NewTicker(cpuPoll)
				defer tick.Stop()
				cpu = tick.C
			} else {
				t.Reset(bound)
			}
		}
		for {
			select {
			case <-finished:
				return
			case <-cpu:
				if used, ok := processCPUTime(w.cmd.Process.Pid); !ok || used-cpuStart <= bound {
					continue
				}
				overtime.Store(true)
				w.kill()
				return
			case <-wall:
				overtime.Store(true)
				w.kill()
				return
			case <-ctx.Done():
				w.stopped.Store(true)
				w.send(toWorker{Cancel: true})
				select {
				case <-finished:
				case <-time.After(p.cfg.Grace):
					w.kill()
				}
				return
			case <-w.exited:
				return
			}
		}
	})
	w.jobs++
	if err := w.send(toWorker{Job: j}); err != nil && ctx.Err() == nil && !overtime.Load() {
		return p.died(w, fmt.Errorf("send the job: %w", err))
	}
	for {
		var f fromWorker
		err := w.frames.next(&f)
		switch {
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil && overtime.Load():
			return &workerError{is: ErrCheckTimeout, msg: fmt.Sprintf("DuckDB used more than %s of CPU time to plan the statement and was stopped "+
				"(it computes constant expressions, such as sequence(1, 1000000000) or a lambda over one, while it plans); make such expressions smaller",
				p.cfg.CheckTimeout)}
		case errors.Is(err, errFrameTooLarge):
			return err
		case err != nil:
			return p.died(w, err)
		case f.Ready:
			w.ready = true
		case !w.ready && f.Error != nil:
			return fmt.Errorf("%w: start the query worker: %s", ErrNoWorker, f.Error.Message)
		case f.Error != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			reusable = true
			return p.remoteError(f.Error)
		case f.Done != nil:
			reusable = ctx.Err() == nil
			return nil
		case onData != nil:
			if err := onData(&f); err != nil {
				return err
			}
		}
	}
}

// checkWallFactor bounds a check's wall-clock time at this many times its
// CPU-time bound: a backstop for a worker that hangs without computing,
// loose enough that load never reaches it. cpuPoll is how often the
// worker's CPU time is read.
const (
	checkWallFactor = 12
	cpuPoll         = 50 * time.Millisecond
)

// remoteError rebuilds the error a worker reported.
func (p *Pool) remoteError(e *jobError) error {
	switch {
	case e.Kind == "not_allowed":
		return &workerError{msg: e.Message, is: ErrNotAllowed}
	case e.Kind == "out_of_memory" || isAllocationFailure(e.Message):
		return &workerError{msg: p.outOfMemory(e.Message), is: ErrOutOfMemory}
	}
	return &workerError{msg: e.Message}
}

// outOfMemory words an out-of-memory error for a person: which limit the
// query met, and what to do. DuckDB's own advice (SET threads, SET
// memory_limit) is left out: a query cannot change the configuration.
func (p *Pool) outOfMemory(duckdbMsg string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(duckdbMsg), "\n")
	limit := p.wcfg.MemoryLimit
	if p.cfg.MemoryBudget > 0 && (first == "" || strings.Contains(first, "bad alloc") || strings.Contains(first, "bad_alloc")) {
		limit = formatBytes(p.cfg.MemoryBudget)
	}
	msg := "the query needed more than " + limit + " of memory and was stopped; make it read or build less: a narrower time range, fewer columns, smaller values, a LIMIT"
	if first != "" {
		msg += " (" + first + ")"
	}
	return msg
}

// isAllocationFailure tells whether a message is that of a failed
// allocation: what DuckDB or the Go runtime says when the OS limit refuses
// memory.
func isAllocationFailure(msg string) bool {
	for _, s := range []string{"out of memory", "bad_alloc", "bad alloc", "cannot allocate memory", "failed to allocate"} {
		if strings.Contains(strings.ToLower(msg), s) {
			return true
		}
	}
	return false
}

// workerError is an error a worker reported, with the sentinel it wraps.
type workerError struct {
	msg string
	is  error
}

func (e *workerError) Error() string { return e.msg }
func (e *workerError) Unwrap() error { return e.is }

// maxJobs is how many jobs a worker serves before it is replaced, and
// maxIdleRSS the most memory it may hold to go back to the idle set: a
// worker's allocator keeps some of what a large query freed.
const (
	maxJobs    = 100
	maxIdleRSS = 256 << 20
)

// release puts a worker whose job ended by itself back in the idle set, or
// ends it if the set is full, the pool closed, or the worker is worn.
func (p *Pool) release(w *worker) {
	p.mu.Lock()
	if !p.closed && p.warm < p.cfg.Idle && w.jobs < maxJobs && processRSS(w.cmd.Process.Pid) < maxIdleRSS {
		p.warm++
		p.idle <- w // never blocks: at most cfg.Idle are warm
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	// The end of its stdin ends it; a kill if it lingers.
	w.closeStdin()
	go func() {
		select {
		case <-w.exited:
		case <-time.After(p.cfg.Grace):
			w.kill()
		}
		w.stdout.Close()
	}()
}

// take returns an idle worker, or starts one if fewer than MaxWorkers
// are alive (and another for the idle set, for the next job), or waits
// for either, up to Wait.
func (p *Pool) take(ctx context.Context) (*worker, error) {
	var timeout <-chan time.Time
	if p.cfg.Wait > 0 {
		t := time.NewTimer(p.cfg.Wait)
		defer t.Stop()
		timeout = t.C
	}
	for {
		select {
		case <-p.done:
			return nil, fmt.Errorf("%w: the query engine is closed", ErrNoWorker)
		default:
		}
		select {
		case w := <-p.idle:
			if p.fromIdle(w) {
				return w, nil
			}
			continue
		default:
		}
		select {
		case w := <-p.idle:
			if p.fromIdle(w) {
				return w, nil
			}
		case p.slots <- struct{}{}:
			p.refill()
			return p.spawn()
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timeout:
			return nil, fmt.Errorf("%w: all %d waited on for %s", ErrBusy, p.cfg.MaxWorkers, p.cfg.Wait)
		case <-p.done:
			return nil, fmt.Errorf("%w: the query engine is closed", ErrNoWorker)
		}
	}
}

// fromIdle accounts for a worker taken from the idle set and tells
// whether it can serve: one that died while it waited is reaped, and its
// slot is free again.
func (p *Pool) fromIdle(w *worker) bool {
	p.mu.Lock()
	p.warm--
	p.mu.Unlock()
	if w.alive() {
		return true
	}
	w.kill()
	return false
}

// MaxWorkers is the most worker processes the pool has alive at once.
func (p *Pool) MaxWorkers() int { return p.cfg.MaxWorkers }

// refill starts a worker for the idle set, in the background, unless the
// set is full or the pool closed.
func (p *Pool) refill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.warm >= p.cfg.Idle {
		return
	}
	select {
	case p.slots <- struct{}{}:
	default: // MaxWorkers alive: the next job that needs one starts it
		return
	}
	p.warm++
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		w, err := p.spawn()
		p.mu.Lock()
		defer p.mu.Unlock()
		if err != nil || p.closed {
			p.warm--
			if w != nil {
				w.kill()
			}
			return
		}
		p.idle <- w // never blocks: at most cfg.Idle are warm
	}()
}

// worker is one started worker process.
type worker struct {
	cmd       *exec.Cmd
	stdin     *os.File
	stdinOnce sync.Once
	sendMu    sync.Mutex
	ready     bool        // it said it was ready
	jobs      int         // jobs given to it
	stopped   atomic.Bool // a job of it was cancelled
	frames    *frameReader
	stdout    *os.File
	stderr    *tailBuffer
	killed    atomic.Bool
	exited    chan struct{} // closed once the process is reaped
	waitErr   error         // valid once exited is closed
}

// spawn starts a worker and sends it its configuration; it opens DuckDB
// while it waits for a job. The caller has put the worker's token in
// slots; it is taken back when the process has exited (or did not start).
func (p *Pool) spawn() (*worker, error) {
	started := false
	defer func() {
		if !started {
			<-p.slots
		}
	}()
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("%w: start a query worker: %w", ErrNoWorker, err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, fmt.Errorf("%w: start a query worker: %w", ErrNoWorker, err)
	}
	cmd := exec.Command(p.cfg.Command[0], p.cfg.Command[1:]...)
	cmd.Env = workerEnv()
	cmd.Stdin, cmd.Stdout = inR, outW
	w := &worker{cmd: cmd, stdin: inW, stdout: outR, frames: newFrameReader(outR), stderr: &tailBuffer{max: 4 << 10},
		exited: make(chan struct{})}
	cmd.Stderr = w.stderr
	setWorkerProcAttr(cmd)
	err = cmd.Start()
	// The child holds its own ends now: closing ours makes the pipes end
	// when it does.
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("%w: start a query worker: %w", ErrNoWorker, err)
	}
	started = true
	go func() {
		w.waitErr = cmd.Wait()
		if dir := workerTempDir(p.wcfg.TempDir, cmd.Process.Pid); dir != "" {
			os.RemoveAll(dir)
		}
		<-p.slots
		close(w.exited)
	}()
	if err := w.send(toWorker{Config: &p.wcfg}); err != nil {
		w.kill()
		<-w.exited
		return nil, fmt.Errorf("%w: %w", ErrNoWorker, p.died(w, fmt.Errorf("send the configuration: %w", err)))
	}
	return w, nil
}

// workerEnv is a worker's environment: none of the server's (which may
// hold its credentials), but the Go runtime's own settings.
func workerEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GORACE=") || strings.HasPrefix(kv, "GOTRACEBACK=") || strings.HasPrefix(kv, "GODEBUG=") || strings.HasPrefix(kv, "TMPDIR=") {
			env = append(env, kv)
		}
	}
	return env
}

// alive tells whether the worker's process has not exited.
func (w *worker) alive() bool {
	select {
	case <-w.exited:
		return false
	default:
		return true
	}
}

// send writes a line to the worker.
func (w *worker) send(v toWorker) error {
	w.sendMu.Lock()
	defer w.sendMu.Unlock()
	return writeFrame(w.stdin, v)
}

func (w *worker) closeStdin() { w.stdinOnce.Do(func() { w.stdin.Close() }) }

// kill kills the worker's process group and closes the pipes.
func (w *worker) kill() {
	w.killed.Store(true)
	killWorker(w.cmd)
	w.closeStdin()
	go func() {
		<-w.exited
		w.stdout.Close()
	}()
}

// died explains a worker that stopped talking without being asked to: the
// kernel refused or took its memory, or it crashed.
func (p *Pool) died(w *worker, cause error) error {
	select {
	case <-w.exited:
	case <-time.After(5 * time.Second):
		w.kill()
		<-w.exited
	}
	tail := strings.TrimSpace(w.stderr.String())
	var ee *exec.ExitError
	killedBySystem := errors.As(w.waitErr, &ee) && isKilled(ee) && !w.killed.Load()
	if isAllocationFailure(tail) || killedBySystem {
		return &workerError{msg: p.outOfMemory(""), is: ErrOutOfMemory}
	}
	// The crash report (a Go or C stack trace, registers) is for the
	// server's operator; the caller learns what happened.
	logger := p.cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.Error("query worker crashed", "pid", w.cmd.Process.Pid, "cause", cause, "exit", w.waitErr, "stderr_tail", tail)
	return &workerError{is: ErrCrashed, msg: fmt.Sprintf("the query engine's worker process crashed (%v) while it ran the statement; "+
		"the server's log has its crash report. A deeply nested value (JSON nested thousands of levels, say) can cause this", w.waitErr)}
}

// isKilled tells whether the process ended by SIGKILL: if the pool did
// not send it, the kernel's out-of-memory killer did.
func isKilled(ee *exec.ExitError) bool {
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

var _ io.Writer = (*tailBuffer)(nil)
