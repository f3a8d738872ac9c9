//lint:file-ignore SA1019 parquet.Writer (the row writer) is what the segment encoder is built on until a column encoder replaces it (issue 14)

package segment

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/parquet-go/parquet-go"
)

// Writer streams events into one new segment file. Rows are encoded and
// compressed page by page as they arrive, so a writer holds the compressed
// pages of its file and one uncompressed page per column, never the events
// themselves: the import engine hands events over and forgets them.
//
// The file is written under a temporary name; Close publishes it (synced,
// renamed into place, its folder synced), Abort removes it. A crash leaves
// only the temporary file, which RemoveTempFiles sweeps at start-up.
type Writer struct {
	store *Store
	seg   ctlake.Segment
	dir   string
	tmp   string
	f     *os.File
	pw    *parquet.Writer
	b     rowBuilder
	rows  []parquet.Row
	err   error // the first error: the writer is unusable after it
}

var _ ctlake.SegmentWriter = (*Writer)(nil)

// NewSegmentWriter starts a new segment of the store storeID for events of
// day (a midnight UTC).
func (s *Store) NewSegmentWriter(storeID string, day time.Time) (ctlake.SegmentWriter, error) {
	return s.newWriter(storeID, day)
}

func (s *Store) newWriter(storeID string, day time.Time) (*Writer, error) {
	day = day.UTC()
	if !validName(storeID) {
		return nil, fmt.Errorf("write segment: invalid event data store id %q", storeID)
	}
	if !day.Equal(day.Truncate(24 * time.Hour)) {
		return nil, fmt.Errorf("write segment: day %s is not a midnight UTC", day.Format(time.RFC3339Nano))
	}
	id := ctlake.NewID()
	partition := partitionPrefix + day.Format(dayLayout)
	w := &Writer{
		store: s,
		seg:   ctlake.Segment{ID: id, StoreID: storeID, Day: day, Path: path.Join(storeID, partition, id+segmentExt)},
		dir:   filepath.Join(s.Root, storeID, partition),
	}
	w.tmp = filepath.Join(w.dir, "."+id+segmentExt+tempExt)
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		return nil, fmt.Errorf("write segment %s: %w", w.seg.Path, err)
	}
	f, err := os.OpenFile(w.tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("write segment %s: %w", w.seg.Path, err)
	}
	w.f = f
	w.pw = s.newParquetWriter(f)
	w.rows = make([]parquet.Row, rowBatch)
	return w, nil
}

// newParquetWriter returns the writer of a segment's Parquet encoding.
func (s *Store) newParquetWriter(f *os.File) *parquet.Writer {
	codec := s.Compression
	if codec == nil {
		codec = &parquet.Zstd
	}
	rowGroupSize := s.RowGroupSize
	if rowGroupSize <= 0 {
		rowGroupSize = DefaultRowGroupSize
	}
	return parquet.NewWriter(f, schema,
		parquet.Compression(codec),
		parquet.MaxRowsPerRowGroup(int64(rowGroupSize)),
		parquet.PageBufferSize(pageBufferSize),
		parquet.DictionaryMaxBytes(dictionaryMaxBytes),
		// Version 1 data pages compress the definition and repetition levels
		// with the values (version 2 leaves them raw), and every reader
		// knows them.
		parquet.DataPageVersion(1),
		// Readers that skip pages find each page's bounds in the page
		// index, which the writer fills; repeating them in each page header
		// costs two whole eventjson values per page for nothing.
		parquet.DataPageStatistics(false),
	)
}

// Events returns how many events were written so far.
func (w *Writer) Events() int64 { return w.seg.Events }

