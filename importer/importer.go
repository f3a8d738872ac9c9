// Package importer is the import engine: it implements ctlake.ImportRunner. One
// run discovers the region-day prefixes of a trail bucket, lists each
// prefix's log files, fetches them with a pool of workers, decodes them on
// every core, streams their events into segment writers (batch.go), and
// commits them in batches: each batch's segments (one per event day per
// encoder) are recorded in the catalog in the same transaction as the
// files they came from and the statistics they add. That
// one transaction is what makes an import exactly-once: a crash, a
// StopImport or a retry finds every file either committed with all its
// events or not at all.
package importer

import (
	"context"
	"log/slog"
	"time"

	"github.com/ctlake/ctlake"
)

// Importer runs imports.
type Importer struct {
	Catalog  ctlake.Catalog
	Segments ctlake.SegmentStore
	Logger   *slog.Logger
	Now      func() time.Time

	// Workers is how many files are fetched at once (32 when
	// zero): trail files are small, so an import is bound by round trips
	// to the source, not by the CPU.
	Workers int
	// BatchEvents and BatchInterval bound a commit: a batch is committed
	// once it holds BatchEvents events (250,000 when zero) or is
	// BatchInterval old (eight seconds when zero; the first commits of a
	// run come after one, two and four seconds), which keeps the
	// statistics live. A batch's events do not wait in memory (see batch.go), so a
	// large batch costs no memory and gives larger, better compressed
	// segments.
	BatchEvents   int
	BatchInterval time.Duration
	// Decoders is how many files are decoded at once (GOMAXPROCS when
	// zero), whatever the number of Workers fetching them.
	Decoders int
	// Encoders is the most goroutines that encode and compress a batch's
	// segments at once (GOMAXPROCS when zero); each writes its own segment
	// per event day.
	Encoders int
	// KeepOutOfWindowRecords turns off the record-level time filter: by
	// default a record is imported only if StartEventTime ≤ eventTime ≤
	// EndEventTime (spec §4.6 leaves this open; see the README).
	KeepOutOfWindowRecords bool
	// DedupeEventIDs keeps one event per eventID within an import (see
	// dedupe.go). Off by default, as on AWS.
	DedupeEventIDs bool
	// MaxUncompressedBytes caps what one file may inflate to (2 GiB when
	// zero), so a gzip bomb fails instead of filling memory or disk.
	MaxUncompressedBytes int64
}

var _ ctlake.ImportRunner = (*Importer)(nil)

// Run imports im into eds from src; see ctlake.ImportRunner.
func (imp *Importer) Run(ctx context.Context, im *ctlake.Import, eds *ctlake.EventDataStore, src ctlake.Source, scope ctlake.ImportScope) error {
	r := &run{
		imp:    imp,
		im:     im,
		eds:    eds,
		src:    src,
		scope:  scope,
		window: newWindow(im, eds, imp.now(), !imp.KeepOutOfWindowRecords),
		log:    imp.logger().With("import_id", im.ID),
	}
	return r.do(ctx)
}

func (imp *Importer) now() time.Time {
	if imp.Now != nil {
		return imp.Now()
	}
	return time.Now()
}

func (imp *Importer) logger() *slog.Logger {
	if imp.Logger != nil {
		return imp.Logger
	}
	return slog.Default()
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// window is what an import keeps: events of StartEventTime..EndEventTime
// (zero: open), and none older than the store's retention.
type window struct {
	start, end time.Time
	retention  time.Time // events before it are never copied (spec §4.5)
	// filterRecords applies start and end to each record, not only to
	// prefixes and file names.
	filterRecords bool
}

func newWindow(im *ctlake.Import, eds *ctlake.EventDataStore, now time.Time, filterRecords bool) window {
	return window{start: im.StartEventTime, end: im.EndEventTime,
		retention: now.UTC().AddDate(0, 0, -eds.RetentionPeriod), filterRecords: filterRecords}
}

// from is the earliest event time kept.
func (w window) from() time.Time {
	if w.start.After(w.retention) {
		return w.start
	}
	return w.retention
}

// spanInside reports whether files delivered between first and last (day,
// month or year folders) can hold events of the window. A file holds events
// up to its delivery time, so folders that end before the window's first
// day are out; so are folders that begin more than 15 minutes after its
// end (spec §4.6).
func (w window) spanInside(first, last time.Time) bool {
	if last.Before(w.from().Truncate(24 * time.Hour)) {
		return false
	}
	return w.end.IsZero() || !first.After(w.end.Add(15*time.Minute))
}

// byRetention reports whether data of up to t is out of the window
// because of the store's retention alone: the import's own StartEventTime
// would have kept it.
func (w window) byRetention(t time.Time) bool {
	return t.Before(w.retention) && (w.start.IsZero() || !t.Before(w.start))
}

// fileInside reports whether a file delivered at t (from its name) can hold
// events of the window.
func (w window) fileInside(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	if t.Add(time.Minute).Before(w.from()) {
		return false // the name has minute precision
	}
	return w.end.IsZero() || !t.After(w.end.Add(15*time.Minute))
}

// keep reports whether an event with this time is imported.
func (w window) keep(t time.Time) bool {
	if t.Before(w.retention) {
		return false
	}
	if !w.filterRecords {
		return true
	}
	return (w.start.IsZero() || !t.Before(w.start)) && (w.end.IsZero() || !t.After(w.end))
}
