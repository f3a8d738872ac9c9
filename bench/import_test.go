package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ctlake/ctlake/ctlaketest"
	"github.com/ctlake/ctlake/trailgen"
)

// scale is the size of a benchmark run.
type scale struct {
	name string
	// large: accounts × regions × days × files per region-day, 400–600
	// events per file.
	largeDays, largeFiles int
	// big is the data set at four times the large one's days, for the RSS
	// figure; skipped when 0.
	bigDays int
	// tiny: accounts × regions × days × files per region-day of 2–6
	// events, served by versitygw.
	tinyDays, tinyFiles int
}

var (
	// full is the benchmark: 2,016 large files (about 1M events),
	// 4M events for the RSS figure, 20,160 tiny files.
	full = scale{name: "full", largeDays: 7, largeFiles: 24, bigDays: 28, tinyDays: 7, tinyFiles: 240}
	// smoke checks the harness in the test suite, in seconds.
	smoke = scale{name: "smoke", largeDays: 1, largeFiles: 2, bigDays: 0, tinyDays: 1, tinyFiles: 3}
)

const (
	accounts = 4
	firstDay = "2026-10-01"
)

var regions = []string{"us-east-1", "eu-west-1", "ap-southeast-2"}

// figure is one row of the result table.
type figure struct {
	Figure string  `json:"figure"`
	Unit   string  `json:"unit"`
	Ctlake float64 `json:"ctlake"`
	Peer   string  `json:"peer"`
	Value  float64 `json:"peerValue"`
	// Ratio is ctlake / peer.
	Ratio float64 `json:"ratio"`
}

// TestImportBenchmark is the benchmark of issue 5. With CTLAKE_BENCH=1 it
// runs at full scale (scripts/bench-import); otherwise at a tiny scale, to
// keep the harness working.
func TestImportBenchmark(t *testing.T) {
	if testing.Short() {
		t.Skip("the benchmark builds the ctlake binary and starts servers: it runs in the full tier (go test without -short)")
	}
	sc := smoke
	if os.Getenv("CTLAKE_BENCH") == "1" {
		sc = full
	}
	work := os.Getenv("CTLAKE_BENCH_DATA") // generated data, kept between runs
	if work == "" || sc.name == "smoke" {
		work = t.TempDir()
	}
	bin := buildCtlake(t)
	var figs []figure
	var oneX importRun
	if !skip("large") {
		var f []figure
		f, oneX = largeFiles(t, sc, work, bin)
		figs = append(figs, f...)
	}
	if sc.bigDays > 0 && !skip("big") {
		figs = append(figs, fourTimes(t, sc, work, bin, oneX)...)
	}
	if !skip("tiny") {
		figs = append(figs, tinyFiles(t, sc, bin)...)
	}
	report(t, sc, figs)
}

// newFigure fills in the ratio.
func newFigure(f figure) figure {
	if f.Value > 0 {
		f.Ratio = f.Ctlake / f.Value
	}
	return f
}

// largeFiles is part 1: large files from a folder, against DuckDB's
// read_json and the gzip floor; with ctlake's peak RSS and size on disk.
func largeFiles(t *testing.T, sc scale, work, bin string) ([]figure, importRun) {
	large, truth := generate(t, filepath.Join(work, fmt.Sprintf("large-%dd", sc.largeDays)), trailgen.Spec{
		Days: sc.largeDays, FilesPerRegionDay: sc.largeFiles, MinEventsPerFile: 400, MaxEventsPerFile: 600, Seed: 5})
	gz, inflated := treeBytes(t, large)
	t.Logf("large: %d files, %d events, %.0f MB gzip, %.0f MB JSON", truth.Files, truth.Events, mb(gz), mb(inflated))
	var floor float64
	var duck duckdbRun
	if !skip("peers") {
		floor = gzipFloor(t, large)
		duck = duckdbPeer(t, large)
		if duck.Rows != int64(truth.Events) {
			t.Errorf("DuckDB read %d events, the generator wrote %d", duck.Rows, truth.Events)
		}
	}
	srv := startServer(t, bin)
	run := srv.runImport(t, "file://"+large+"/")
	if got := aws.ToInt64(run.Stats.EventsCompleted); got != int64(truth.Events) {
		t.Errorf("ctlake imported %d events, the generator wrote %d", got, truth.Events)
	}
	jsonBytes := columnBytes(t, filepath.Join(srv.data, "segments", "*", "*", "*.parquet"), "eventjson")
	t.Logf("ctlake: %.2f s, %d segments (%.0f MB, %.0f MB of it eventjson); DuckDB: %.2f s (+%.2f s to write its Parquet)",
		run.Seconds, run.Segments, mb(run.Bytes), mb(jsonBytes), duck.Seconds, duck.ParquetSeconds)
	perM := 1e6 / float64(truth.Events)
	events := float64(truth.Events)
	return []figure{
		newFigure(figure{Figure: "large files, wall", Unit: "s", Ctlake: run.Seconds, Peer: "DuckDB read_json", Value: duck.Seconds}),
		newFigure(figure{Figure: "large files, wall", Unit: "s", Ctlake: run.Seconds, Peer: "gzip -dc floor", Value: floor}),
		newFigure(figure{Figure: "large files, events/s", Unit: "events/s", Ctlake: events / run.Seconds, Peer: "DuckDB read_json", Value: events / duck.Seconds}),
		newFigure(figure{Figure: "large files, peak RSS", Unit: "MB", Ctlake: mb(run.PeakRSS), Peer: "DuckDB read_json", Value: mb(duck.PeakRSS)}),
		newFigure(figure{Figure: "on disk per 1M events", Unit: "MB", Ctlake: mb(run.Bytes) * perM, Peer: "DuckDB Parquet zstd (no eventjson)", Value: mb(duck.ParquetBytes) * perM}),
		newFigure(figure{Figure: "on disk per 1M events, without eventjson", Unit: "MB", Ctlake: mb(run.Bytes-jsonBytes) * perM, Peer: "DuckDB Parquet zstd (no eventjson)", Value: mb(duck.ParquetBytes) * perM}),
	}, run
}

