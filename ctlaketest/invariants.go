package ctlaketest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/segment"
	"github.com/ctlake/ctlake/sqlite"
)

// CheckDataDir checks the invariants of a ctlake data folder whose server
// has stopped: it opens the folder's catalog read-only and checks it
// against the folder's segments (see CheckInvariants).
func CheckDataDir(t testing.TB, dataDir string) {
	t.Helper()
	cat := sqlite.NewCatalog(filepath.Join(dataDir, "catalog.db"))
	if err := cat.OpenReadOnly(context.Background()); err != nil {
		t.Errorf("invariants: %v", err)
		return
	}
	defer cat.Close()
	CheckInvariants(t, cat, segment.NewStore(filepath.Join(dataDir, "segments")))
}

// CheckInvariants checks what must hold between a catalog and its segment
// store whenever no write is under way (after a service has closed):
//
//   - every segment file is recorded in the catalog, and every record has
//     its file, of a store that exists;
//   - an import's statistics are the sums over its files, prefixes and
//     segments (the importer adds to them in the transaction that records
//     the work they count);
//   - no temporary file of a segment write is left behind.
//
// Tests that write data run it as a t.Cleanup, so that every test checks
// them on the data it made.
func CheckInvariants(t testing.TB, cat ctlake.Catalog, segs *segment.Store) {
	t.Helper()
	for _, err := range invariantErrors(cat, segs) {
		t.Errorf("invariant: %v", err)
	}
}

func invariantErrors(cat ctlake.Catalog, segs *segment.Store) []error {
	ctx := context.Background()
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	files, err := segs.SegmentPaths(ctx)
	if err != nil {
		return []error{err}
	}
	var records []ctlake.Segment
	var imports []*ctlake.Import
	type importRecords struct {
		prefixes map[string]bool
		files    map[string]ctlake.ImportFile
		// destination tells whether the import's store still exists (a
		// purge removes a store's segments, not its imports).
		destination bool
	}
	byImport := map[string]importRecords{}
	stores := map[string]bool{}
	err = cat.View(ctx, func(tx ctlake.Tx) error {
		if records, err = tx.Segments(""); err != nil {
			return err
		}
		for _, seg := range records {
			if _, ok := stores[seg.StoreID]; !ok {
				_, err := tx.EventDataStore(seg.StoreID)
				if err != nil && !errors.Is(err, ctlake.ErrNotFound) {
					return err
				}
				stores[seg.StoreID] = err == nil
			}
		}
		if imports, err = tx.Imports(ctlake.ImportFilter{}); err != nil {
			return err
		}
		for _, im := range imports {
			var r importRecords
			if r.prefixes, err = tx.ImportPrefixes(im.ID); err != nil {
				return err
			}
			if r.files, err = tx.ImportFiles(im.ID); err != nil {
				return err
			}
			_, err := tx.EventDataStore(im.Destination)
			if err != nil && !errors.Is(err, ctlake.ErrNotFound) {
				return err
			}
			r.destination = err == nil
			byImport[im.ID] = r
		}
		return nil
	})
	if err != nil {
		return []error{fmt.Errorf("read the catalog: %w", err)}
	}

	// Segment files ⇔ catalog records.
	recorded := map[string]bool{}
	eventsOf := map[string]int64{} // import id → events of its segments
	for _, seg := range records {
		recorded[seg.Path] = true
		eventsOf[seg.ImportID] += seg.Events
		if !slices.Contains(files, seg.Path) {
			fail("segment %s (store %s, import %s) is recorded but its file is missing", seg.Path, seg.StoreID, seg.ImportID)
		}
		if !stores[seg.StoreID] {
			fail("segment %s is recorded for store %s, which does not exist", seg.Path, seg.StoreID)
		}
	}
	for _, p := range files {
		if !recorded[p] {
			fail("segment file %s is not recorded in the catalog", p)
		}
	}

	// Statistics = sums over files, prefixes and segments.
	for _, im := range imports {
		r := byImport[im.ID]
		var want ctlake.ImportStatistics
		for _, completed := range r.prefixes {
			want.PrefixesFound++
			if completed {
				want.PrefixesCompleted++
			}
		}
		for _, f := range r.files {
			if f.State == ctlake.FileFailed {
				want.FailedEntries++
			}
			// Entries of a whole import or prefix are no file.
			if isFileEntry(f) && (f.State == ctlake.FileDone || f.State == ctlake.FileSucceeded) {
				want.FilesCompleted++
				want.EventsCompleted += f.Events
			}
		}
		if im.Statistics != want {
			fail("import %s (%s): statistics %+v, but its files and prefixes sum to %+v", im.ID, im.Status, im.Statistics, want)
		}
		if r.destination && eventsOf[im.ID] != im.Statistics.EventsCompleted {
			fail("import %s (%s): %d events completed, but its segments hold %d", im.ID, im.Status, im.Statistics.EventsCompleted, eventsOf[im.ID])
		}
	}

	// No temporary file of a segment write outlives the write.
	err = filepath.WalkDir(segs.Root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".tmp") {
			fail("temporary file %s was left behind", path)
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		fail("walk %s: %v", segs.Root, err)
	}
	return errs
}

// isFileEntry tells an import's entry of one object from the entries the
// service keeps for a whole import ("\x00import") or a prefix that could
// not be listed (its key is the prefix).
func isFileEntry(f ctlake.ImportFile) bool {
	return f.Key != f.Prefix && !strings.HasPrefix(f.Key, "\x00")
}
