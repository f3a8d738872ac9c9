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
	"github.com/ctlake/ctlake/trail"
)

// run is one attempt at one import.
type run struct {
	imp    *Importer
	im     *ctlake.Import
	eds    *ctlake.EventDataStore
	src    ctlake.Source
	scope  ctlake.ImportScope
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
	count    int // the file's events, once they went to the encoders
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
	// Decoded files wait here for the committer. Few: a decoded file takes
	// about 2.5 times its JSON in memory, and the slots below already keep
	// the CPU busy.
	outcomes := make(chan outcome, 2)
	// A worker fetches with no limit but its number; it decodes only with a
	// slot, held until the committer took the file's events. So however
	// many fetches are in flight (round trips to S3 are what limits tiny
	// files), at most decoders+2 decoded files are in memory (large files
	// need the CPU, not more of them at once).
	slots := make(chan struct{}, orDefault(r.imp.Decoders, runtime.GOMAXPROCS(0)))

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
				o, held := r.read(ctx, t, slots)
				select {
				case outcomes <- o:
				case <-ctx.Done():
				}
				if held {
					<-slots
				}
				if ctx.Err() != nil {
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
func (r *run) read(ctx context.Context, t task, slots chan struct{}) (_ outcome, held bool) {
	o := outcome{prefix: t.prefix, key: t.obj.Key, retry: t.retry, listed: -1}
	rc, err := r.src.Open(ctx, t.obj.Key)
	if err != nil {
		o.failType, o.failMsg = describeSourceError(err)
		return o, false
	}
	defer rc.Close()
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		o.failType, o.failMsg = ctlake.FailureSourceUnavailable, "The import stopped while reading this file."
		return o, false
	}
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
	return o, true
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
	b := r.newBatch(ctx)
	// What is not committed when the loop ends (a stop, an error) is
	// dropped, and redone by the next run.
	defer func() { b.enc.abandon() }()
	pending := map[string]int{} // prefix → files queued and not yet committed
	listed := map[string]bool{} // prefix → its listing is complete
	batchEvents := orDefault(r.imp.BatchEvents, 250_000)
	// The first commits come quickly, so that the statistics move at once;
	// then the interval doubles up to BatchInterval, so that a long import
	// writes few, large segments.
	interval, maxInterval := time.Second, orDefault(r.imp.BatchInterval, 8*time.Second)
	timer := time.NewTimer(min(interval, maxInterval))
	defer timer.Stop()

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
				if err := b.add(ctx, o); err != nil {
					if ctx.Err() != nil {
						return nil
					}
					return err
				}
				pending[o.prefix]--
				completeIfDone(o.prefix)
			}
			if b.events < batchEvents {
				continue
			}
		case <-timer.C:
			interval = min(2*interval, maxInterval)
			timer.Reset(interval)
			if b.empty() {
				continue
			}
		case <-ctx.Done():
			return nil
		}
		if err := r.commit(ctx, b); err != nil {
			return err
		}
		b = r.newBatch(ctx)
	}
}

// commit publishes the batch's segments, then records them, its files,
// prefixes and statistics in one catalog transaction. If the transaction
// fails, the segment files are removed; if the process dies in between,
// the start-up sweep removes them.
func (r *run) commit(ctx context.Context, b *batch) error {
	if b.empty() {
		return nil
	}
	segs, err := b.enc.close()
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	now := ctlake.Millis(r.imp.now())
	err = r.imp.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		im, err := tx.Import(r.im.ID)
		if err != nil {
			return err
		}
		st := &im.Statistics
		for _, seg := range segs {
			seg.ImportID = r.im.ID
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
			f := ctlake.ImportFile{Key: o.key, Prefix: o.prefix, Location: r.src.Location(o.key), UpdatedAt: now, Events: int64(o.count)}
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

func (r *run) removeSegments(segs []ctlake.Segment) {
	for _, s := range segs {
		if err := r.imp.Segments.RemoveSegment(context.Background(), s.Path); err != nil {
			r.log.Error("remove uncommitted segment", "path", s.Path, "error", err)
		}
	}
}
