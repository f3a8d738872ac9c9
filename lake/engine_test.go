package lake_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/duckdb"
	"github.com/ctlake/ctlake/lake"
	"github.com/ctlake/ctlake/segment"
	"github.com/ctlake/ctlake/trailgen"
)

// TestMain makes the test binary a query worker when the query engine
// starts it (the engine's pool runs its own executable with
// duckdb.WorkerArg), as cmd/ctlake does.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == duckdb.WorkerArg {
		if err := duckdb.ServeWorker(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "query worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// newQueryLake is newLake with the real query engine, its worker processes
// over the fixture's segments, as ctlake serve builds it; configure, if
// not nil, changes the service before it opens.
func newQueryLake(t *testing.T, configure func(*lake.Service)) *lakeFixture {
	t.Helper()
	return newLake(t, func(s *lake.Service) {
		segs := s.Segments.(*segment.Store)
		start := time.Now()
		engine, err := duckdb.NewQueryEngine(context.Background(), duckdb.QueryEngineConfig{
			Engine:   duckdb.Config{MemoryLimit: "256MB", Threads: 1, TempDir: filepath.Join(t.TempDir(), "duckdb")},
			Segments: segs,
			Workers:  1,
			Logger:   s.Logger,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("the query engine started in %v", time.Since(start))
		// Registered before newLake's cleanup, so run after it: the
		// service ends its queries before the engine's workers go.
		t.Cleanup(func() { engine.Close() })
		s.Queries, s.QueryWorkers = engine, 1
		if configure != nil {
			configure(s)
		}
	})
}

// imported creates a store and imports a generated tree into it.
func (fx *lakeFixture) imported(t *testing.T, name string, spec trailgen.Spec) (*ctlake.EventDataStore, trailgen.Truth) {
	t.Helper()
	eds := fx.store(t, name)
	uri, truth := fx.trails(t, name+"-trails", spec)
	im, err := fx.svc.StartImport(fx.ctx, ctlake.StartImportInput{Destinations: []string{eds.ID}, Source: importSource(uri)})
	if err != nil {
		t.Fatal(err)
	}
	if got := fx.wait(t, im.ID); got.Status != ctlake.ImportCompleted || got.Statistics.EventsCompleted != int64(truth.Events) {
		t.Fatalf("import into %s ended %s %+v, want COMPLETED with %d events", name, got.Status, got.Statistics, truth.Events)
	}
	return eds, truth
}
