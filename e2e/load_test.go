package e2e

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// Load of TestLoad: GetImport requests per second, sent by
// getImportWorkers goroutines, and queries in flight at once.
const (
	getImportRate    = 200
	getImportWorkers = 64 // enough to keep the pace with answers of 300ms
	queryClients     = 10
)

// TestLoad runs, while an import runs, 10 clients that each loop over
// StartQuery → DescribeQuery until done → GetQueryResults, and 200
// GetImport requests a second, all with aws-sdk-go-v2 and no retries. No
// request may fail, every query must see each stored event once, and the
// import must end with the truth's figures. It reports GetImport's
// latency (p50, p99, max).
//
// It lasts 10s; CTLAKE_LONG=1 makes it 60s, over a larger import.
func TestLoad(t *testing.T) {
	// 900 files over 2 workers: about 6s of import alone without the race
	// detector, longer under the load; a third of that with it, which is
	// five to ten times slower. The long run has 9,000 files.
	duration, spec := 10*time.Second, bigSpec(41)
	if raceEnabled {
		spec.Days = 2
	}
	if longRun() {
		duration, spec.Days = 60*time.Second, 60
	}
	src, truth := generate(t, "file", spec)
	srv := StartServer(t, WithArgs("--import-workers", "2"))
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "load", longestRetention).EventDataStoreArn)
	id := startImport(t, c, store, src.uri)
	began := time.Now()
	stop := make(chan struct{})
	time.AfterFunc(duration, func() { close(stop) })

	var (
		wg          sync.WaitGroup
		errs        atomic.Int64
		firstErr    sync.Once
		mu          sync.Mutex
		latencies   []time.Duration
		queries     atomic.Int64
		importEnded atomic.Int64 // when GetImport first saw the import over, in ns since began
	)
	fail := func(what string, err error) {
		errs.Add(1)
		firstErr.Do(func() { t.Errorf("%s: %v", what, err) })
	}
	wg.Go(paceGetImport(c, id, getImportRate, getImportWorkers, stop, func(out *cloudtrail.GetImportOutput, took time.Duration, err error) {
		mu.Lock()
		latencies = append(latencies, took)
		mu.Unlock()
		if err != nil {
			fail("GetImport", err)
			return
		}
		if out.ImportStatus != types.ImportStatusInProgress && out.ImportStatus != types.ImportStatusInitializing {
			importEnded.CompareAndSwap(0, int64(time.Since(began)))
		}
	}))
	// Queries: each client keeps one query in flight.
	statement := fmt.Sprintf(`SELECT count(*) AS n, count(DISTINCT eventID) AS ids FROM %s`, idOf(store))
	for range queryClients {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n, ids, err := countQuery(c, statement)
				if err != nil {
					fail("query", err)
					return
				}
				queries.Add(1)
				if n != ids || n > truth.Events {
					t.Errorf("a query saw %d events with %d distinct ids (the import holds %d): an event was doubled or invented", n, ids, truth.Events)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	// On a fast machine the import may end before the load does; it must
	// at least last through most of it.
	if ended := time.Duration(importEnded.Load()); ended != 0 {
		t.Logf("the import ended %v into the load", ended.Round(time.Millisecond))
		if ended < duration*2/3 {
			t.Errorf("the import ended %v into %v of load: the test needs more data", ended.Round(time.Millisecond), duration)
		}
	}

	p50, p99, slowest := percentiles(latencies)
	rate := float64(len(latencies)) / duration.Seconds() // GetImport stops on time; queries finish theirs
	t.Logf("load for %v: %d GetImport (%.0f/s), latency p50 %v p99 %v max %v; %d queries (%.1f/s) by %d clients; %d errors",
		elapsed.Round(time.Millisecond), len(latencies), rate, p50, p99, slowest,
		queries.Load(), float64(queries.Load())/elapsed.Seconds(), queryClients, errs.Load())
	// The race detector slows the server five- to tenfold: there the pace
	// is only reported, the other checks hold.
	if rate < getImportRate*0.8 && !raceEnabled {
		t.Errorf("GetImport ran at %.0f requests/s, want about %d: the server (or the test) could not keep the pace", rate, getImportRate)
	}
	if queries.Load() < queryClients {
		t.Errorf("only %d queries finished in %v", queries.Load(), elapsed)
	}

	done := wantExactImport(t, "import under load", srv, c, id, store, truth, 5*time.Minute)
	t.Logf("the import: %s, %d files, %d events (the truth: %d, %d)", done.ImportStatus, aws.ToInt64(done.ImportStatistics.FilesCompleted),
		aws.ToInt64(done.ImportStatistics.EventsCompleted), truth.Files, truth.Events)
}

// paceGetImport returns a function that sends rate GetImport requests a
// second for import id until stop is closed, open-loop: a ticker hands the
// requests out to a pool of workers, so a slow answer delays no other
// request (a closed loop would lower the rate exactly when the server is
// slow). Each answer goes to answer, with its latency measured from the
// send; answer is called from several goroutines at once.
func paceGetImport(c *cloudtrail.Client, id string, rate, workers int, stop <-chan struct{},
	answer func(out *cloudtrail.GetImportOutput, took time.Duration, err error)) func() {
	return func() {
		var wg sync.WaitGroup
		tokens := make(chan struct{}, rate)
		for range workers {
			wg.Go(func() {
				for range tokens {
					start := time.Now()
					out, err := c.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String(id)})
					answer(out, time.Since(start), err)
				}
			})
		}
		defer wg.Wait()
		defer close(tokens)
		// Each tick sends what is due since the start, so that ticks lost
		// to a busy CPU do not lower the rate.
		began := time.Now()
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		sent := 0
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			for due := int(time.Since(began).Seconds() * float64(rate)); sent < due; sent++ {
				select {
				case tokens <- struct{}{}:
				default: // every worker busy for a whole second: shows as a lower rate
				}
			}
		}
	}
}

// percentiles sorts ds and returns its median, 99th percentile and maximum.
func percentiles(ds []time.Duration) (p50, p99, highest time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	slices.Sort(ds)
	pct := func(p float64) time.Duration { return ds[int(p*float64(len(ds)-1))] }
	return pct(0.50), pct(0.99), ds[len(ds)-1]
}

// countQuery runs a query whose one row holds the columns n and ids, and
// returns them.
func countQuery(c *cloudtrail.Client, statement string) (n, ids int, err error) {
	q, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(statement)})
	if err != nil {
		return 0, 0, fmt.Errorf("StartQuery: %w", err)
	}
	d, err := queryEnded(c, aws.ToString(q.QueryId))
	if err != nil {
		return 0, 0, err
	}
	if d.QueryStatus != types.QueryStatusFinished {
		return 0, 0, fmt.Errorf("query %s ended %s: %s", aws.ToString(q.QueryId), d.QueryStatus, aws.ToString(d.ErrorMessage))
	}
	res, err := c.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: q.QueryId})
	if err != nil {
		return 0, 0, fmt.Errorf("GetQueryResults: %w", err)
	}
	if len(res.QueryResultRows) != 1 {
		return 0, 0, fmt.Errorf("query %s: %d rows, want 1", aws.ToString(q.QueryId), len(res.QueryResultRows))
	}
	for _, cell := range res.QueryResultRows[0] {
		for k, v := range cell {
			x, err := strconv.Atoi(v)
			if err != nil {
				return 0, 0, fmt.Errorf("query %s: %s=%q is not a count", aws.ToString(q.QueryId), k, v)
			}
			switch k {
			case "n":
				n = x
			case "ids":
				ids = x
			}
		}
	}
	return n, ids, nil
}