// fourTimes is part 3: the large import at four times the data, for its
// peak RSS against the one at 1×.
func fourTimes(t *testing.T, sc scale, work, bin string, oneX importRun) []figure {
	big, truth := generate(t, filepath.Join(work, fmt.Sprintf("large-%dd", sc.bigDays)), trailgen.Spec{
		Days: sc.bigDays, FilesPerRegionDay: sc.largeFiles, MinEventsPerFile: 400, MaxEventsPerFile: 600, Seed: 5})
	srv := startServer(t, bin)
	run := srv.runImport(t, "file://"+big+"/")
	if got := aws.ToInt64(run.Stats.EventsCompleted); got != int64(truth.Events) {
		t.Errorf("ctlake imported %d events of the 4× set, the generator wrote %d", got, truth.Events)
	}
	t.Logf("4×: %d events in %.2f s, %d segments", truth.Events, run.Seconds, run.Segments)
	return []figure{
		newFigure(figure{Figure: "peak RSS at 4× the data", Unit: "MB", Ctlake: mb(run.PeakRSS), Peer: "ctlake at 1×", Value: mb(oneX.PeakRSS)}),
		newFigure(figure{Figure: "4× the data, events/s", Unit: "events/s", Ctlake: float64(truth.Events) / run.Seconds, Peer: "ctlake at 1×",
			Value: float64(aws.ToInt64(oneX.Stats.EventsCompleted)) / oneX.Seconds}),
	}
}

// tinyFiles is part 2: tiny files served by versitygw, against aws s3 sync
// and a 64-way concurrent GET.
func tinyFiles(t *testing.T, sc scale, bin string) []figure {
	vgw := ctlaketest.StartVersity(t)
	const bucket = "trail-bucket"
	tiny, truth := generate(t, filepath.Join(vgw.Root, bucket), trailgen.Spec{
		Days: sc.tinyDays, FilesPerRegionDay: sc.tinyFiles, MinEventsPerFile: 2, MaxEventsPerFile: 6, Seed: 9})
	os.Remove(filepath.Join(tiny, "truth.json")) // not an object of the bucket
	gz, _ := treeBytes(t, tiny)
	t.Logf("tiny: %d files, %d events, %.1f MB gzip (%.1f KB a file)", truth.Files, truth.Events, mb(gz), float64(gz)/1024/float64(truth.Files))
	client := s3.New(s3.Options{Region: vgw.Region, BaseEndpoint: aws.String(vgw.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(vgw.AccessKey, vgw.SecretKey, ""),
		HTTPClient:  &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxIdleConns: 128}}})
	list, get, objects := getFloor(t, client, bucket, "AWSLogs/")
	if objects != truth.Files {
		t.Errorf("listed %d objects, the generator wrote %d log files", objects, truth.Files)
	}
	var syncSeconds float64
	_, noAWS := exec.LookPath("aws")
	switch {
	case skip("peers"):
	case noAWS != nil && os.Getenv("CTLAKE_E2E") != "1":
		t.Log("the AWS CLI is not installed (apt-get install awscli): no aws s3 sync figure")
	default:
		syncSeconds = s3Sync(t, vgw.Env(), vgw.URL, "s3://"+bucket+"/AWSLogs/")
	}
	srv := startServer(t, bin, vgw.Env()...)
	run := srv.runImport(t, "s3://"+bucket+"/")
	if got := aws.ToInt64(run.Stats.EventsCompleted); got != int64(truth.Events) {
		t.Errorf("ctlake imported %d tiny-file events, the generator wrote %d", got, truth.Events)
	}
	t.Logf("tiny: ctlake %.2f s, %d segments; LIST %.2f s + GET %.2f s; aws s3 sync %.2f s", run.Seconds, run.Segments, list, get, syncSeconds)
	return []figure{
		newFigure(figure{Figure: "tiny files from S3, wall", Unit: "s", Ctlake: run.Seconds, Peer: "aws s3 sync", Value: syncSeconds}),
		newFigure(figure{Figure: "tiny files from S3, wall", Unit: "s", Ctlake: run.Seconds, Peer: "64-way GET floor", Value: get}),
		newFigure(figure{Figure: "tiny files from S3, wall", Unit: "s", Ctlake: run.Seconds, Peer: "LIST + 64-way GET", Value: list + get}),
		newFigure(figure{Figure: "tiny files from S3, files/s", Unit: "files/s", Ctlake: float64(truth.Files) / run.Seconds, Peer: "64-way GET floor", Value: float64(objects) / get}),
	}
}

