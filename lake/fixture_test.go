package lake_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/ctlaketest"
	"github.com/ctlake/ctlake/file"
	"github.com/ctlake/ctlake/importer"
	"github.com/ctlake/ctlake/lake"
	"github.com/ctlake/ctlake/segment"
	"github.com/ctlake/ctlake/sqlite"
	"github.com/ctlake/ctlake/trailgen"
)

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

// lakeFixture is a real lake.Service on a SQLite catalog and a segment
// folder in a temporary folder, with the real importer reading file://
// sources: what ctlake serve runs, without HTTP. Its clock stands still
// unless a test moves it.
type lakeFixture struct {
	svc  *lake.Service
	cat  *sqlite.Catalog
	segs *segment.Store
	dir  string
	ctx  context.Context // the caller testAccount in testRegion

	mu  sync.Mutex
	now time.Time
}

// newLake builds the fixture; configure, if not nil, changes the service
// before it opens. When the test ends the service closes and the data it
// left is checked with ctlaketest.CheckInvariants.
func newLake(t *testing.T, configure func(*lake.Service)) *lakeFixture {
	t.Helper()
	dir := t.TempDir()
	fx := &lakeFixture{dir: dir, now: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	fx.ctx = callerContext(testAccount, testRegion)
	fx.cat = sqlite.NewCatalog(filepath.Join(dir, "catalog.db"))
	if err := fx.cat.Open(fx.ctx); err != nil {
		t.Fatal(err)
	}
	fx.segs = segment.NewStore(filepath.Join(dir, "segments"))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	fx.svc = &lake.Service{
		Catalog:  fx.cat,
		Now:      fx.clock,
		Logger:   logger,
		Segments: fx.segs,
		Sources:  folderSources{root: dir},
		Importer: &importer.Importer{Catalog: fx.cat, Segments: fx.segs, Logger: logger, Now: fx.clock, Workers: 2},
	}
	if configure != nil {
		configure(fx.svc)
	}
	if err := fx.svc.Open(fx.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		fx.svc.Close()
		ctlaketest.CheckInvariants(t, fx.cat, fx.segs)
		fx.cat.Close()
	})
	return fx
}

func callerContext(account, region string) context.Context {
	return ctlake.NewContext(context.Background(), ctlake.Caller{Account: account, Region: region, AccessKeyID: "AKIALAKETEST"})
}

func (fx *lakeFixture) clock() time.Time {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	return fx.now
}

// advance moves the service's clock.
func (fx *lakeFixture) advance(d time.Duration) {
	fx.mu.Lock()
	fx.now = fx.now.Add(d)
	fx.mu.Unlock()
}

// store creates a store with termination protection off, so that tests
// can delete it.
func (fx *lakeFixture) store(t *testing.T, name string) *ctlake.EventDataStore {
	t.Helper()
	off := false
	eds, err := fx.svc.CreateEventDataStore(fx.ctx, ctlake.CreateEventDataStoreInput{Name: name, TerminationProtectionEnabled: &off})
	if err != nil {
		t.Fatalf("create store %s: %v", name, err)
	}
	return eds
}

// trails writes a generated trail tree into a folder of the fixture and
// returns its file:// URI and ground truth.
func (fx *lakeFixture) trails(t *testing.T, name string, spec trailgen.Spec) (string, trailgen.Truth) {
	t.Helper()
	root := filepath.Join(fx.dir, name)
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	truth, err := trailgen.Generate(root, spec)
	if err != nil {
		t.Fatal(err)
	}
	return "file://" + root + "/", truth
}

// recentSpec is a small tree of days within the default retention of the
// fixture's clock (logs older than a store's retention are skipped).
func recentSpec(seed int64) trailgen.Spec {
	return trailgen.Spec{Seed: seed, Start: time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC), Days: 2,
		Regions: []string{"us-east-1", "eu-west-1"}, FilesPerRegionDay: 3, MaxEventsPerFile: 20}
}

func importSource(uri string) *ctlake.ImportSource {
	return &ctlake.ImportSource{S3LocationURI: uri, S3BucketRegion: testRegion, S3BucketAccessRoleARN: "arn:aws:iam::123456789012:role/import"}
}

// wait polls an import until it ends, for at most a minute.
func (fx *lakeFixture) wait(t *testing.T, id string) *ctlake.Import {
	t.Helper()
	return fx.waitAs(t, fx.ctx, id)
}

// waitAs is wait for an import of the caller of ctx.
func (fx *lakeFixture) waitAs(t *testing.T, ctx context.Context, id string) *ctlake.Import {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		im, err := fx.svc.GetImport(ctx, id)
		if err != nil {
			t.Fatalf("get import %s: %v", id, err)
		}
		if !im.Status.Running() {
			return im
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s still %s after a minute: %+v", id, im.Status, im.Statistics)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// folderSources opens file:// sources under one folder, as ctlake serve
// opens them, and refuses the rest.
type folderSources struct{ root string }

func (o folderSources) OpenSource(_ context.Context, u *url.URL, _ ctlake.ImportSource) (ctlake.Source, error) {
	if u.Scheme != "file" || !strings.HasPrefix(filepath.Clean(u.Path)+"/", o.root+"/") {
		return nil, fmt.Errorf("only file:// sources under %s are read in this test", o.root)
	}
	return file.NewSource("/")
}

// wantErr fails the test unless err is the AWS error code with a message
// that contains msg (the part of it that names no random id).
func wantErr(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: no error, want %s %q", what, code, msg)
	case ctlake.ErrorCode(err) != code || !strings.Contains(ctlake.ErrorMessage(err), msg):
		t.Errorf("%s: %s %q\nwant %s containing %q", what, ctlake.ErrorCode(err), ctlake.ErrorMessage(err), code, msg)
	}
}