// Write appends events, all of the writer's day, to the segment. The events
// are not kept or modified.
func (w *Writer) Write(ctx context.Context, events []*ctlake.Event) error {
	if w.err != nil {
		return w.err
	}
	end := w.seg.Day.AddDate(0, 0, 1)
	for i, e := range events {
		if e == nil {
			return w.fail(fmt.Errorf("event %d is nil", i))
		}
		if e.EventTime.Before(w.seg.Day) || !e.EventTime.Before(end) {
			return w.fail(fmt.Errorf("event %d has time %s, not on day %s",
				i, e.EventTime.UTC().Format(time.RFC3339Nano), w.seg.Day.Format(dayLayout)))
		}
	}
	for len(events) > 0 {
		if err := ctx.Err(); err != nil {
			return w.fail(err)
		}
		n := min(len(events), len(w.rows))
		for i, e := range events[:n] {
			w.rows[i] = w.b.build(w.rows[i], e)
			if w.b.col != columns {
				return w.fail(fmt.Errorf("internal error: a row has %d columns, the schema %d", w.b.col, columns))
			}
			w.note(e.EventTime)
		}
		if _, err := w.pw.WriteRows(w.rows[:n]); err != nil {
			return w.fail(err)
		}
		events = events[n:]
	}
	return nil
}

// note counts an event of time t in the segment's descriptor.
func (w *Writer) note(t time.Time) {
	t = ctlake.Millis(t) // the stored precision
	if w.seg.Events == 0 || t.Before(w.seg.MinTime) {
		w.seg.MinTime = t
	}
	if w.seg.Events == 0 || t.After(w.seg.MaxTime) {
		w.seg.MaxTime = t
	}
	w.seg.Events++
}

func (w *Writer) fail(err error) error {
	w.err = fmt.Errorf("write segment %s: %w", w.seg.Path, err)
	return w.err
}

// Close finishes the file and publishes it durably, and returns its
// descriptor. A segment must hold at least one event. On an error the
// temporary file is removed.
func (w *Writer) Close(ctx context.Context) (ctlake.Segment, error) {
	if w.err == nil && w.seg.Events == 0 {
		w.fail(errors.New("no events"))
	}
	if w.err == nil {
		if err := w.publish(); err != nil {
			w.fail(err)
		}
	}
	if w.err != nil {
		w.Abort()
		return ctlake.Segment{}, w.err
	}
	w.tmp, w.err = "", fmt.Errorf("write segment %s: closed", w.seg.Path)
	return w.seg, nil
}

// publish closes the Parquet file, syncs it and renames it into place.
func (w *Writer) publish() error {
	if err := w.pw.Close(); err != nil {
		return err
	}
	if err := w.f.Sync(); err != nil {
		return err
	}
	info, err := w.f.Stat()
	if err != nil {
		return err
	}
	if err := w.f.Close(); err != nil {
		return err
	}
	final := filepath.Join(w.dir, w.seg.ID+segmentExt)
	if err := os.Rename(w.tmp, final); err != nil {
		return err
	}
	w.tmp = final // from here on, Abort removes the published file
	// The rename is durable once the partition folder is synced. The
	// partition, store and root folders may be new: their own entries are
	// durable once their parents are synced, which is done the first time
	// this Store writes to each of them.
	if err := syncDir(w.dir); err != nil {
		return err
	}
	for _, d := range []string{w.dir, filepath.Dir(w.dir), filepath.Dir(filepath.Dir(w.dir))} {
		if _, ok := w.store.durable.Load(d); ok {
			continue
		}
		if err := syncDir(filepath.Dir(d)); err != nil {
			return err
		}
		w.store.durable.Store(d, true)
	}
	w.seg.Bytes = info.Size()
	return nil
}

// Abort gives the segment up and removes its file. It may be called after
// Close failed, and more than once.
func (w *Writer) Abort() {
	if w.f != nil {
		w.f.Close() // a second Close is harmless
	}
	if w.tmp != "" {
		os.Remove(w.tmp)
		w.tmp = ""
	}
	if w.err == nil {
		w.err = fmt.Errorf("write segment %s: aborted", w.seg.Path)
	}
}
