package e2e

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsAndLogs imports the shared real dataset and runs a query with
// aws-sdk-go-v2, then checks /metrics and the server log against what the
// test itself knows: the dataset README's figures, the calls its client
// sent, and the segment files in the data folder.
func TestMetricsAndLogs(t *testing.T) {
	dir := invictusDir(t)
	srv := StartServer(t)
	calls := &callCounter{calls: map[string]int{}}
	c := countingClient(srv.URL, calls)

	store := create(t, c, "metrics", func(in *cloudtrail.CreateEventDataStoreInput) {
		in.RetentionPeriod, in.StartIngestion = aws.Int32(3653), aws.Bool(false)
	})
	storeARN := aws.ToString(store.EventDataStoreArn)
	importID := startImport(t, c, storeARN, "file://"+dir+"/")
	done := waitImport(t, c, importID)
	if done.ImportStatus != types.ImportStatusCompleted {
		t.Fatalf("import ended %s", done.ImportStatus)
	}
	desc, rows := runQuery(t, c, "SELECT count(*) AS n FROM "+idOf(storeARN))
	if desc.QueryStatus != types.QueryStatusFinished || len(rows) != 1 || rows[0][0]["n"] != "2900" {
		t.Fatalf("query: %s %v", desc.QueryStatus, rows)
	}
	// A deliberate bad request through the SDK, one for an operation that
	// does not exist, and one without a signature.
	_, err := c.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String("00000000-0000-4000-8000-000000000000")})
	if errorCode(err) != "EventDataStoreNotFoundException" {
		t.Fatalf("GetEventDataStore of no store: %v", err)
	}
	if a := srv.call(t, rawCall{target: longTarget + "DropEverything", body: "{}"}); a.status != 400 {
		t.Fatalf("unknown operation: HTTP %d %s", a.status, a.raw)
	}
	if a := srv.call(t, rawCall{target: longTarget + "ListEventDataStores", body: "{}", unsigned: true}); a.status != 403 {
		t.Fatalf("unsigned call: HTTP %d %s", a.status, a.raw)
	}
	sent := calls.snapshot()

	m := scrapeMetrics(t, srv.URL)

	// Imports: the dataset README's figures.
	m.want(t, 2900, "ctlake_import_events_completed_total")
	m.want(t, 55, "ctlake_import_files_completed_total")
	m.want(t, 0, "ctlake_import_failures_total")
	m.want(t, 1, "ctlake_imports_finished_total", "status", "COMPLETED")
	m.want(t, 0, "ctlake_imports_running")

	// API calls: each operation counted as often as the client sent it.
	for op, n := range sent {
		code := "OK"
		if op == "GetEventDataStore" {
			code = "EventDataStoreNotFoundException"
		}
		m.want(t, float64(n), "ctlake_api_requests_total", "operation", op, "code", code)
		m.want(t, float64(n), "ctlake_api_request_duration_seconds", "operation", op)
	}
	m.want(t, 1, "ctlake_api_requests_total", "operation", "unknown", "code", "UnknownOperationException")
	m.want(t, 1, "ctlake_api_requests_total", "operation", "ListEventDataStores", "code", "MissingAuthenticationTokenException")

	// Queries.
	m.want(t, 1, "ctlake_queries_finished_total", "status", "FINISHED")
	m.want(t, 1, "ctlake_query_duration_seconds", "status", "FINISHED")
	m.want(t, 0, "ctlake_queries_running")
	m.want(t, 0, "ctlake_queries_queued")

	// Storage: the segment files on disk.
	files, size := parquetFiles(t, filepath.Join(srv.DataDir, "segments"))
	if files == 0 {
		t.Fatalf("no segment files under %s", srv.DataDir)
	}
	m.want(t, float64(files), "ctlake_storage_segments")
	m.want(t, float64(size), "ctlake_storage_segment_bytes")

	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if m.families[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if strings.Contains(m.text, testSecretKey) || strings.Contains(m.text, testAccessKey) || strings.Contains(m.text, idOf(storeARN)) {
		t.Errorf("/metrics exposes a key or a store id:\n%s", m.text)
	}

	checkLog(t, srv, sent, importID, idOf(storeARN), desc)
}

