package duckdb

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// The protocol between a Pool and one of its worker processes: JSON
// objects, one a line, on the worker's stdin and stdout. A worker serves
// jobs one at a time until its stdin ends:
//
//	parent → worker  {"config": {...}}                 at spawn
//	worker → parent  {"ready": true}                   DuckDB is open
//	parent → worker  {"job": {"op": "check"|"query", ...}}
//	worker → parent  {"columns": [...]}                query: once, before rows
//	worker → parent  {"rows": [[...], ...]}            query: batches of rows
//	worker → parent  {"done": {"rows": n}} | {"error": {...}}   last line
//
//	parent → worker  {"cancel": true}                  while a job runs
//
// A cancel line (or the end of stdin) stops the job: the worker interrupts
// DuckDB, sends the rows it holds and its last line. A worker that does not
// end then is killed, as is one that a check keeps busy too long; the pool
// gives another job only to a worker whose last job ended by itself.

// maxFrame bounds one line from a worker, so that a hostile query cannot
// make the server hold a huge value: a worker sends no row larger than
// maxRow, and batches of rows no larger than rowBatchBytes plus one row.
const (
	maxFrame      = 64 << 20
	maxRow        = 16 << 20
	rowBatchBytes = 1 << 20
	rowBatchRows  = 512
)

// workerConfig is the engine configuration a worker opens DuckDB with, and
// its memory budget.
type workerConfig struct {
	MemoryLimit    string   `json:"memory_limit"`
	Threads        int      `json:"threads"`
	TempDir        string   `json:"temp_dir"`
	MaxTempDirSize string   `json:"max_temp_dir_size"`
	AllowedDirs    []string `json:"allowed_dirs"`
	// MemoryBudget is how many bytes the worker's data mappings may grow
	// past what they were when it started (RLIMIT_DATA); 0 means no limit.
	MemoryBudget int64 `json:"memory_budget"`
}

// job is one check or query for a worker.
type job struct {
	Op     string              `json:"op"` // "check" or "query"
	SQL    string              `json:"sql"`
	Tables []string            `json:"tables,omitempty"` // check: the store table names
	Stores map[string][]string `json:"stores,omitempty"` // query: table name → segment paths
}

// jobError is how a job failed, as the worker saw it.
type jobError struct {
	// Kind is "not_allowed" (ErrNotAllowed), "out_of_memory" (DuckDB's
	// out-of-memory error), "interrupted" (the parent cancelled the job)
	// or "" for any other error.
	Kind    string `json:"kind,omitempty"`
	Message string `json:"message"`
}

// jobDone ends a job that succeeded.
type jobDone struct {
	Rows int64 `json:"rows"`
}

// toWorker is a line from the parent to a worker.
type toWorker struct {
	Config *workerConfig `json:"config,omitempty"`
	Job    *job          `json:"job,omitempty"`
	Cancel bool          `json:"cancel,omitempty"`
}

// fromWorker is a line from a worker to the parent.
type fromWorker struct {
	Ready   bool        `json:"ready,omitempty"`
	Columns []string    `json:"columns,omitempty"`
	Rows    [][]*string `json:"rows,omitempty"`
	Done    *jobDone    `json:"done,omitempty"`
	Error   *jobError   `json:"error,omitempty"`
}

// errFrameTooLarge is a line from a worker longer than maxFrame.
var errFrameTooLarge = fmt.Errorf("a line from the query worker is larger than %d MiB", maxFrame>>20)

// frameReader reads the lines of a worker, each at most maxFrame bytes.
type frameReader struct {
	r   *bufio.Reader
	buf []byte
}

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// next decodes the next line into v. It returns io.EOF at the end of the
// stream, io.ErrUnexpectedEOF for a last line cut short.
func (f *frameReader) next(v any) error {
	f.buf = f.buf[:0]
	for {
		chunk, err := f.r.ReadSlice('\n')
		if len(f.buf)+len(chunk) > maxFrame {
			return errFrameTooLarge
		}
		f.buf = append(f.buf, chunk...)
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF && len(f.buf) > 0 {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if err := json.Unmarshal(f.buf, v); err != nil {
		return fmt.Errorf("a line from the query worker: %w", err)
	}
	return nil
}

// writeFrame writes v as one line.
func writeFrame(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
