package e2e

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"
	"github.com/ctlake/ctlake/ctlaketest"
)

// TestQueryWorkersBounded sends 100 StartQuery calls at once (issue 17,
// point 4: 48 of them used to start 43 worker processes, 3.6 GB). The
// server has at most its 4 query workers and 2 check workers alive
// throughout (children of its process, counted in /proc), their RSS
// together stays bounded, and every call is answered: a query id, the
// quota of 10 queued or running queries, or the throttle of busy check
// workers, each with its exact message.
func TestQueryWorkersBounded(t *testing.T) {
	srv, c, id := importInvictus(t, WithArgs("--query-workers", "4"))
	const maxWorkers = 4 + 2
	// Each worker's DuckDB is bounded by its OS budget; what ordinary
	// queries over the small dataset hold is far less. 256 MiB each is
	// the most an idle worker may keep (duckdb's maxIdleRSS).
	const maxRSS = maxWorkers * 256 << 20
	pid := srv.cmd.Process.Pid

	var (
		mu                sync.Mutex
		mostWorkers       int
		mostRSS           int64
		samples           int
		done              = make(chan struct{})
		sampler, callsRun sync.WaitGroup
	)
	sampler.Go(func() {
		for {
			n, rss := 0, int64(0)
			children, err := childPIDs(pid)
			if err != nil {
				t.Errorf("listing the server's worker processes: %v", err)
				return
			}
			for _, child := range children {
				// A worker may exit between the listing and the read:
				// it then holds no memory.
				if b, err := ctlaketest.ProcStatusBytes(child, "VmRSS"); err == nil {
					n++
					rss += b
				}
			}
			mu.Lock()
			mostWorkers, mostRSS, samples = max(mostWorkers, n), max(mostRSS, rss), samples+1
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})

	quota := "MaxConcurrentQueriesException: Account 123456789012 already has 10 queries queued or running in us-east-1, the most allowed; wait for one to end or cancel one."
	throttled := "ThrottlingException: The query engine's 2 worker processes for statement checks and LookupEvents were all busy for 10s; retry in a moment."
	answers := map[string]int{}
	var started []*string
	for i := range 100 {
		callsRun.Go(func() {
			sql := fmt.Sprintf("SELECT eventName, count(*) AS n FROM %s WHERE eventTime > '2000-01-01 00:00:%02d' GROUP BY eventName ORDER BY n DESC", id, i%60)
			out, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(sql)})
			mu.Lock()
			defer mu.Unlock()
			var api smithy.APIError
			switch {
			case err == nil:
				started = append(started, out.QueryId)
			case errors.As(err, &api):
				answers[api.ErrorCode()+": "+api.ErrorMessage()]++
			default:
				answers["not an API error: "+err.Error()]++
			}
		})
	}
	callsRun.Wait()
	close(done)
	sampler.Wait()

	t.Logf("%d queries started; other answers %v; at most %d worker processes and %d MiB of their RSS in %d samples",
		len(started), answers, mostWorkers, mostRSS>>20, samples)
	// Queries that end free their place in the quota of 10 during the
	// burst, so more than 10 may start; at least the first must.
	if len(started) < 1 {
		t.Errorf("no query started")
	}
	for answer, n := range answers {
		if answer != quota && answer != throttled {
			t.Errorf("%d calls answered %q, want a query id, %q or %q", n, answer, quota, throttled)
		}
	}
	if mostWorkers > maxWorkers {
		t.Errorf("the server had %d worker processes at once, want at most %d", mostWorkers, maxWorkers)
	}
	if mostRSS > maxRSS {
		t.Errorf("the worker processes held %d MiB together, want at most %d", mostRSS>>20, maxRSS>>20)
	}
	for _, q := range started {
		if d := waitQuery(t, c, aws.ToString(q)); d.QueryStatus != types.QueryStatusFinished {
			t.Errorf("query %s ended %s: %s", aws.ToString(q), d.QueryStatus, aws.ToString(d.ErrorMessage))
		}
	}
}

// childPIDs lists the live (not zombie) child processes of pid, from
// /proc.
func childPIDs(pid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	parent := strconv.Itoa(pid)
	var pids []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(b[i+1:]))
		if len(fields) > 1 && fields[1] == parent && fields[0] != "Z" {
			pids = append(pids, child)
		}
	}
	return pids, nil
}