// checkLog checks the server's JSON log: one line per API request, and the
// import and query lines with the right figures.
func checkLog(t *testing.T, srv *Server, sent map[string]int, importID, storeID string, q *cloudtrail.DescribeQueryOutput) {
	t.Helper()
	if strings.Contains(srv.Log(), testSecretKey) {
		t.Errorf("the log contains the secret key")
	}
	type line struct {
		Msg, Path, Operation, Code string
		RequestID                  string `json:"request_id"`
		Status                     any    // an HTTP status, or an import's or a query's
		ImportID                   string `json:"import_id"`
		QueryID                    string `json:"query_id"`
		Source, Window             string
		Destinations               []string
		Files, Events, Prefixes    *int64
		FailedEntries              *int64 `json:"failed_entries"`
		Rows                       *int64
		DurationMS                 *int64   `json:"duration_ms"`
		EventsPerSecond            *float64 `json:"events_per_second"`
	}
	logged := map[string]int{}
	ids := map[string]bool{}
	var started, finished, queryEnd []line
	for _, raw := range strings.Split(srv.Log(), "\n") {
		var l line
		if json.Unmarshal([]byte(raw), &l) != nil {
			continue
		}
		switch l.Msg {
		case "request":
			if l.Path != "/" {
				continue
			}
			if ids[l.RequestID] || l.RequestID == "" || l.DurationMS == nil {
				t.Errorf("request line without a fresh request id or a duration: %s", raw)
			}
			ids[l.RequestID] = true
			logged[l.Operation+" "+l.Code]++
		case "import started":
			started = append(started, l)
		case "import finished":
			finished = append(finished, l)
		case "query finished":
			queryEnd = append(queryEnd, l)
		}
	}
	// Lines are keyed "operation code"; an operation the API does not
	// serve is logged under the name the client gave.
	want := map[string]int{
		"DropEverything UnknownOperationException":                1,
		"ListEventDataStores MissingAuthenticationTokenException": 1,
	}
	for op, n := range sent {
		code := ""
		if op == "GetEventDataStore" {
			code = "EventDataStoreNotFoundException"
		}
		want[op+" "+code] += n
	}
	for key, n := range want {
		if logged[key] != n {
			t.Errorf("%d request lines for %q, want %d", logged[key], key, n)
		}
		delete(logged, key)
	}
	for k, n := range logged {
		t.Errorf("%d request lines for %q, which the test did not send", n, k)
	}

	if len(started) != 1 {
		t.Fatalf("%d \"import started\" lines, want 1", len(started))
	}
	s := started[0]
	if s.ImportID != importID || !strings.HasPrefix(s.Source, "file://") || len(s.Destinations) != 1 ||
		!strings.HasSuffix(s.Destinations[0], "/"+storeID) || s.Window == "" {
		t.Errorf("import started: %+v", s)
	}
	if len(finished) != 1 {
		t.Fatalf("%d \"import finished\" lines, want 1", len(finished))
	}
	f := finished[0]
	if f.ImportID != importID || f.Status != "COMPLETED" || val(f.Files) != 55 || val(f.Events) != 2900 || val(f.FailedEntries) != 0 ||
		val(f.Prefixes) != 1 || f.DurationMS == nil || f.EventsPerSecond == nil || *f.EventsPerSecond <= 0 {
		t.Errorf("import finished: %+v", f)
	}
	if len(queryEnd) != 1 {
		t.Fatalf("%d \"query finished\" lines, want 1", len(queryEnd))
	}
	if e := queryEnd[0]; e.QueryID != aws.ToString(q.QueryId) || e.Status != "FINISHED" || val(e.Rows) != 1 || e.DurationMS == nil {
		t.Errorf("query finished: %+v", e)
	}
}

func val(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

// TestMetricsOff: --metrics=false serves nothing at /metrics.
func TestMetricsOff(t *testing.T) {
	srv := StartServer(t, WithArgs("--metrics=false"))
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotFound || strings.Contains(string(body), "ctlake_") {
		t.Errorf("GET /metrics with --metrics=false: HTTP %d\n%s", resp.StatusCode, body)
	}
}

// callCounter counts the calls a client sends, by operation: the ground
// truth the request counters and log lines are held to.
type callCounter struct {
	mu    sync.Mutex
	calls map[string]int
}

func (c *callCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	target := r.Header.Get("X-Amz-Target")
	c.mu.Lock()
	c.calls[target[strings.LastIndex(target, ".")+1:]]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (c *callCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

// countingClient is Server.Client whose HTTP calls go through calls.
func countingClient(url string, calls *callCounter) *cloudtrail.Client {
	cfg := aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}, nil
		}),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: calls},
	}
	return cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.BaseEndpoint = aws.String(url) })
}

// parquetFiles counts the .parquet files under root and their bytes.
func parquetFiles(t *testing.T, root string) (n, size int64) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n, size = n+1, size+info.Size()
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return n, size
}

// scrapedMetrics is one scrape of /metrics, parsed as Prometheus parses it.
type scrapedMetrics struct {
	families map[string]*dto.MetricFamily
	text     string
}

func scrapeMetrics(t *testing.T, url string) scrapedMetrics {
	t.Helper()
	resp, err := http.Get(url + "/metrics") // unsigned, as scrapers are
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: HTTP %d\n%s", resp.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v\n%s", err, body)
	}
	return scrapedMetrics{families: families, text: string(body)}
}

// want checks the sample of family name with exactly the given label pairs
// (a histogram's sample count).
func (s scrapedMetrics) want(t *testing.T, want float64, name string, labels ...string) {
	t.Helper()
	f := s.families[name]
	if f == nil {
		t.Errorf("/metrics has no %s", name)
		return
	}
	for _, m := range f.Metric {
		if !hasLabels(m, labels) {
			continue
		}
		var got float64
		switch {
		case m.Counter != nil:
			got = m.Counter.GetValue()
		case m.Gauge != nil:
			got = m.Gauge.GetValue()
		case m.Histogram != nil:
			got = float64(m.Histogram.GetSampleCount())
		}
		if got != want {
			t.Errorf("%s%v = %v, want %v", name, labels, got, want)
		}
		return
	}
	t.Errorf("/metrics has no %s%v", name, labels)
}

func hasLabels(m *dto.Metric, labels []string) bool {
	if len(m.Label)*2 != len(labels) {
		return false
	}
	for i := 0; i < len(labels); i += 2 {
		found := false
		for _, l := range m.Label {
			found = found || l.GetName() == labels[i] && l.GetValue() == labels[i+1]
		}
		if !found {
			return false
		}
	}
	return true
}
