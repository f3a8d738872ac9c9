package duckdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"
)

// WorkerArg is the hidden subcommand that turns a binary embedding this
// package into a query worker: a program whose Pool runs it must call
// ServeWorker when its first argument is WorkerArg, before anything else.
const WorkerArg = "__query-worker"

// ServeWorker is the life of a worker process: it reads its configuration
// from in, limits its own memory, opens DuckDB with the sandbox settings,
// says it is ready, serves jobs one at a time and returns at the end of in. Everything it says goes to
// out as the protocol's lines (protocol.go); an error it returns happened
// before it could say so there.
func ServeWorker(in io.Reader, out io.Writer) error {
	r := newFrameReader(in)
	var first toWorker
	if err := r.next(&first); err != nil {
		return fmt.Errorf("query worker: read the configuration: %w", err)
	}
	cfg := first.Config
	if cfg == nil {
		return errors.New("query worker: the first line is not a configuration")
	}
	if cfg.MemoryBudget > 0 {
		if err := limitMemory(cfg.MemoryBudget); err != nil {
			return writeFrame(out, fromWorker{Error: &jobError{Message: fmt.Sprintf("limit the worker's memory: %v", err)}})
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tempDir := workerTempDir(cfg.TempDir, os.Getpid())
	if tempDir != "" {
		defer os.RemoveAll(tempDir)
	}
	e, err := Open(ctx, Config{
		MemoryLimit: cfg.MemoryLimit, Threads: cfg.Threads, TempDir: tempDir,
		MaxTempDirSize: cfg.MaxTempDirSize, AllowedDirs: cfg.AllowedDirs,
	})
	if err != nil {
		return writeFrame(out, fromWorker{Error: &jobError{Message: err.Error()}})
	}
	defer e.Close()
	if err := writeFrame(out, fromWorker{Ready: true}); err != nil {
		return err
	}
	// One goroutine reads stdin: jobs go to the loop below; a cancel line,
	// or the end of stdin, cancels the job running.
	jobs := make(chan *job)
	var mu sync.Mutex
	cancelJob := context.CancelFunc(func() {})
	go func() {
		defer close(jobs)
		for {
			var msg toWorker
			err := r.next(&msg)
			if err != nil || msg.Cancel {
				mu.Lock()
				cancelJob()
				mu.Unlock()
			}
			if err != nil {
				return
			}
			if msg.Job != nil {
				jobs <- msg.Job
			}
		}
	}()
	for j := range jobs {
		jobCtx, cancel := context.WithCancel(ctx)
		mu.Lock()
		cancelJob = cancel
		mu.Unlock()
		w := &rowWriter{out: out}
		err := w.serve(jobCtx, e, j)
		if err != nil {
			err = writeFrame(out, fromWorker{Error: describeError(jobCtx, err)})
		} else {
			err = writeFrame(out, fromWorker{Done: &jobDone{Rows: w.rows}})
		}
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// workerTempDir is the folder a worker spills to: its own, inside the
// engine's, since DuckDB names its temporary files without regard to other
// processes. The worker removes it when it ends, the pool when it killed
// the worker.
func workerTempDir(base string, pid int) string {
	if base == "" {
		return ""
	}
	return filepath.Join(base, "worker-"+strconv.Itoa(pid))
}

// describeError puts an error of a job into the protocol's shape.
func describeError(ctx context.Context, err error) *jobError {
	var de *duckdbdrv.Error
	switch {
	case ctx.Err() != nil:
		return &jobError{Kind: "interrupted", Message: err.Error()}
	case errors.Is(err, ErrNotAllowed):
		return &jobError{Kind: "not_allowed", Message: err.Error()}
	case errors.As(err, &de) && de.Type == duckdbdrv.ErrorTypeOutOfMemory:
		return &jobError{Kind: "out_of_memory", Message: err.Error()}
	}
	return &jobError{Message: err.Error()}
}

// rowWriter sends a query's columns and rows to the parent in batches.
type rowWriter struct {
	out     io.Writer
	columns bool
	batch   [][]*string
	bytes   int
	since   time.Time // when the first row of batch came
	rows    int64
}

// serve runs the job on e.
func (w *rowWriter) serve(ctx context.Context, e *Engine, j *job) error {
	switch j.Op {
	case "check":
		return e.Check(ctx, j.SQL, j.Tables)
	case "query":
		_, err := e.Query(ctx, j.SQL, j.Stores, w.add)
		if ferr := w.flush(); err == nil {
			err = ferr
		}
		return err
	}
	return fmt.Errorf("query worker: unknown job %q", j.Op)
}

// add is the sink of the query: it sends the columns once, then the rows,
// a batch when it is large or a tenth of a second old.
func (w *rowWriter) add(columns []string, row []*string) error {
	if !w.columns {
		if err := writeFrame(w.out, fromWorker{Columns: columns}); err != nil {
			return err
		}
		w.columns = true
	}
	size := 0
	for _, v := range row {
		if v != nil {
			size += len(*v) + 8
		}
	}
	if size > maxRow {
		return fmt.Errorf("a result row is larger than %d MiB", maxRow>>20)
	}
	if len(w.batch) == 0 {
		w.since = time.Now()
	}
	w.batch = append(w.batch, row)
	w.bytes += size
	w.rows++
	if len(w.batch) >= rowBatchRows || w.bytes >= rowBatchBytes || time.Since(w.since) > 100*time.Millisecond {
		return w.flush()
	}
	return nil
}

func (w *rowWriter) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	err := writeFrame(w.out, fromWorker{Rows: w.batch})
	w.batch, w.bytes = w.batch[:0], 0
	return err
}
