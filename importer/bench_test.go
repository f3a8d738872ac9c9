package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/file"
	"github.com/ctlake/ctlake/importer"
	"github.com/ctlake/ctlake/segment"
	"github.com/ctlake/ctlake/sqlite"
	"github.com/ctlake/ctlake/trailgen"
)

// benchTree is a generated trail tree shared by the benchmarks: 96 files of
// 400–600 events (about 48,000 events, 9 MB gzip), the shape of the issue's
// large-file data set on a smaller scale.
var benchTree struct {
	once  sync.Once
	dir   string
	truth trailgen.Truth
	gz    int64
	err   error
}

func generatedTree(b *testing.B) (string, trailgen.Truth, int64) {
	benchTree.once.Do(func() {
		dir, err := os.MkdirTemp("", "ctlake-import-bench-")
		if err != nil {
			benchTree.err = err
			return
		}
		benchTree.dir = dir
		benchTree.truth, benchTree.err = trailgen.Generate(dir, trailgen.Spec{
			Accounts: 2, Regions: []string{"us-east-1", "eu-west-1"}, Days: 2,
			Start:             time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
			FilesPerRegionDay: 12, MinEventsPerFile: 400, MaxEventsPerFile: 600, Seed: 7,
		})
		filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if info, err := d.Info(); err == nil {
					benchTree.gz += info.Size()
				}
			}
			return nil
		})
	})
	if benchTree.err != nil {
		b.Fatal(benchTree.err)
	}
	return benchTree.dir, benchTree.truth, benchTree.gz
}

// BenchmarkImport runs whole imports of the generated tree from a local
// folder: listing, reading, gunzip, parsing, mapping, segment writes and
// catalog commits, as the server runs them. Profile it with
//
//	go test ./importer -run='^$' -bench=Import -benchtime=3x -cpuprofile=/tmp/cpu.out
func BenchmarkImport(b *testing.B) {
	dir, truth, gz := generatedTree(b)
	src, err := file.NewSource(dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(gz)
	b.ReportAllocs()
	var cpu0 time.Duration
	for i := 0; b.Loop(); i++ {
		if i == 0 {
			cpu0 = cpuTime()
		}
		data := b.TempDir()
		cat := sqlite.NewCatalog(filepath.Join(data, "catalog.db"))
		if err := cat.Open(ctx); err != nil {
			b.Fatal(err)
		}
		eds, im := putImport(b, cat, "bench-"+strconv.Itoa(i), ctlake.DefaultRetentionFixed)
		imp := &importer.Importer{Catalog: cat, Segments: segment.NewStore(filepath.Join(data, "segments"))}
		if err := imp.Run(ctx, im, eds, src, ctlake.ImportScope{ListPrefix: "AWSLogs/"}); err != nil {
			b.Fatal(err)
		}
		var got *ctlake.Import
		cat.View(ctx, func(tx ctlake.Tx) (err error) { got, err = tx.Import(im.ID); return err })
		if got.Statistics.EventsCompleted != int64(truth.Events) {
			b.Fatalf("imported %d events, the generator wrote %d", got.Statistics.EventsCompleted, truth.Events)
		}
		cat.Close()
	}
	b.ReportMetric(float64(truth.Events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	// CPU time per event is the figure to compare on a busy machine: wall
	// time depends on what else runs.
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/1e3/float64(truth.Events*b.N), "cpu-µs/event")
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
