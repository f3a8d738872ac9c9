package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/file"
	"github.com/ctlake/ctlake/importer"
	"github.com/ctlake/ctlake/segment"
	"github.com/ctlake/ctlake/sqlite"
	"github.com/ctlake/ctlake/trailgen"
)

// runImport imports the folder dir (its whole tree, as from a file:// URI
// at its root) into a new store of the given retention, on a real SQLite
// catalog, and returns the import as recorded.
func runImport(t *testing.T, dir string, retentionDays int) *ctlake.Import {
	t.Helper()
	ctx := context.Background()
	data := t.TempDir()
	cat := sqlite.NewCatalog(filepath.Join(data, "catalog.db"))
	if err := cat.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	eds, im := putImport(t, cat, "store-1", retentionDays)
	src, err := file.NewSource(dir)
	if err != nil {
		t.Fatal(err)
	}
	imp := &importer.Importer{Catalog: cat, Segments: segment.NewStore(filepath.Join(data, "segments"))}
	if err := imp.Run(ctx, im, eds, src, ctlake.ImportScope{}); err != nil {
		t.Fatal(err)
	}
	var got *ctlake.Import
	if err := cat.View(ctx, func(tx ctlake.Tx) (err error) { got, err = tx.Import(im.ID); return err }); err != nil {
		t.Fatal(err)
	}
	return got
}

func wantNote(t *testing.T, im *ctlake.Import, parts ...string) {
	t.Helper()
	for _, n := range im.Notes {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(n, p)
		}
		if ok {
			return
		}
	}
	t.Errorf("no note with %q; notes: %q", parts, im.Notes)
}

// TestNotesRetention: a tree older than the store's retention imports
// nothing, and the import says why and how to change it.
func TestNotesRetention(t *testing.T) {
	dir := t.TempDir()
	// Two days in 2023: far older than a 30-day retention.
	if _, err := trailgen.Generate(dir, trailgen.Spec{Regions: []string{"us-east-1"}, Days: 2, FilesPerRegionDay: 2, Seed: 3,
		Start: time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	im := runImport(t, dir, 30)
	if im.Statistics != (ctlake.ImportStatistics{}) {
		t.Errorf("statistics %+v, want none: every folder is older than the retention", im.Statistics)
	}
	// The year folder 2023 is passed over whole, without listing its days.
	wantNote(t, im, "1 date folder(s) of 2023-01-01 to 2023-12-31 older than the event data store's retention period (30 days: events before ",
		"--retention-period", "--event-data-store people")
	if cut := time.Now().AddDate(0, 0, -30); im.RetentionCutoff.Before(cut.Add(-time.Hour)) || im.RetentionCutoff.After(cut.Add(time.Hour)) {
		t.Errorf("RetentionCutoff %s, want about %s", im.RetentionCutoff, cut)
	}
	if len(im.Notes) != 1 {
		t.Errorf("notes %q, want only the retention note", im.Notes)
	}
}

// TestNotesBadLayout: a tree whose folder under AWSLogs/ is neither an
// account nor an organization id imports nothing, and says what it found
// and what it expected.
func TestNotesBadLayout(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "AWSLogs", "o-abc123", "CloudTrail", "us-east-1", "2025", "01", "02")
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, "f.json.gz"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	im := runImport(t, dir, 3653)
	wantNote(t, im, "No CloudTrail folder under file://"+dir+": found AWSLogs/o-abc123/, expected AWSLogs/<account-id>/CloudTrail/",
		"or AWSLogs/<o-organization-id>/<account-id>/CloudTrail/")

	// No AWSLogs/ at all.
	other := t.TempDir()
	if err := os.MkdirAll(filepath.Join(other, "logs", "2025"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "logs", "2025", "f.json.gz"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantNote(t, runImport(t, other, 3653), "No AWSLogs/ folder under file://"+other+" (looked 5 levels deep): found logs/, expected [key-prefix/]AWSLogs/<account-id>/")
}

// TestNotesNone: a tree imported whole has no notes.
func TestNotesNone(t *testing.T) {
	dir := t.TempDir()
	truth, err := trailgen.Generate(dir, trailgen.Spec{Regions: []string{"us-east-1"}, Days: 1, FilesPerRegionDay: 2, Seed: 4,
		Start: time.Now().UTC().AddDate(0, 0, -3).Truncate(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	im := runImport(t, dir, 3653)
	if len(im.Notes) != 0 || im.Statistics.EventsCompleted != int64(truth.Events) {
		t.Errorf("notes %q, %d events; want none and %d", im.Notes, im.Statistics.EventsCompleted, truth.Events)
	}
}

// putImport records a store and an import into it, IN_PROGRESS, as
// StartImport would: what an importer run starts from.
func putImport(tb testing.TB, cat ctlake.Catalog, storeID string, retentionDays int) (*ctlake.EventDataStore, *ctlake.Import) {
	tb.Helper()
	now := ctlake.Millis(time.Now())
	eds := &ctlake.EventDataStore{ID: storeID, Account: "123456789012", Region: "us-east-1", Name: "people",
		Status: ctlake.StatusEnabled, RetentionPeriod: retentionDays, BillingMode: ctlake.ExtendableRetentionPricing, CreatedAt: now, UpdatedAt: now}
	im := &ctlake.Import{ID: ctlake.NewID(), Account: eds.Account, Region: eds.Region, Destination: eds.ID,
		Status: ctlake.ImportInProgress, CreatedAt: now, UpdatedAt: now}
	err := cat.Update(context.Background(), func(tx ctlake.Tx) error {
		if err := tx.PutEventDataStore(eds); err != nil {
			return err
		}
		return tx.PutImport(im)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return eds, im
}
