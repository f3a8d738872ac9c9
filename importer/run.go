package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/lake"
	"github.com/ctlake/ctlake/trail"
)

// run is one attempt at one import.
type run struct {
	imp    *Importer
	im     *ctlake.Import
	eds    *ctlake.EventDataStore
	src    ctlake.Source
	scope  lake.Scope
	window window
	log    *slog.Logger

	// What earlier attempts recorded, read once at the start.
	files    map[string]ctlake.ImportFile
	prefixes map[string]bool // day prefix → completed
	// retryPrefixes hold files in RETRY: they are listed again even if
	// they were completed.
	retryPrefixes map[string]bool
	// ids are the eventIDs committed so far, when de-duplicating.
	ids *idSet
}

// task is one file to fetch and decode.
type task struct {
	prefix string
	obj    ctlake.Object
	retry  bool // the file is a failure entry being retried
}

// outcome is what became of a file, or news about a prefix, on its way to
// the committer.
type outcome struct {
	prefix string
	// A file:
	key      string
	retry    bool
	events   []*ctlake.Event
	failType string
	failMsg  string
	// News about a prefix instead of a file:
	found  bool // discovered (first time for this import)
	listed int  // listing finished, with this many files queued (-1: not news)
}

func (r *run) do(ctx context.Context) error {
	err := r.imp.Catalog.View(ctx, func(tx ctlake.Tx) (err error) {
		if r.files, err = tx.ImportFiles(r.im.ID); err != nil {
			return err
		}
		r.prefixes, err = tx.ImportPrefixes(r.im.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("read import state: %w", err)
	}
	if r.imp.DedupeEventIDs {
		if err := r.loadCommittedIDs(ctx); err != nil {
			return err
		}
	}
	r.retryPrefixes = map[string]bool{}
	for _, f := range r.files {
		if f.State == ctlake.FileRetry {
			r.retryPrefixes[f.Prefix] = true
		}
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers := orDefault(r.imp.Workers, 32)
	tasks := make(chan task, workers*2)
	outcomes := make(chan outcome, workers*2)

	var wg sync.WaitGroup
	wg.Add(1)
	var discoverErr error
	go func() {
		defer wg.Done()
		defer close(tasks)
		discoverErr = r.discover(ctx, tasks, outcomes)
		if discoverErr != nil {
			cancel(discoverErr)
		}
	}()
	var workersWG sync.WaitGroup
	for range workers {
		workersWG.Add(1)
		go func() {
			defer workersWG.Done()
			for t := range tasks {
				select {
				case outcomes <- r.read(ctx, t):
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		workersWG.Wait()
		close(outcomes)
	}()

	commitErr := r.commitLoop(ctx, outcomes)
	if commitErr != nil {
		cancel(commitErr)
	}
	// Drain, so that every goroutine of this run has ended when Run returns.
	for range outcomes {
	}
	switch {
	case commitErr != nil:
		return commitErr
	case discoverErr != nil:
		return discoverErr
	}
	return context.Cause(ctx)
}

// read fetches and decodes one file. Its events stay in memory until the
// committer has written them: a file is imported whole or not at all.
func (r *run) read(ctx context.Context, t task) outcome {
	o := outcome{prefix: t.prefix, key: t.obj.Key, retry: t.retry, listed: -1}
	rc, err := r.src.Open(ctx, t.obj.Key)
	if err != nil {
		o.failType, o.failMsg = describeSourceError(err)
		return o
	}
	defer rc.Close()
	maxBytes := orDefault(r.imp.MaxUncompressedBytes, 2<<30)
	err = trail.Decode(io.LimitReader(rc, ctlake.MaxTrailFileBytes+1), maxBytes, func(e *ctlake.Event) error {
		if r.window.keep(e.EventTime) {
			o.events = append(o.events, e)
		}
		return nil
	})
	if err != nil {
		var fe *trail.FileError
		switch {
		case errors.As(err, &fe):
			o.failType, o.failMsg = fe.Type, fe.Message
		case ctx.Err() != nil:
			o.failType, o.failMsg = ctlake.FailureSourceUnavailable, "The import stopped while reading this file."
		default:
			o.failType, o.failMsg = describeSourceError(err)
		}
		o.events = nil
	}
	return o
}

// describeSourceError turns an error of the source into a failure entry.
func describeSourceError(err error) (string, string) {
	var se *ctlake.SourceError
	if errors.As(err, &se) {
		msg := se.Message
		if se.Err != nil {
			msg += ": " + se.Err.Error()
		}
		return se.Type, msg
	}
	return ctlake.FailureSourceUnavailable, "Reading the object failed: " + err.Error() + ". Retry the import once the source is reachable."
}

// precheck returns why a listed object must fail before it is read, or "".
func precheck(o ctlake.Object) (string, string) {
	switch {
	case strings.HasSuffix(o.Key, "/"):
		return ctlake.FailureInvalidFileFormat, "The key ends with '/': it is a folder marker, not a log file."
	case o.Size > ctlake.MaxTrailFileBytes:
		return ctlake.FailureFileTooLarge, fmt.Sprintf("The object is %d bytes; CloudTrail log files are at most %d bytes (50 MB) compressed, so this is not one.", o.Size, int64(ctlake.MaxTrailFileBytes))
	case o.Size == 0:
		return ctlake.FailureInvalidFileFormat, "The object is empty (0 bytes): a log file is a gzip-compressed JSON object."
	}
	switch o.StorageClass {
	case "GLACIER", "DEEP_ARCHIVE":
		return ctlake.FailureInvalidObjectState, fmt.Sprintf("The object is in the %s storage class and cannot be read until it is restored; restore it, then retry the import.", o.StorageClass)
	}
	return "", ""
}

// commitLoop gathers outcomes into batches and commits them.
func (r *run) commitLoop(ctx context.Context, outcomes <-chan outcome) error {
	b := newBatch()
	pending := map[string]int{} // prefix → files queued and not yet committed
	listed := map[string]bool{} // prefix → its listing is complete
	batchEvents := orDefault(r.imp.BatchEvents, 20_000)
	ticker := time.NewTicker(orDefault(r.imp.BatchInterval, time.Second))
	defer ticker.Stop()

	// known is the committer's own copy of the prefixes' states: discovery
	// reads r.prefixes at the same time.
	known := make(map[string]bool, len(r.prefixes))
	for p, done := range r.prefixes {
		known[p] = done
	}
	completeIfDone := func(prefix string) {
		if listed[prefix] && pending[prefix] == 0 && !known[prefix] {
			b.completed = append(b.completed, prefix)
			known[prefix] = true
		}
	}
	for {
		select {
		case o, ok := <-outcomes:
			if !ok {
				if ctx.Err() != nil {
					return nil // stopped: what was not committed is redone later
				}
				return r.commit(ctx, b)
			}
			switch {
			case o.found:
				if _, seen := known[o.prefix]; !seen {
					known[o.prefix] = false
					b.found = append(b.found, o.prefix)
				}
			case o.listed >= 0:
				listed[o.prefix] = true
				pending[o.prefix] += o.listed
				completeIfDone(o.prefix)
			default:
				o.events = r.dedupe(o.events)
				b.add(o)
				pending[o.prefix]--
				completeIfDone(o.prefix)
			}
			if b.events < batchEvents {
				continue
			}
		case <-ticker.C:
			if b.empty() {
				continue
			}
		case <-ctx.Done():
			return nil
		}
		if err := r.commit(ctx, b); err != nil {
			return err
		}
		b = newBatch()
	}
}

// batch is the work of one commit.
type batch struct {
	files     []outcome
	byDay     map[time.Time][]*ctlake.Event
	events    int
	found     []string
	completed []string
}

func newBatch() *batch { return &batch{byDay: map[time.Time][]*ctlake.Event{}} }

func (b *batch) add(o outcome) {
	for _, e := range o.events {
		day := e.EventTime.UTC().Truncate(24 * time.Hour)
		b.byDay[day] = append(b.byDay[day], e)
	}
	b.events += len(o.events)
	b.files = append(b.files, o)
}

func (b *batch) empty() bool { return len(b.files) == 0 && len(b.found) == 0 && len(b.completed) == 0 }

// commit writes the batch's segments, then records them, its files,
// prefixes and statistics in one catalog transaction. If the transaction
// fails, the segment files are removed; if the process dies in between,
// the start-up sweep removes them.
func (r *run) commit(ctx context.Context, b *batch) error {
	if b.empty() {
		return nil
	}
	segs, err := r.writeSegments(ctx, b)
	if err != nil {
		return err
	}
	now := r.imp.now().UTC().Truncate(time.Millisecond)
	err = r.imp.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		im, err := tx.Import(r.im.ID)
		if err != nil {
			return err
		}
		st := &im.Statistics
		for _, seg := range segs {
			if err := tx.PutSegment(seg); err != nil {
				return err
			}
		}
		for _, p := range b.found {
			if err := tx.PutImportPrefix(im.ID, p, false); err != nil {
				return err
			}
			st.PrefixesFound++
		}
		for _, o := range b.files {
			f := ctlake.ImportFile{Key: o.key, Prefix: o.prefix, Location: r.src.Location(o.key), UpdatedAt: now, Events: int64(len(o.events))}
			switch {
			case o.failType != "":
				f.State, f.ErrorType, f.ErrorMessage = ctlake.FileFailed, o.failType, o.failMsg
				st.FailedEntries++
			case o.retry:
				f.State = ctlake.FileSucceeded
			default:
				f.State = ctlake.FileDone
			}
			if f.State != ctlake.FileFailed {
				st.FilesCompleted++
				st.EventsCompleted += f.Events
			}
			if err := tx.PutImportFile(im.ID, f); err != nil {
				return err
			}
		}
		for _, p := range b.completed {
			if err := tx.PutImportPrefix(im.ID, p, true); err != nil {
				return err
			}
			st.PrefixesCompleted++
		}
		im.UpdatedAt = now
		return tx.PutImport(im) // the status is left as it is: StopImport may have changed it
	})
	if err != nil {
		r.removeSegments(segs)
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("commit import batch: %w", err)
	}
	return nil
}

// writeSegments writes the batch's segments, one per event day, at once on
// all cores: compressing them is the costliest step of an import. On an
// error, the segments already written are removed.
func (r *run) writeSegments(ctx context.Context, b *batch) ([]ctlake.Segment, error) {
	type written struct {
		seg ctlake.Segment
		err error
	}
	out := make(chan written, len(b.byDay))
	limit := make(chan struct{}, runtime.GOMAXPROCS(0))
	for day, events := range b.byDay {
		go func() {
			limit <- struct{}{}
			defer func() { <-limit }()
			seg, err := r.imp.Segments.WriteSegment(ctx, r.eds.ID, day, events)
			if err != nil {
				err = fmt.Errorf("write segment of %s: %w", day.Format(time.DateOnly), err)
			}
			seg.ImportID = r.im.ID
			out <- written{seg, err}
		}()
	}
	var segs []ctlake.Segment
	var errs []error
	for range b.byDay {
		w := <-out
		if w.err != nil {
			errs = append(errs, w.err)
			continue
		}
		segs = append(segs, w.seg)
	}
	if err := errors.Join(errs...); err != nil {
		r.removeSegments(segs)
		return nil, err
	}
	return segs, nil
}

func (r *run) removeSegments(segs []ctlake.Segment) {
	for _, s := range segs {
		if err := r.imp.Segments.RemoveSegment(context.Background(), s.Path); err != nil {
			r.log.Error("remove uncommitted segment", "path", s.Path, "error", err)
		}
	}
}
