package lake_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/lake"
	"github.com/ctlake/ctlake/segment"
	"github.com/ctlake/ctlake/sqlite"
)

// TestDeletionGracePeriod moves the service's clock across the seven days
// a deleted store can be restored in (spec §3.10, §5.4), on a real catalog.
func TestDeletionGracePeriod(t *testing.T) {
	ctx := ctlake.NewContext(context.Background(), ctlake.Caller{Account: "123456789012", Region: "us-east-1"})
	cat := sqlite.NewCatalog(filepath.Join(t.TempDir(), "catalog.db"))
	if err := cat.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	svc := &lake.Service{Catalog: cat, Now: func() time.Time { return now }, MaxEventDataStores: 1}
	if err := svc.Open(ctx); err != nil {
		t.Fatal(err)
	}
	off := false
	eds, err := svc.CreateEventDataStore(ctx, ctlake.CreateEventDataStoreInput{Name: "doomed", TerminationProtectionEnabled: &off})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteEventDataStore(ctx, eds.ID); err != nil {
		t.Fatal(err)
	}

	// One millisecond before the seven days end: still there, still restorable,
	// still holding its name and its place in the quota.
	now = now.Add(7*24*time.Hour - time.Millisecond)
	if got, err := svc.GetEventDataStore(ctx, eds.ARN()); err != nil || got.Status != ctlake.StatusPendingDeletion {
		t.Fatalf("just before the purge: %v %v", got, err)
	}
	if _, err := svc.CreateEventDataStore(ctx, ctlake.CreateEventDataStoreInput{Name: "other"}); ctlake.ErrorCode(err) != ctlake.EventDataStoreMaxLimitExceededException {
		t.Errorf("quota while pending deletion: %v", err)
	}
	if n, err := svc.PurgeDeleted(ctx); err != nil || n != 0 {
		t.Errorf("purge before the end removed %d (%v)", n, err)
	}

	// At seven days it is gone for every operation, before any sweep.
	now = now.Add(time.Millisecond)
	for name, call := range map[string]func() error{
		"get":     func() error { _, err := svc.GetEventDataStore(ctx, eds.ID); return err },
		"restore": func() error { _, err := svc.RestoreEventDataStore(ctx, eds.ID); return err },
		"delete":  func() error { return svc.DeleteEventDataStore(ctx, eds.ID) },
	} {
		if code := ctlake.ErrorCode(call()); code != ctlake.EventDataStoreNotFoundException {
			t.Errorf("%s after seven days: %s, want EventDataStoreNotFoundException", name, code)
		}
	}
	if list, _, err := svc.ListEventDataStores(ctx, ctlake.Page{}); err != nil || len(list) != 0 {
		t.Errorf("list after seven days: %d stores (%v)", len(list), err)
	}
	// Its name and quota slot are free again: the create purges the
	// expired store in its own transaction, before any sweep.
	again, err := svc.CreateEventDataStore(ctx, ctlake.CreateEventDataStoreInput{Name: "doomed", TerminationProtectionEnabled: &off})
	if err != nil {
		t.Fatalf("reuse of the name after seven days: %v", err)
	}
	if n, err := svc.PurgeDeleted(ctx); err != nil || n != 0 {
		t.Errorf("sweep after the create removed %d (%v), want 0", n, err)
	}
	// The sweep removes what nothing touched.
	if err := svc.DeleteEventDataStore(ctx, again.ID); err != nil {
		t.Fatal(err)
	}
	now = now.Add(8 * 24 * time.Hour)
	if n, err := svc.PurgeDeleted(ctx); err != nil || n != 1 {
		t.Errorf("sweep removed %d (%v), want 1", n, err)
	}
}

// TestPurgeRemovesEvents checks that purging a store removes its segment
// files from disk, and that the start-up sweep removes segment files no
// commit recorded.
func TestPurgeRemovesEvents(t *testing.T) {
	ctx := ctlake.NewContext(context.Background(), ctlake.Caller{Account: "123456789012", Region: "us-east-1"})
	dir := t.TempDir()
	cat := sqlite.NewCatalog(filepath.Join(dir, "catalog.db"))
	if err := cat.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	segs := segment.NewStore(filepath.Join(dir, "segments"))
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	svc := &lake.Service{Catalog: cat, Segments: segs, Now: func() time.Time { return now }}
	if err := svc.Open(ctx); err != nil {
		t.Fatal(err)
	}
	off := false
	eds, err := svc.CreateEventDataStore(ctx, ctlake.CreateEventDataStoreInput{Name: "with-events", TerminationProtectionEnabled: &off})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	id := "e-1"
	write := func() ctlake.Segment {
		seg, err := segs.WriteSegment(ctx, eds.ID, day, []*ctlake.Event{{EventTime: day.Add(time.Hour), EventID: &id, EventJSON: `{}`}})
		if err != nil {
			t.Fatal(err)
		}
		return seg
	}
	committed, orphan := write(), write()
	if err := cat.Update(ctx, func(tx ctlake.Tx) error { return tx.PutSegment(committed) }); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.RemoveOrphanSegments(ctx); err != nil || n != 1 {
		t.Fatalf("sweep removed %d (%v), want the 1 uncommitted file", n, err)
	}
	if _, err := os.Stat(segs.Abs(orphan.Path)); !os.IsNotExist(err) {
		t.Errorf("the orphan is still on disk: %v", err)
	}
	if _, err := os.Stat(segs.Abs(committed.Path)); err != nil {
		t.Errorf("the sweep removed a committed segment: %v", err)
	}
	if err := svc.DeleteEventDataStore(ctx, eds.ID); err != nil {
		t.Fatal(err)
	}
	now = now.Add(ctlake.PendingDeletionPeriod + time.Second)
	if n, err := svc.PurgeDeleted(ctx); err != nil || n != 1 {
		t.Fatalf("purge removed %d stores (%v)", n, err)
	}
	if _, err := os.Stat(segs.Abs(committed.Path)); !os.IsNotExist(err) {
		t.Errorf("the purged store's events are still on disk: %v", err)
	}
}
