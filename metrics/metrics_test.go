package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/metrics"
	"github.com/ctlake/ctlake/sqlite"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// openCatalog opens a real SQLite catalog in the test's folder.
func openCatalog(t *testing.T) *sqlite.Catalog {
	t.Helper()
	cat := sqlite.NewCatalog(filepath.Join(t.TempDir(), "catalog.db"))
	if err := cat.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat
}

func update(t *testing.T, cat ctlake.Catalog, fn func(tx ctlake.Tx) error) {
	t.Helper()
	if err := cat.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// scrape serves GET /metrics from m's handler and parses the text format,
// as Prometheus would.
func scrape(t *testing.T, m *metrics.Metrics) scraped {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: HTTP %d\n%s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want the text format", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, body)
	}
	return scraped{families: families, text: string(body)}
}

type scraped struct {
	families map[string]*dto.MetricFamily
	text     string
}

// value returns the value of the sample of family name whose labels are
// exactly the given pairs (a histogram gives its count), and whether there
// is one.
func (s scraped) value(name string, labels ...string) (float64, bool) {
	f := s.families[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		if len(m.Label)*2 != len(labels) {
			continue
		}
		for i := 0; i < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func (s scraped) want(t *testing.T, want float64, name string, labels ...string) {
	t.Helper()
	got, ok := s.value(name, labels...)
	if !ok {
		t.Errorf("%s%v: no such sample", name, labels)
		return
	}
	if got != want {
		t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

func TestAPIRequests(t *testing.T) {
	m := metrics.New(metrics.Config{Catalog: openCatalog(t), Operations: []string{"StartImport", "GetImport"}})
	m.ObserveRequest("StartImport", "", 20*time.Millisecond)
	m.ObserveRequest("StartImport", "", 30*time.Millisecond)
	m.ObserveRequest("GetImport", "ImportNotFoundException", time.Millisecond)
	// Whatever a client puts in X-Amz-Target, the label set stays closed.
	m.ObserveRequest("DropTables", "UnknownOperationException", time.Millisecond)
	m.ObserveRequest("Get"+strings.Repeat("x", 500), "UnknownOperationException", time.Millisecond)
	m.ObserveRequest("", "MissingAuthenticationTokenException", time.Millisecond)
	m.ObserveRequest("GetImport", `bad"code{}`, time.Millisecond)

	s := scrape(t, m)
	s.want(t, 2, "ctlake_api_requests_total", "operation", "StartImport", "code", "OK")
	s.want(t, 1, "ctlake_api_requests_total", "operation", "GetImport", "code", "ImportNotFoundException")
	s.want(t, 2, "ctlake_api_requests_total", "operation", "unknown", "code", "UnknownOperationException")
	s.want(t, 1, "ctlake_api_requests_total", "operation", "unknown", "code", "MissingAuthenticationTokenException")
	s.want(t, 1, "ctlake_api_requests_total", "operation", "GetImport", "code", "InvalidErrorCode")
	s.want(t, 2, "ctlake_api_request_duration_seconds", "operation", "StartImport")
	if sum := s.families["ctlake_api_request_duration_seconds"].Metric; len(sum) != 3 {
		t.Errorf("duration histograms for %d operations, want 3 (StartImport, GetImport, unknown)", len(sum))
	}
	for _, m := range s.families["ctlake_api_request_duration_seconds"].Metric {
		if m.Label[0].GetValue() == "StartImport" && m.Histogram.GetSampleSum() != 0.05 {
			t.Errorf("StartImport duration sum %v, want 0.05", m.Histogram.GetSampleSum())
		}
	}
	if strings.Contains(s.text, "DropTables") || strings.Contains(s.text, "xxxx") {
		t.Errorf("an operation name a client sent became a label:\n%s", s.text)
	}
	// The Go and process collectors are on the registry.
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if s.families[name] == nil {
			t.Errorf("%s is missing", name)
		}
	}
}

// TestImportProgress follows an import resumed after a restart: the
// counters take what the catalog's statistics gained during this run only.
func TestImportProgress(t *testing.T) {
	cat := openCatalog(t)
	m := metrics.New(metrics.Config{Catalog: cat})
	now := ctlake.Millis(time.Now())
	im := &ctlake.Import{ID: "11111111-1111-4111-8111-111111111111", Account: "123456789012", Region: "us-east-1",
		Destination: "store", Source: ctlake.ImportSource{S3LocationURI: "s3://b"}, Status: ctlake.ImportInProgress,
		Statistics: ctlake.ImportStatistics{FilesCompleted: 5, EventsCompleted: 100, FailedEntries: 1}, CreatedAt: now, UpdatedAt: now}
	update(t, cat, func(tx ctlake.Tx) error { return tx.PutImport(im) })

	s := scrape(t, m)
	s.want(t, 1, "ctlake_imports_running")
	s.want(t, 0, "ctlake_imports_finished_total", "status", "COMPLETED") // exported before the first one ends
	s.want(t, 0, "ctlake_import_files_completed_total")                  // not run by this process (yet)

	m.ImportRunStarted(im)
	s = scrape(t, m)
	s.want(t, 0, "ctlake_import_files_completed_total")
	s.want(t, 0, "ctlake_import_events_completed_total")

	// The committer moves the statistics batch by batch.
	moved := *im
	moved.Statistics = ctlake.ImportStatistics{FilesCompleted: 8, EventsCompleted: 160, FailedEntries: 2}
	update(t, cat, func(tx ctlake.Tx) error { return tx.PutImport(&moved) })
	s = scrape(t, m)
	s.want(t, 3, "ctlake_import_files_completed_total")
	s.want(t, 60, "ctlake_import_events_completed_total")
	s.want(t, 1, "ctlake_import_failures_total")

	final := moved
	final.Status = ctlake.ImportFailed
	final.Statistics = ctlake.ImportStatistics{FilesCompleted: 10, EventsCompleted: 200, FailedEntries: 2}
	update(t, cat, func(tx ctlake.Tx) error { return tx.PutImport(&final) })
	m.ImportRunEnded(&final, time.Second)
	s = scrape(t, m)
	s.want(t, 0, "ctlake_imports_running")
	s.want(t, 5, "ctlake_import_files_completed_total")
	s.want(t, 100, "ctlake_import_events_completed_total")
	s.want(t, 1, "ctlake_import_failures_total")
	s.want(t, 1, "ctlake_imports_finished_total", "status", "FAILED")

	// A run paused by a shutdown keeps its progress but is not finished.
	second := ctlake.Import{ID: "22222222-2222-4222-8222-222222222222", Account: "123456789012", Region: "us-east-1",
		Destination: "store", Source: ctlake.ImportSource{S3LocationURI: "s3://b"}, Status: ctlake.ImportInProgress, CreatedAt: now, UpdatedAt: now}
	update(t, cat, func(tx ctlake.Tx) error { return tx.PutImport(&second) })
	m.ImportRunStarted(&second)
	second.Statistics = ctlake.ImportStatistics{FilesCompleted: 1, EventsCompleted: 7}
	m.ImportRunEnded(&second, time.Second)
	s = scrape(t, m)
	s.want(t, 6, "ctlake_import_files_completed_total")
	s.want(t, 107, "ctlake_import_events_completed_total")
	if _, ok := s.value("ctlake_imports_finished_total", "status", "IN_PROGRESS"); ok {
		t.Errorf("a paused run was counted as finished")
	}
}

func TestQueriesAndStorage(t *testing.T) {
	cat := openCatalog(t)
	m := metrics.New(metrics.Config{Catalog: cat})
	created := ctlake.Millis(time.Now())
	query := func(id string, st ctlake.QueryStatus) *ctlake.Query {
		return &ctlake.Query{ID: id, Account: "123456789012", Region: "us-east-1", Statement: "SELECT 1", Status: st,
			CreatedAt: created, UpdatedAt: created}
	}
	queued := query("aaaaaaaa-0000-4000-8000-000000000001", ctlake.QueryQueued)
	running := query("aaaaaaaa-0000-4000-8000-000000000002", ctlake.QueryRunning)
	running2 := query("aaaaaaaa-0000-4000-8000-000000000003", ctlake.QueryRunning)
	day := time.Date(2023, 7, 10, 0, 0, 0, 0, time.UTC)
	update(t, cat, func(tx ctlake.Tx) error {
		for _, q := range []*ctlake.Query{queued, running, running2} {
			if err := tx.PutQuery(q); err != nil {
				return err
			}
		}
		for i, n := range []int64{1000, 2500, 40} {
			seg := ctlake.Segment{ID: string(rune('a' + i)), StoreID: []string{"s1", "s1", "s2"}[i], Day: day,
				Path: filepath.Join("s", string(rune('a'+i))+".parquet"), Events: 1, Bytes: n, MinTime: day, MaxTime: day, ImportID: "i"}
			if err := tx.PutSegment(seg); err != nil {
				return err
			}
		}
		return nil
	})
	s := scrape(t, m)
	s.want(t, 1, "ctlake_queries_queued")
	s.want(t, 2, "ctlake_queries_running")
	s.want(t, 3, "ctlake_storage_segments")
	s.want(t, 3540, "ctlake_storage_segment_bytes")

	running.Status, running.UpdatedAt = ctlake.QueryFinished, created.Add(1500*time.Millisecond)
	update(t, cat, func(tx ctlake.Tx) error { return tx.PutQuery(running) })
	m.QueryEnded(running)
	s = scrape(t, m)
	s.want(t, 1, "ctlake_queries_running")
	s.want(t, 1, "ctlake_queries_finished_total", "status", "FINISHED")
	s.want(t, 0, "ctlake_queries_finished_total", "status", "TIMED_OUT")
	s.want(t, 1, "ctlake_query_duration_seconds", "status", "FINISHED")
	if sum := s.families["ctlake_query_duration_seconds"].Metric[0].Histogram.GetSampleSum(); sum != 1.5 {
		t.Errorf("query duration sum %v, want 1.5", sum)
	}
	// Stores are not labels: /metrics is unsigned.
	if strings.Contains(s.text, "s1") {
		t.Errorf("a store id is exported:\n%s", s.text)
	}
}

// TestCatalogUnavailable: a scrape whose catalog read fails still serves the
// other metrics, and fails loudly on the ones it could not read.
func TestCatalogUnavailable(t *testing.T) {
	cat := openCatalog(t)
	m := metrics.New(metrics.Config{Catalog: cat})
	m.ObserveRequest("", "", time.Millisecond)
	cat.Close()
	s := scrape(t, m)
	s.want(t, 1, "ctlake_api_requests_total", "operation", "unknown", "code", "OK")
	if _, ok := s.value("ctlake_storage_segments"); ok {
		t.Errorf("segments reported without a catalog")
	}
}

// rowsOnlyCatalog is a catalog whose transactions cannot sum segments in
// SQL, as another implementation of ctlake.Catalog might be.
type rowsOnlyCatalog struct{ ctlake.Catalog }

// rowsOnlyTx hides the SQLite transaction's SegmentTotals.
type rowsOnlyTx struct{ ctlake.Tx }

func (c rowsOnlyCatalog) View(ctx context.Context, fn func(ctlake.Tx) error) error {
	return c.Catalog.View(ctx, func(tx ctlake.Tx) error { return fn(rowsOnlyTx{tx}) })
}

// TestStorageFromRows: a catalog without SegmentTotals gets the same
// figures, summed from its segment rows.
func TestStorageFromRows(t *testing.T) {
	cat := openCatalog(t)
	day := time.Date(2023, 7, 10, 0, 0, 0, 0, time.UTC)
	update(t, cat, func(tx ctlake.Tx) error {
		for i, n := range []int64{700, 300} {
			id := string(rune('a' + i))
			if err := tx.PutSegment(ctlake.Segment{ID: id, StoreID: "s", Day: day, Path: id + ".parquet", Bytes: n, MinTime: day, MaxTime: day}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, c := range []ctlake.Catalog{cat, rowsOnlyCatalog{cat}} {
		s := scrape(t, metrics.New(metrics.Config{Catalog: c}))
		s.want(t, 2, "ctlake_storage_segments")
		s.want(t, 1000, "ctlake_storage_segment_bytes")
	}
}
