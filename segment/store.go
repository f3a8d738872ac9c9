package segment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
)

// DefaultRowGroupSize is the number of rows of a full row group: DuckDB's
// own, the unit in which it reads a file in parallel and prunes by
// statistics.
const DefaultRowGroupSize = 122_880

const (
	partitionPrefix = "eventday="
	dayLayout       = "2006-01-02"
	segmentExt      = ".parquet"
	tempExt         = ".tmp"
	// rowBatch is how many rows are built before being handed to the
	// Parquet writer.
	rowBatch = 256
	// dictionaryMaxBytes bounds a column's dictionary; past it the column
	// goes on in plain encoding.
	dictionaryMaxBytes = 1 << 20
	// pageBufferSize is the size of a column page before compression.
	// Larger pages give zstd more context, above all to the eventjson
	// column, most of a segment's bytes: a segment is 15% smaller in 4 MiB
	// pages than in parquet-go's default of 256 KiB (measured with
	// BenchmarkWriteSegment's events).
	pageBufferSize = 4 << 20
)

// Store is a ctlake.SegmentStore on a local folder.
type Store struct {
	// Root is the folder of the segments, such as <data>/segments.
	Root string
	// Compression is the codec of the column pages; nil means zstd at its
	// default level.
	Compression compress.Codec
	// RowGroupSize is the largest number of rows in a row group; 0 means
	// DefaultRowGroupSize.
	RowGroupSize int

	durable sync.Map // folders whose entry in their parent is synced
}

var _ ctlake.SegmentStore = (*Store)(nil)

// NewStore returns a Store of the segments under root, with zstd
// compression and row groups of DefaultRowGroupSize rows.
func NewStore(root string) *Store {
	return &Store{Root: root, Compression: &parquet.Zstd, RowGroupSize: DefaultRowGroupSize}
}

// WriteSegment writes events, all of day (a midnight UTC), as a new segment
// of the store storeID, sorted by event time, and publishes it atomically:
// the file appears under its final name complete and synced to disk, or not
// at all. The events themselves are not modified.
func (s *Store) WriteSegment(ctx context.Context, storeID string, day time.Time, events []*ctlake.Event) (ctlake.Segment, error) {
	day = day.UTC()
	if !validName(storeID) {
		return ctlake.Segment{}, fmt.Errorf("write segment: invalid event data store id %q", storeID)
	}
	if !day.Equal(day.Truncate(24 * time.Hour)) {
		return ctlake.Segment{}, fmt.Errorf("write segment: day %s is not a midnight UTC", day.Format(time.RFC3339Nano))
	}
	if len(events) == 0 {
		return ctlake.Segment{}, errors.New("write segment: no events")
	}
	end := day.AddDate(0, 0, 1)
	for i, e := range events {
		if e == nil {
			return ctlake.Segment{}, fmt.Errorf("write segment: event %d is nil", i)
		}
		if e.EventTime.Before(day) || !e.EventTime.Before(end) {
			return ctlake.Segment{}, fmt.Errorf("write segment: event %d has time %s, not on day %s",
				i, e.EventTime.UTC().Format(time.RFC3339Nano), day.Format(dayLayout))
		}
	}
	// Sorted rows give each row group and page a narrow eventtime range,
	// which readers use to skip them.
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b *ctlake.Event) int { return a.EventTime.Compare(b.EventTime) })

	id := ctlake.NewID()
	partition := partitionPrefix + day.Format(dayLayout)
	seg := ctlake.Segment{
		ID:      id,
		StoreID: storeID,
		Day:     day,
		Path:    path.Join(storeID, partition, id+segmentExt),
		Events:  int64(len(events)),
		MinTime: time.UnixMilli(events[0].EventTime.UnixMilli()).UTC(),
		MaxTime: time.UnixMilli(events[len(events)-1].EventTime.UnixMilli()).UTC(),
	}
	storeDir := filepath.Join(s.Root, storeID)
	dir := filepath.Join(storeDir, partition)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ctlake.Segment{}, fmt.Errorf("write segment %s: %w", seg.Path, err)
	}
	size, err := s.publish(ctx, dir, id, events)
	if err != nil {
		return ctlake.Segment{}, fmt.Errorf("write segment %s: %w", seg.Path, err)
	}
	seg.Bytes = size
	return seg, nil
}

// publish writes the segment file id in dir through a temporary file, and
// returns its size. On error, it leaves no file behind.
func (s *Store) publish(ctx context.Context, dir, id string, events []*ctlake.Event) (size int64, err error) {
	tmp, final := filepath.Join(dir, "."+id+segmentExt+tempExt), filepath.Join(dir, id+segmentExt)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	written := tmp // the file to remove on error
	defer func() {
		if err != nil {
			f.Close() // a second Close is harmless
			os.Remove(written)
		}
	}()
	if err := s.encode(ctx, f, events); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, final); err != nil {
		return 0, err
	}
	written = final
	// The rename is durable once the partition folder is synced. The
	// partition and store folders may be new: their own entries are durable
	// once their parents are synced, which is done the first time this
	// Store writes to each of them.
	if err := syncDir(dir); err != nil {
		return 0, err
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if _, ok := s.durable.Load(d); ok {
			continue
		}
		if err := syncDir(filepath.Dir(d)); err != nil {
			return 0, err
		}
		s.durable.Store(d, true)
	}
	return info.Size(), nil
}

