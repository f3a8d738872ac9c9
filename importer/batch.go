package importer

import (
	"context"
	"errors"
	"fmt"
	"runtime"
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
	writers := map[time.Time]ctlake.SegmentWriter{}
	abort := func() {
		for _, w := range writers {
			w.Abort()
		}
	}
	var err error
	for events := range e.in {
		if err == nil {
			err = e.write(writers, events)
		}
	}
	if err == nil {
		err = e.ctx.Err()
	}
	if err != nil {
		abort()
		return nil, err
	}
	segs := make([]ctlake.Segment, 0, len(writers))
	for day, w := range writers {
		seg, err := w.Close(e.ctx)
		if err != nil {
			abort()
			for _, s := range segs {
				e.store.RemoveSegment(context.Background(), s.Path)
			}
			return nil, fmt.Errorf("write segment of %s: %w", day.Format(time.DateOnly), err)
		}
		delete(writers, day)
		segs = append(segs, seg)
	}
	return segs, nil
}

// write appends one file's events to the writers of their days.
func (e *encoders) write(writers map[time.Time]ctlake.SegmentWriter, events []*ctlake.Event) error {
	for len(events) > 0 {
		// A file's events are nearly always of one day: write the run of
		// events of the first one's day, then go on with the rest.
		day := eventDay(events[0])
		n := 1
		for n < len(events) && eventDay(events[n]).Equal(day) {
			n++
		}
		w, ok := writers[day]
		if !ok {
			var err error
			if w, err = e.store.NewSegmentWriter(e.storeID, day); err != nil {
				return err
			}
			writers[day] = w
		}
		if err := w.Write(e.ctx, events[:n]); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
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
