package importer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/ctlake/ctlake"
)

// batch is the work of one commit: the files read since the last one, whose
// events are already on their way into segment files, and news about
// prefixes.
//
// Events do not wait in memory for the commit. Each file's events go at once
// to the batch's encoders, which append them to open segment writers (one
// per event day each), where they become compressed Parquet pages; the
// commit then only finishes those files and records them. So memory holds
// the files being read and compressed pages, whatever the size of a batch,
// and batches can be large, which gives few, well-compressed segments.
type batch struct {
	files     []outcome // their events handed to the encoders (outcome.count says how many)
	events    int
	found     []string
	completed []string
	enc       *encoders
}

func (r *run) newBatch(ctx context.Context) *batch {
	return &batch{enc: newEncoders(ctx, r.imp.Segments, r.eds.ID, r.maxEncoders())}
}

// add takes a file's outcome into the batch and hands its events to the
// encoders. It blocks while the encoders are busy, which holds the readers
// back: memory stays flat when the CPU cannot keep up.
func (b *batch) add(ctx context.Context, o outcome) error {
	o.count = len(o.events)
	if len(o.events) > 0 {
		if err := b.enc.send(ctx, o.events); err != nil {
			return err
		}
	}
	o.events = nil
	b.events += o.count
	b.files = append(b.files, o)
	return nil
}

func (b *batch) empty() bool { return len(b.files) == 0 && len(b.found) == 0 && len(b.completed) == 0 }

func (r *run) maxEncoders() int {
	if r.imp.Encoders > 0 {
		return r.imp.Encoders
	}
	return runtime.GOMAXPROCS(0)
}

// backlogWait is how long a file may wait for a busy encoder before
// another one starts.
const backlogWait = 20 * time.Millisecond

// encoders is the pool of goroutines that write one batch's segments. It
// starts with one encoder and adds another, up to max, whenever a file
// waits for them longer than backlogWait: a slow source keeps one encoder
// and one segment per day per batch, a fast one gets every core.
type encoders struct {
	ctx     context.Context
	cancel  context.CancelFunc
	closed  bool
	store   ctlake.SegmentStore
	storeID string
	max     int

	in      chan []*ctlake.Event
	wg      sync.WaitGroup
	mu      sync.Mutex
	started int
	segs    []ctlake.Segment
	errs    []error
}

func newEncoders(ctx context.Context, store ctlake.SegmentStore, storeID string, max int) *encoders {
	ctx, cancel := context.WithCancel(ctx)
	return &encoders{ctx: ctx, cancel: cancel, store: store, storeID: storeID, max: max, in: make(chan []*ctlake.Event, 2)}
}

// send hands a file's events to an encoder.
func (e *encoders) send(ctx context.Context, events []*ctlake.Event) error {
	if e.started == 0 {
		e.start()
	}
	if e.started < e.max {
		// Another encoder (and another segment per day) only if those
		// running cannot keep up: a short wait is a burst, not a backlog.
		timer := time.NewTimer(backlogWait)
		select {
		case e.in <- events:
			timer.Stop()
			return nil
		case <-timer.C:
			e.start()
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	select {
	case e.in <- events:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (e *encoders) start() {
	e.started++
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		segs, err := e.encode()
		e.mu.Lock()
		defer e.mu.Unlock()
		e.segs = append(e.segs, segs...)
		if err != nil {
			e.errs = append(e.errs, err)
		}
	}()
}

// encode is one encoder: it appends the events it receives to a segment
// writer per event day, and publishes those segments once the batch is
// closed. After an error it drains its input and leaves no file behind.
func (e *encoders) encode() ([]ctlake.Segment, error) {
	enc := &encoder{encoders: e, writers: map[time.Time]ctlake.SegmentWriter{}, used: map[time.Time]int{}}
	var err error
	for events := range e.in {
		if err == nil {
			err = enc.write(events)
		}
	}
	if err == nil {
		err = e.ctx.Err()
	}
	// Days in order, so that the first failure, the one reported, is the
	// same on every run.
	for _, day := range slices.SortedFunc(maps.Keys(enc.writers), time.Time.Compare) {
		if err == nil {
			err = enc.publish(day)
		}
	}
	if err != nil {
		enc.discard()
		return nil, err
	}
	return enc.segs, nil
}

// maxOpenWriters bounds the segment writers an encoder keeps open: each
// holds up to a row group of column buffers (tens of MB), and a batch can
// touch many days (late events, files of several days in flight). Past it,
// the writer used least recently is published at once, as a segment of
// the batch.
const maxOpenWriters = 2

// encoder is the state of one encoder goroutine.
type encoder struct {
	*encoders
	writers map[time.Time]ctlake.SegmentWriter
	used    map[time.Time]int // day → when its writer was last written, in files
	files   int
	segs    []ctlake.Segment // published, waiting for the commit
}

// write appends one file's events to the writers of their days.
func (enc *encoder) write(events []*ctlake.Event) error {
	enc.files++
	for len(events) > 0 {
		// A file's events are nearly always of one day: write the run of
		// events of the first one's day, then go on with the rest.
		day := eventDay(events[0])
		n := 1
		for n < len(events) && eventDay(events[n]).Equal(day) {
			n++
		}
		w, ok := enc.writers[day]
		if !ok {
			if len(enc.writers) >= maxOpenWriters {
				if err := enc.publish(enc.leastRecentlyUsed()); err != nil {
					return err
				}
			}
			var err error
			if w, err = enc.store.NewSegmentWriter(enc.storeID, day); err != nil {
				return err
			}
			enc.writers[day] = w
		}
		enc.used[day] = enc.files
		if err := w.Write(enc.ctx, events[:n]); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

func (enc *encoder) leastRecentlyUsed() time.Time {
	var lru time.Time
	for day := range enc.writers {
		if lru.IsZero() || enc.used[day] < enc.used[lru] {
			lru = day
		}
	}
	return lru
}

// publish closes the writer of day and keeps its segment for the commit.
func (enc *encoder) publish(day time.Time) error {
	w := enc.writers[day]
	delete(enc.writers, day)
	delete(enc.used, day)
	seg, err := w.Close(enc.ctx)
	if err != nil {
		return fmt.Errorf("write segment of %s: %w", day.Format(time.DateOnly), err)
	}
	enc.segs = append(enc.segs, seg)
	return nil
}

// discard removes every file of the encoder, open or published.
func (enc *encoder) discard() {
	for _, w := range enc.writers {
		w.Abort()
	}
	for _, s := range enc.segs {
		enc.store.RemoveSegment(context.Background(), s.Path)
	}
}

func eventDay(e *ctlake.Event) time.Time { return e.EventTime.UTC().Truncate(24 * time.Hour) }

// close waits for the encoders to publish the batch's segments and returns
// them. On an error, none of them is left on disk.
func (e *encoders) close() ([]ctlake.Segment, error) {
	e.closed = true
	close(e.in)
	e.wg.Wait()
	e.cancel()
	if err := errors.Join(e.errs...); err != nil {
		for _, s := range e.segs {
			e.store.RemoveSegment(context.Background(), s.Path)
		}
		return nil, err
	}
	return e.segs, nil
}

// abandon gives up a batch that will not be committed, unless it was
// closed: its segment files are removed.
func (e *encoders) abandon() {
	if e.closed {
		return
	}
	e.cancel()
	e.close()
	for _, s := range e.segs {
		e.store.RemoveSegment(context.Background(), s.Path)
	}
}
