// Package ctlaketest holds helpers shared by ctlake's tests, among them the
// conformance suite that every ctlake.Catalog implementation must pass.
package ctlaketest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
)

// RunCatalogConformance checks the contract of ctlake.Catalog on the catalog
// open returns (a fresh, empty one on each call): every Tx method, and the
// read-then-write rules under concurrent writers.
func RunCatalogConformance(t *testing.T, open func(t *testing.T) ctlake.Catalog) {
	ctx := context.Background()
	runImportAndQueryConformance(t, open)
	runConcurrencyConformance(t, open)
	store := func(id, name string, created int64) *ctlake.EventDataStore {
		v := "v"
		return &ctlake.EventDataStore{
			ID: id, Account: "123456789012", Region: "us-east-1", Name: name, Status: ctlake.StatusEnabled,
			AdvancedEventSelectors: ctlake.DefaultSelectors(), MultiRegionEnabled: true, TerminationProtectionEnabled: true,
			RetentionPeriod: 366, BillingMode: ctlake.ExtendableRetentionPricing,
			Tags:      []ctlake.Tag{{Key: "k", Value: &v}, {Key: "bare"}},
			CreatedAt: time.UnixMilli(created).UTC(), UpdatedAt: time.UnixMilli(created).UTC(),
		}
	}

	t.Run("round trip", func(t *testing.T) {
		c := open(t)
		want := store(ctlake.NewID(), "one", 1_700_000_000_123)
		want.KmsKeyID = "arn:aws:kms:us-east-1:123456789012:key/x"
		if err := c.Update(ctx, func(tx ctlake.Tx) error { return tx.PutEventDataStore(want) }); err != nil {
			t.Fatal(err)
		}
		var got *ctlake.EventDataStore
		if err := c.View(ctx, func(tx ctlake.Tx) (err error) { got, err = tx.EventDataStore(want.ID); return err }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%+v", describe(got)) != fmt.Sprintf("%+v", describe(want)) {
			t.Errorf("got  %+v\nwant %+v", describe(got), describe(want))
		}
		err := c.View(ctx, func(tx ctlake.Tx) error { _, err := tx.EventDataStore(ctlake.NewID()); return err })
		if !errors.Is(err, ctlake.ErrNotFound) {
			t.Errorf("unknown id: %v, want ErrNotFound", err)
		}
	})

	t.Run("rollback on error", func(t *testing.T) {
		c := open(t)
		boom := errors.New("boom")
		s := store(ctlake.NewID(), "rolled-back", 1)
		err := c.Update(ctx, func(tx ctlake.Tx) error {
			if err := tx.PutEventDataStore(s); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("Update returned %v, want fn's error unchanged", err)
		}
		err = c.View(ctx, func(tx ctlake.Tx) error { _, err := tx.EventDataStore(s.ID); return err })
		if !errors.Is(err, ctlake.ErrNotFound) {
			t.Errorf("write of a failed transaction is visible: %v", err)
		}
	})

	t.Run("order, keyset paging and filters", func(t *testing.T) {
		c := open(t)
		var ids []string
		err := c.Update(ctx, func(tx ctlake.Tx) error {
			for i := range 5 {
				s := store(ctlake.NewID(), fmt.Sprintf("s%d", i), int64(1000+i%3)) // ties on created time
				ids = append(ids, s.ID)
				if err := tx.PutEventDataStore(s); err != nil {
					return err
				}
			}
			other := store(ctlake.NewID(), "elsewhere", 1)
			other.Region = "eu-west-1"
			return tx.PutEventDataStore(other)
		})
		if err != nil {
			t.Fatal(err)
		}
		var all, after, named []*ctlake.EventDataStore
		err = c.View(ctx, func(tx ctlake.Tx) (err error) {
			f := ctlake.EventDataStoreFilter{Account: "123456789012", Region: "us-east-1"}
			if all, err = tx.EventDataStores(f); err != nil || len(all) < 2 {
				return err
			}
			f.After, f.Limit = all[1].ID, 2
			if after, err = tx.EventDataStores(f); err != nil {
				return err
			}
			named, err = tx.EventDataStores(ctlake.EventDataStoreFilter{Account: "123456789012", Region: "us-east-1", Name: "s3"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 5 {
			t.Fatalf("%d stores in us-east-1, want 5", len(all))
		}
		for i := 1; i < len(all); i++ {
			a, b := all[i-1], all[i]
			if a.CreatedAt.After(b.CreatedAt) || a.CreatedAt.Equal(b.CreatedAt) && a.ID > b.ID {
				t.Errorf("not in (created, id) order at %d", i)
			}
		}
		if len(after) != 2 || after[0].ID != all[2].ID || after[1].ID != all[3].ID {
			t.Errorf("After/Limit returned the wrong page")
		}
		if len(named) != 1 || named[0].Name != "s3" {
			t.Errorf("Name filter returned %d stores", len(named))
		}
	})

	t.Run("pending deletion filter and delete", func(t *testing.T) {
		c := open(t)
		old, recent := store(ctlake.NewID(), "old", 1), store(ctlake.NewID(), "recent", 1)
		old.Status, old.DeletedAt = ctlake.StatusPendingDeletion, time.UnixMilli(5000)
		recent.Status, recent.DeletedAt = ctlake.StatusPendingDeletion, time.UnixMilli(9000)
		recent.Region = "ap-south-1"
		if err := c.Update(ctx, func(tx ctlake.Tx) error {
			if err := tx.PutEventDataStore(old); err != nil {
				return err
			}
			return tx.PutEventDataStore(recent)
		}); err != nil {
			t.Fatal(err)
		}
		var expired []*ctlake.EventDataStore
		if err := c.View(ctx, func(tx ctlake.Tx) (err error) {
			expired, err = tx.EventDataStores(ctlake.EventDataStoreFilter{PendingDeletionBefore: 6000})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(expired) != 1 || expired[0].ID != old.ID {
			t.Fatalf("PendingDeletionBefore selected %d stores", len(expired))
		}
		if err := c.Update(ctx, func(tx ctlake.Tx) error { return tx.DeleteEventDataStore(old.ID) }); err != nil {
			t.Fatal(err)
		}
		err := c.View(ctx, func(tx ctlake.Tx) error { _, err := tx.EventDataStore(old.ID); return err })
		if !errors.Is(err, ctlake.ErrNotFound) {
			t.Errorf("deleted store still found: %v", err)
		}
	})

	t.Run("settings", func(t *testing.T) {
		c := open(t)
		for _, v := range [][]byte{{1, 2}, {3}} {
			if err := c.Update(ctx, func(tx ctlake.Tx) error { return tx.PutSetting("a", v) }); err != nil {
				t.Fatal(err)
			}
		}
		var v []byte
		var missing error
		if err := c.View(ctx, func(tx ctlake.Tx) (err error) {
			v, err = tx.Setting("a")
			_, missing = tx.Setting("b")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(v) != "[3]" || !errors.Is(missing, ctlake.ErrNotFound) {
			t.Errorf("settings: %v, missing %v", v, missing)
		}
	})

	t.Run("query results", func(t *testing.T) { queryResultsConformance(t, open(t)) })
}

// queryResultsConformance checks the results of queries: pages bounded by
// rows and by bytes, the bytes they take, and their removal.
func queryResultsConformance(t *testing.T, c ctlake.Catalog) {
	ctx := context.Background()
	now := time.UnixMilli(1_700_000_000_000).UTC()
	val := func(n int, b byte) *string { s := string(bytes.Repeat([]byte{b}, n)); return &s }
	// Rows of 8+8 + 100 bytes each: 116, as ResultRowBytes counts.
	var rows [][]*string
	for i := range 10 {
		rows = append(rows, []*string{val(100, 'a'+byte(i)), nil})
	}
	for _, id := range []string{"q1", "q2"} {
		q := &ctlake.Query{ID: id, Account: "123456789012", Region: "us-east-1", Statement: "SELECT 1", Status: ctlake.QueryFinished, CreatedAt: now, UpdatedAt: now}
		err := c.Update(ctx, func(tx ctlake.Tx) error {
			if err := tx.PutQuery(q); err != nil {
				return err
			}
			if err := tx.AppendQueryResults(id, []string{"v", "n"}, 0, rows[:4]); err != nil {
				return err
			}
			return tx.AppendQueryResults(id, []string{"v", "n"}, 4, rows[4:])
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	page := func(offset int64, limit int, maxBytes int64) (cols []string, got [][]*string) {
		t.Helper()
		if err := c.View(ctx, func(tx ctlake.Tx) (err error) {
			cols, got, err = tx.QueryResults("q1", offset, limit, maxBytes)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return cols, got
	}
	for _, tc := range []struct {
		offset        int64
		limit         int
		maxBytes      int64
		first, length int
	}{
		{0, 3, 1 << 20, 0, 3},   // rows bound
		{2, 100, 1 << 20, 2, 8}, // to the end
		{0, 100, 232, 0, 2},     // exactly two rows' bytes
		{0, 100, 233, 0, 3},     // the row that passes the bound ends the page
		{5, 100, 1, 5, 1},       // a page has at least one row
		{10, 100, 1 << 20, 0, 0},
	} {
		cols, got := page(tc.offset, tc.limit, tc.maxBytes)
		if fmt.Sprint(cols) != "[v n]" || len(got) != tc.length {
			t.Errorf("page (%d, %d, %d): columns %v, %d rows; want [v n], %d", tc.offset, tc.limit, tc.maxBytes, cols, len(got), tc.length)
			continue
		}
		for i, r := range got {
			if want := rows[tc.first+i]; len(r) != 2 || *r[0] != *want[0] || r[1] != nil {
				t.Errorf("page (%d, %d, %d) row %d differs", tc.offset, tc.limit, tc.maxBytes, i)
			}
		}
	}
	stored := func() (n int64) {
		t.Helper()
		if err := c.View(ctx, func(tx ctlake.Tx) (err error) { n, err = tx.StoredResultBytes(); return err }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := stored(); n != 2*10*116 {
		t.Errorf("stored bytes %d, want %d", n, 2*10*116)
	}
	if err := c.Update(ctx, func(tx ctlake.Tx) error { return tx.DeleteQueryResults("q1") }); err != nil {
		t.Fatal(err)
	}
	if _, got := page(0, 100, 1<<20); len(got) != 0 {
		t.Errorf("%d rows after DeleteQueryResults", len(got))
	}
	if n := stored(); n != 10*116 {
		t.Errorf("stored bytes after deleting q1's rows: %d, want %d", n, 10*116)
	}
}

// describe renders a store with its times as Unix milliseconds (catalogs
// keep millisecond precision) for comparison.
func describe(s *ctlake.EventDataStore) string {
	c := *s
	times := fmt.Sprint(c.CreatedAt.UnixMilli(), c.UpdatedAt.UnixMilli(), c.DeletedAt.IsZero())
	c.CreatedAt, c.UpdatedAt, c.DeletedAt = time.Time{}, time.Time{}, time.Time{}
	tags := ""
	for _, t := range c.Tags {
		v := "<nil>"
		if t.Value != nil {
			v = *t.Value
		}
		tags += t.Key + "=" + v + ";"
	}
	c.Tags = nil
	return fmt.Sprintf("%+v tags=%s times=%s", c, tags, times)
}