// encode writes events as a Parquet file to w.
func (s *Store) encode(ctx context.Context, w io.Writer, events []*ctlake.Event) error {
	codec := s.Compression
	if codec == nil {
		codec = &parquet.Zstd
	}
	rowGroupSize := s.RowGroupSize
	if rowGroupSize <= 0 {
		rowGroupSize = DefaultRowGroupSize
	}
	pw := parquet.NewWriter(w, schema,
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
	var b rowBuilder
	rows := make([]parquet.Row, min(len(events), rowBatch))
	for len(events) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(len(events), len(rows))
		for i, e := range events[:n] {
			rows[i] = b.build(rows[i], e)
			if b.col != columns {
				return fmt.Errorf("internal error: a row has %d columns, the schema %d", b.col, columns)
			}
		}
		if _, err := pw.WriteRows(rows[:n]); err != nil {
			return err
		}
		events = events[n:]
	}
	return pw.Close()
}

// RemoveSegment removes the segment file at path, relative to Root; a
// missing file is no error. It refuses a path that is not the path of a
// segment, so that a damaged catalog cannot make it remove other files.
func (s *Store) RemoveSegment(ctx context.Context, path string) error {
	if !isSegmentPath(path) {
		return fmt.Errorf("remove segment: %q is not a segment path", path)
	}
	if err := os.Remove(s.Abs(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove segment %s: %w", path, err)
	}
	return nil
}

// SegmentPaths lists the paths, relative to Root and sorted, of the
// published segment files: files named as WriteSegment names them, in
// folders named as it names them. Temporary files of writes in progress
// (or cut short by a crash) and any other file are left out. A missing
// Root holds no segments.
func (s *Store) SegmentPaths(ctx context.Context) ([]string, error) {
	var paths []string
	err := s.walk(ctx, func(p string, f fs.DirEntry) error {
		if isSegmentPath(p) && f.Type().IsRegular() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list segments: %w", err)
	}
	slices.Sort(paths)
	return paths, nil
}

// RemoveTempFiles removes the temporary files of writes that a crash cut
// short: those last modified before before. Given the time the process
// started, it cannot touch the file of a write in progress.
func (s *Store) RemoveTempFiles(ctx context.Context, before time.Time) error {
	err := s.walk(ctx, func(p string, f fs.DirEntry) error {
		name := path.Base(p)
		if !strings.HasPrefix(name, ".") || !strings.HasSuffix(name, tempExt) || !f.Type().IsRegular() {
			return nil
		}
		info, err := f.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !info.ModTime().Before(before) {
			return nil
		}
		if err := os.Remove(s.Abs(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove temporary files: %w", err)
	}
	return nil
}

// walk calls fn with the path, relative to Root, of each entry of each
// partition folder (<root>/<storeID>/eventday=*/).
func (s *Store) walk(ctx context.Context, fn func(p string, f fs.DirEntry) error) error {
	stores, err := readDir(s.Root)
	if err != nil {
		return err
	}
	for _, st := range stores {
		if !st.IsDir() || !validName(st.Name()) {
			continue
		}
		days, err := readDir(filepath.Join(s.Root, st.Name()))
		if err != nil {
			return err
		}
		for _, day := range days {
			if !day.IsDir() || !strings.HasPrefix(day.Name(), partitionPrefix) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			files, err := readDir(filepath.Join(s.Root, st.Name(), day.Name()))
			if err != nil {
				return err
			}
			for _, f := range files {
				if err := fn(st.Name()+"/"+day.Name()+"/"+f.Name(), f); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Abs returns the absolute file name of the segment at path, relative to
// Root with "/" separators: the name the query engine reads.
func (s *Store) Abs(path string) string {
	name := filepath.Join(s.Root, filepath.FromSlash(path))
	if abs, err := filepath.Abs(name); err == nil {
		return abs
	}
	return name
}

// isSegmentPath reports whether p has the shape of the path of a segment,
// <storeID>/eventday=YYYY-MM-DD/<segmentID>.parquet.
func isSegmentPath(p string) bool {
	parts := strings.Split(p, "/")
	if len(parts) != 3 || !validName(parts[0]) {
		return false
	}
	date, ok := strings.CutPrefix(parts[1], partitionPrefix)
	if !ok {
		return false
	}
	if day, err := time.Parse(dayLayout, date); err != nil || day.Format(dayLayout) != date {
		return false
	}
	id, ok := strings.CutSuffix(parts[2], segmentExt)
	return ok && ctlake.IsID(id)
}

// validName reports whether a store id can name a folder: one path
// element, not hidden.
func validName(name string) bool {
	return name != "" && !strings.HasPrefix(name, ".") && !strings.ContainsAny(name, `/\`) &&
		filepath.IsLocal(name)
}

// readDir is os.ReadDir, with a missing folder read as empty.
func readDir(dir string) ([]os.DirEntry, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return entries, err
}

// syncDir makes the entries of dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}
