package ctlaketest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
)

// runImportAndQueryConformance checks the Tx methods of imports, their
// prefixes and files, segments and queries.
func runImportAndQueryConformance(t *testing.T, open func(t *testing.T) ctlake.Catalog) {
	ctx := context.Background()
	const account, region = "123456789012", "us-east-1"
	newImport := func(dest string, created int64, status ctlake.ImportStatus) *ctlake.Import {
		return &ctlake.Import{ID: ctlake.NewID(), Account: account, Region: region, Destination: dest,
			Source:         ctlake.ImportSource{S3LocationURI: "s3://b/p/", S3BucketRegion: region, S3BucketAccessRoleARN: "arn:aws:iam::123456789012:role/r"},
			StartEventTime: time.UnixMilli(1_000).UTC(), Status: status,
			Statistics: ctlake.ImportStatistics{PrefixesFound: 1, PrefixesCompleted: 2, FilesCompleted: 3, EventsCompleted: 4, FailedEntries: 5},
			CreatedAt:  time.UnixMilli(created).UTC(), UpdatedAt: time.UnixMilli(created + 1).UTC()}
	}
	update := func(t *testing.T, c ctlake.Catalog, fn func(tx ctlake.Tx) error) {
		t.Helper()
		if err := c.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	view := func(t *testing.T, c ctlake.Catalog, fn func(tx ctlake.Tx) error) {
		t.Helper()
		if err := c.View(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("imports", func(t *testing.T) {
		c := open(t)
		dest := ctlake.NewID()
		done := newImport(dest, 1000, ctlake.ImportCompleted)
		running := newImport(dest, 2000, ctlake.ImportInProgress)
		elsewhere := newImport(ctlake.NewID(), 3000, ctlake.ImportInitializing)
		elsewhere.Region = "eu-west-1"
		update(t, c, func(tx ctlake.Tx) error {
			return errors.Join(tx.PutImport(done), tx.PutImport(running), tx.PutImport(elsewhere))
		})
		running.Status = ctlake.ImportStopped // replace
		update(t, c, func(tx ctlake.Tx) error { return tx.PutImport(running) })
		ids := func(ims []*ctlake.Import) []string {
			var out []string
			for _, im := range ims {
				out = append(out, im.ID)
			}
			return out
		}
		view(t, c, func(tx ctlake.Tx) error {
			got, err := tx.Import(done.ID)
			if err != nil {
				return err
			}
			if fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", *done) {
				t.Errorf("round trip:\ngot  %+v\nwant %+v", *got, *done)
			}
			if _, err := tx.Import(ctlake.NewID()); !errors.Is(err, ctlake.ErrNotFound) {
				t.Errorf("unknown import: %v, want ErrNotFound", err)
			}
			for _, c := range []struct {
				name string
				f    ctlake.ImportFilter
				want []string
			}{
				{"account and region, newest first", ctlake.ImportFilter{Account: account, Region: region}, []string{running.ID, done.ID}},
				{"destination", ctlake.ImportFilter{Account: account, Region: region, Destination: dest}, []string{running.ID, done.ID}},
				{"status", ctlake.ImportFilter{Account: account, Region: region, Status: ctlake.ImportStopped}, []string{running.ID}},
				{"running anywhere", ctlake.ImportFilter{Running: true}, []string{elsewhere.ID}},
				{"all", ctlake.ImportFilter{}, []string{elsewhere.ID, running.ID, done.ID}},
			} {
				got, err := tx.Imports(c.f)
				if err != nil {
					return err
				}
				if !slices.Equal(ids(got), c.want) {
					t.Errorf("Imports(%s): %v, want %v", c.name, ids(got), c.want)
				}
			}
			return nil
		})
	})

	t.Run("import prefixes and files", func(t *testing.T) {
		c := open(t)
		im := newImport(ctlake.NewID(), 1000, ctlake.ImportInProgress)
		at := time.UnixMilli(5000).UTC()
		files := []ctlake.ImportFile{
			{Key: "p/b", Prefix: "p/", Location: "s3://b/p/b", State: ctlake.FileFailed, ErrorType: "NoSuchKey", ErrorMessage: "gone", UpdatedAt: at},
			{Key: "p/a", Prefix: "p/", Location: "s3://b/p/a", State: ctlake.FileDone, Events: 7, UpdatedAt: at},
			{Key: "p/c", Prefix: "p/", Location: "s3://b/p/c", State: ctlake.FileRetry, ErrorType: "AccessDenied", ErrorMessage: "no", UpdatedAt: at},
			{Key: "q/d", Prefix: "q/", Location: "s3://b/q/d", State: ctlake.FileSucceeded, Events: 2, UpdatedAt: at},
		}
		update(t, c, func(tx ctlake.Tx) error {
			errs := []error{tx.PutImport(im), tx.PutImportPrefix(im.ID, "p/", false), tx.PutImportPrefix(im.ID, "q/", false), tx.PutImportPrefix(im.ID, "q/", true)}
			for _, f := range files {
				errs = append(errs, tx.PutImportFile(im.ID, f))
			}
			return errors.Join(errs...)
		})
		view(t, c, func(tx ctlake.Tx) error {
			prefixes, err := tx.ImportPrefixes(im.ID)
			if err != nil {
				return err
			}
			if fmt.Sprint(prefixes) != "map[p/:false q/:true]" {
				t.Errorf("ImportPrefixes: %v, want p/ open and q/ completed", prefixes)
			}
			all, err := tx.ImportFiles(im.ID)
			if err != nil {
				return err
			}
			for _, want := range files {
				if got := all[want.Key]; fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
					t.Errorf("ImportFiles[%s]: %+v, want %+v", want.Key, got, want)
				}
			}
			failures, err := tx.ImportFailures(im.ID, "", 0)
			if err != nil {
				return err
			}
			var keys []string
			for _, f := range failures {
				keys = append(keys, f.Key)
			}
			if !slices.Equal(keys, []string{"p/b", "p/c", "q/d"}) {
				t.Errorf("ImportFailures: %v, want the failure entries in key order", keys)
			}
			page, err := tx.ImportFailures(im.ID, "p/b", 1)
			if err != nil {
				return err
			}
			if len(page) != 1 || page[0].Key != "p/c" {
				t.Errorf("ImportFailures after p/b, limit 1: %+v", page)
			}
			return nil
		})
	})

	t.Run("segments", func(t *testing.T) {
		c := open(t)
		a, b := ctlake.NewID(), ctlake.NewID()
		seg := func(store, path string) ctlake.Segment {
			return ctlake.Segment{ID: ctlake.NewID(), StoreID: store, Day: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Path: path, Events: 3, Bytes: 99,
				MinTime: time.UnixMilli(1_767_312_000_000).UTC(), MaxTime: time.UnixMilli(1_767_312_000_500).UTC(), ImportID: ctlake.NewID()}
		}
		s1, s2, s3 := seg(a, a+"/1.parquet"), seg(a, a+"/2.parquet"), seg(b, b+"/3.parquet")
		update(t, c, func(tx ctlake.Tx) error { return errors.Join(tx.PutSegment(s1), tx.PutSegment(s2), tx.PutSegment(s3)) })
		paths := func(segs []ctlake.Segment) []string {
			var out []string
			for _, s := range segs {
				out = append(out, s.Path)
			}
			slices.Sort(out)
			return out
		}
		view(t, c, func(tx ctlake.Tx) error {
			of, err := tx.Segments(a)
			if err != nil {
				return err
			}
			all, err := tx.Segments("")
			if err != nil {
				return err
			}
			if !slices.Equal(paths(of), paths([]ctlake.Segment{s1, s2})) || !slices.Equal(paths(all), paths([]ctlake.Segment{s1, s2, s3})) {
				t.Errorf("Segments(a): %v; Segments(\"\"): %v", paths(of), paths(all))
			}
			for _, got := range of {
				if want := map[string]ctlake.Segment{s1.Path: s1, s2.Path: s2}[got.Path]; fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
					t.Errorf("round trip:\ngot  %+v\nwant %+v", got, want)
				}
			}
			return nil
		})
		var removed []ctlake.Segment
		update(t, c, func(tx ctlake.Tx) (err error) { removed, err = tx.DeleteSegments(a); return err })
		view(t, c, func(tx ctlake.Tx) error {
			left, err := tx.Segments("")
			if !slices.Equal(paths(removed), []string{s1.Path, s2.Path}) || !slices.Equal(paths(left), []string{s3.Path}) {
				t.Errorf("DeleteSegments(a) returned %v and left %v", paths(removed), paths(left))
			}
			return err
		})
	})

	t.Run("queries and results", func(t *testing.T) {
		c := open(t)
		store := ctlake.NewID()
		q := func(created int64, status ctlake.QueryStatus) *ctlake.Query {
			return &ctlake.Query{ID: ctlake.NewID(), Account: account, Region: region, Statement: "SELECT 1", Stores: []string{store},
				Status: status, Statistics: ctlake.QueryStatistics{EventsMatched: 1, EventsScanned: 2, BytesScanned: 3, ExecutionTimeInMillis: 4, TotalResultsCount: 5},
				CreatedAt: time.UnixMilli(created).UTC(), UpdatedAt: time.UnixMilli(created).UTC()}
		}
		old, queued, done := q(1000, ctlake.QueryFinished), q(2000, ctlake.QueryQueued), q(3000, ctlake.QueryFinished)
		done.Stores = []string{ctlake.NewID()}
		update(t, c, func(tx ctlake.Tx) error { return errors.Join(tx.PutQuery(old), tx.PutQuery(queued), tx.PutQuery(done)) })
		x, y := "x", "y"
		update(t, c, func(tx ctlake.Tx) error {
			return errors.Join(tx.AppendQueryResults(old.ID, []string{"a", "b"}, 0, [][]*string{{&x, nil}}),
				tx.AppendQueryResults(old.ID, []string{"a", "b"}, 1, [][]*string{{&y, &x}, {nil, &y}}))
		})
		ids := func(qs []*ctlake.Query) []string {
			var out []string
			for _, q := range qs {
				out = append(out, q.ID)
			}
			return out
		}
		view(t, c, func(tx ctlake.Tx) error {
			got, err := tx.Query(queued.ID)
			if err != nil {
				return err
			}
			if fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", *queued) {
				t.Errorf("round trip:\ngot  %+v\nwant %+v", *got, *queued)
			}
			if _, err := tx.Query(ctlake.NewID()); !errors.Is(err, ctlake.ErrNotFound) {
				t.Errorf("unknown query: %v, want ErrNotFound", err)
			}
			for _, c := range []struct {
				name string
				f    ctlake.QueryFilter
				want []string
			}{
				{"all, newest first", ctlake.QueryFilter{Account: account, Region: region}, []string{done.ID, queued.ID, old.ID}},
				{"store", ctlake.QueryFilter{Account: account, Region: region, Store: store}, []string{queued.ID, old.ID}},
				{"created range", ctlake.QueryFilter{Account: account, Region: region, CreatedFrom: 1500, CreatedTo: 3000}, []string{done.ID, queued.ID}},
				{"status", ctlake.QueryFilter{Account: account, Region: region, Status: ctlake.QueryFinished}, []string{done.ID, old.ID}},
				{"active", ctlake.QueryFilter{Active: true}, []string{queued.ID}},
			} {
				got, err := tx.Queries(c.f)
				if err != nil {
					return err
				}
				if !slices.Equal(ids(got), c.want) {
					t.Errorf("Queries(%s): %v, want %v", c.name, ids(got), c.want)
				}
			}
			cols, rows, err := tx.QueryResults(old.ID, 1, 5, 1<<20)
			if err != nil {
				return err
			}
			if fmt.Sprint(cols) != "[a b]" || len(rows) != 2 || *rows[0][0] != "y" || *rows[0][1] != "x" || rows[1][0] != nil || *rows[1][1] != "y" {
				t.Errorf("QueryResults from row 1: %v, %d rows", cols, len(rows))
			}
			return nil
		})
		var n int
		update(t, c, func(tx ctlake.Tx) (err error) { n, err = tx.DeleteQueriesBefore(2000); return err })
		view(t, c, func(tx ctlake.Tx) error {
			_, err := tx.Query(old.ID)
			if n != 1 || !errors.Is(err, ctlake.ErrNotFound) {
				t.Errorf("DeleteQueriesBefore(2000) removed %d, old query: %v", n, err)
			}
			_, rows, err := tx.QueryResults(old.ID, 0, 10, 1<<20)
			if len(rows) != 0 {
				t.Errorf("results of a removed query: %d rows (%v)", len(rows), err)
			}
			return nil
		})
	})
}