// skip reports whether CTLAKE_BENCH_SKIP (a comma-separated list of peers,
// big, tiny) names part, to rerun one part of the benchmark while working
// on it.
func skip(part string) bool {
	for _, p := range strings.Split(os.Getenv("CTLAKE_BENCH_SKIP"), ",") {
		if strings.TrimSpace(p) == part {
			return true
		}
	}
	return false
}

// generate writes a trail tree with trailgen into dir, or reuses the one a
// previous run wrote there with the same spec.
func generate(t *testing.T, dir string, spec trailgen.Spec) (string, trailgen.Truth) {
	spec.Accounts, spec.Regions = accounts, regions
	start, err := time.Parse(time.DateOnly, firstDay)
	if err != nil {
		t.Fatal(err)
	}
	spec.Start = start
	if b, err := os.ReadFile(filepath.Join(dir, "truth.json")); err == nil {
		var truth trailgen.Truth
		if json.Unmarshal(b, &truth) == nil && truth.Spec.Days == spec.Days && truth.Spec.FilesPerRegionDay == spec.FilesPerRegionDay &&
			truth.Spec.Seed == spec.Seed && truth.Spec.MaxEventsPerFile == spec.MaxEventsPerFile {
			return dir, truth
		}
	}
	os.RemoveAll(dir)
	began := time.Now()
	truth, err := trailgen.Generate(dir, spec)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(truth)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "truth.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("generated %s in %v", dir, time.Since(began).Round(time.Second))
	return dir, truth
}

// treeBytes returns the compressed size of the log files under dir and,
// from their gzip trailers, their inflated size (modulo 4 GiB per file).
func treeBytes(t *testing.T, dir string) (gz, inflated int64) {
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json.gz") {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return err
		}
		gz += info.Size()
		var trailer [4]byte
		if _, err := f.ReadAt(trailer[:], info.Size()-4); err != nil && err != io.EOF {
			return err
		}
		inflated += int64(uint32(trailer[0]) | uint32(trailer[1])<<8 | uint32(trailer[2])<<16 | uint32(trailer[3])<<24)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return gz, inflated
}

func mb(b int64) float64 { return float64(b) / 1e6 }

// report prints the table and writes it as JSON to CTLAKE_BENCH_OUT
// (default bench-import.json in the test's folder... of the run).
func report(t *testing.T, sc scale, figs []figure) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nctlake import benchmark (%s scale), %d cores, %s\n\n", sc.name, runtime.NumCPU(), time.Now().UTC().Format(time.DateOnly))
	fmt.Fprintf(&b, "| %-46s | %12s | %-36s | %12s | %6s |\n", "figure", "ctlake", "peer", "peer value", "ratio")
	fmt.Fprintf(&b, "|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 48), strings.Repeat("-", 14), strings.Repeat("-", 38), strings.Repeat("-", 14), strings.Repeat("-", 8))
	for _, f := range figs {
		fmt.Fprintf(&b, "| %-46s | %12s | %-36s | %12s | %6.2f |\n", f.Figure+" ("+f.Unit+")", num(f.Ctlake), f.Peer, num(f.Value), f.Ratio)
	}
	fmt.Print(b.String())
	out := os.Getenv("CTLAKE_BENCH_OUT")
	if out == "" {
		out = filepath.Join(t.TempDir(), "bench-import.json")
	}
	doc := map[string]any{"scale": sc.name, "cores": runtime.NumCPU(), "date": time.Now().UTC().Format(time.RFC3339), "figures": figs}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, append(js, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", out)
}

func num(v float64) string {
	if v >= 1000 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
