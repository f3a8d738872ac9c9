package segment

import (
	"context"
	"errors"
	"fmt"
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

// DefaultRowGroupSize is the number of rows of a full row group. A writer
// holds a row group's compressed pages and its columns' dictionaries in
// memory until the group is full (a Parquet column chunk is contiguous in
// the file), so this bounds a segment writer's memory: about 30 MB at
// 32,768 rows, where DuckDB's own 122,880 took some 100 MB per writer and
// an import runs several writers at once. DuckDB reads row groups of any
// size in parallel and prunes them by their statistics.
const DefaultRowGroupSize = 32_768

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
	if len(events) == 0 {
		return ctlake.Segment{}, errors.New("write segment: no events")
	}
	if i := slices.Index(events, nil); i >= 0 {
		return ctlake.Segment{}, fmt.Errorf("write segment: event %d is nil", i)
	}
	w, err := s.NewSegmentWriter(storeID, day)
	if err != nil {
		return ctlake.Segment{}, err
	}
	// Sorted rows give each row group and page a narrow eventtime range,
	// which readers use to skip them.
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b *ctlake.Event) int { return a.EventTime.Compare(b.EventTime) })
	if err := w.Write(ctx, events); err != nil {
		w.Abort()
		return ctlake.Segment{}, err
	}
	return w.Close(ctx)
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