// runConcurrencyConformance checks that a transaction's read and its write
// are one step for concurrent writers: the service's rules that read then
// write (unique names, the store quota, one running import per account and
// region) hold only if no other writer slips between. Writers are
// goroutines on one Catalog here; catalogs shared by several processes
// are held to the same checks with writers in each.
func runConcurrencyConformance(t *testing.T, open func(t *testing.T) ctlake.Catalog) {
	ctx := context.Background()
	const writers = 16
	const account, region = "123456789012", "us-east-1"
	race := func(fn func(i int) error) (ok int, errs []error) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := range writers {
			wg.Go(func() {
				err := fn(i)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					ok++
				} else if !errors.Is(err, errRuleHeld) {
					errs = append(errs, err)
				}
			})
		}
		wg.Wait()
		return ok, errs
	}

	t.Run("unique names and the store quota", func(t *testing.T) {
		c := open(t)
		// Each writer claims a name (half of them the same) and a slot of
		// a quota of 10.
		ok, errs := race(func(i int) error {
			return c.Update(ctx, func(tx ctlake.Tx) error {
				name := fmt.Sprintf("store-%d", i/2)
				stores, err := tx.EventDataStores(ctlake.EventDataStoreFilter{Account: account, Region: region})
				if err != nil {
					return err
				}
				if len(stores) >= ctlake.DefaultMaxEventDataStores || slices.ContainsFunc(stores, func(s *ctlake.EventDataStore) bool { return s.Name == name }) {
					return errRuleHeld
				}
				return tx.PutEventDataStore(&ctlake.EventDataStore{ID: ctlake.NewID(), Account: account, Region: region, Name: name,
					Status: ctlake.StatusEnabled, CreatedAt: time.UnixMilli(int64(i)), UpdatedAt: time.UnixMilli(int64(i))})
			})
		})
		if len(errs) > 0 {
			t.Fatalf("concurrent writers failed: %v", errors.Join(errs...))
		}
		var stores []*ctlake.EventDataStore
		if err := c.View(ctx, func(tx ctlake.Tx) (err error) {
			stores, err = tx.EventDataStores(ctlake.EventDataStoreFilter{Account: account, Region: region})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		names := map[string]int{}
		for _, s := range stores {
			names[s.Name]++
		}
		// 16 writers, 8 names: 8 stores, each name once.
		if ok != writers/2 || len(stores) != writers/2 || len(names) != writers/2 {
			t.Errorf("%d writers succeeded, %d stores, names %v; want %d stores of distinct names", ok, len(stores), names, writers/2)
		}
	})

	t.Run("quota", func(t *testing.T) {
		c := open(t)
		ok, errs := race(func(i int) error {
			return c.Update(ctx, func(tx ctlake.Tx) error {
				stores, err := tx.EventDataStores(ctlake.EventDataStoreFilter{Account: account, Region: region})
				if err != nil {
					return err
				}
				if len(stores) >= ctlake.DefaultMaxEventDataStores {
					return errRuleHeld
				}
				return tx.PutEventDataStore(&ctlake.EventDataStore{ID: ctlake.NewID(), Account: account, Region: region, Name: fmt.Sprint("s", i),
					Status: ctlake.StatusEnabled, CreatedAt: time.UnixMilli(int64(i)), UpdatedAt: time.UnixMilli(int64(i))})
			})
		})
		if len(errs) > 0 || ok != ctlake.DefaultMaxEventDataStores {
			t.Errorf("%d of %d writers created a store (errors: %v), want exactly %d", ok, writers, errors.Join(errs...), ctlake.DefaultMaxEventDataStores)
		}
	})

	t.Run("one running import per account and region", func(t *testing.T) {
		c := open(t)
		ok, errs := race(func(i int) error {
			return c.Update(ctx, func(tx ctlake.Tx) error {
				running, err := tx.Imports(ctlake.ImportFilter{Account: account, Region: region, Running: true})
				if err != nil {
					return err
				}
				if len(running) > 0 {
					return errRuleHeld
				}
				return tx.PutImport(&ctlake.Import{ID: ctlake.NewID(), Account: account, Region: region, Destination: ctlake.NewID(),
					Status: ctlake.ImportInitializing, CreatedAt: time.UnixMilli(int64(i)), UpdatedAt: time.UnixMilli(int64(i))})
			})
		})
		if len(errs) > 0 || ok != 1 {
			t.Errorf("%d of %d writers started an import (errors: %v), want exactly 1", ok, writers, errors.Join(errs...))
		}
	})
}

// errRuleHeld is what a racing writer returns when the rule refused it.
var errRuleHeld = errors.New("refused by the rule")
