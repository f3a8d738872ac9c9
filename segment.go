package ctlake

import (
	"context"
	"time"
)

// Segment is one immutable columnar file of events of one store and one
// event day (UTC). A segment exists for readers only once the catalog has
// recorded it, in the same transaction that marks its source files done:
// a file on disk that the catalog does not know is garbage from a crash and
// is removed at start-up.
type Segment struct {
	ID      string
	StoreID string
	Day     time.Time // midnight UTC of the events' day
	// Path is relative to the segment store's root, with "/" separators.
	Path     string
	Events   int64
	Bytes    int64
	MinTime  time.Time
	MaxTime  time.Time
	ImportID string // the import that wrote it
}

// SegmentStore writes and removes segment files.
type SegmentStore interface {
	// WriteSegment writes events, all of the same UTC day, as one new
	// segment of the store, durably (written, synced and renamed into
	// place), and returns its descriptor with Path, Events, Bytes, MinTime
	// and MaxTime set.
	WriteSegment(ctx context.Context, storeID string, day time.Time, events []*Event) (Segment, error)
	// NewSegmentWriter starts a new segment of the store for events of
	// day (a midnight UTC), streamed in with Write and published durably by
	// Close, as WriteSegment does.
	NewSegmentWriter(storeID string, day time.Time) (SegmentWriter, error)
	// RemoveSegment removes a segment's file; a missing file is no error.
	RemoveSegment(ctx context.Context, path string) error
	// SegmentPaths lists the paths of every segment file on disk.
	SegmentPaths(ctx context.Context) ([]string, error)
	// RemoveTempFiles removes the partial files of writes that began
	// before the given time and never finished (a crash mid-write).
	RemoveTempFiles(ctx context.Context, before time.Time) error
}

// SegmentWriter streams events into one new segment. It is not safe for
// concurrent use.
type SegmentWriter interface {
	// Write appends events, all of the segment's day; they are not kept.
	Write(ctx context.Context, events []*Event) error
	// Events returns how many events were written so far.
	Events() int64
	// Close publishes the segment durably (it must hold an event) and
	// returns its descriptor; on an error nothing is left behind.
	Close(ctx context.Context) (Segment, error)
	// Abort gives the segment up and removes what was written.
	Abort()
}
