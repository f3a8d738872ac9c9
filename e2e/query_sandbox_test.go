package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake/ctlaketest"
)

// TestQuerySandbox sends the escapes and resource bombs of the hardening
// issue through StartQuery over HTTP: each is refused when submitted
// (InvalidQueryStatementException, or InvalidParameterException past the
// 10,000 characters of the model) or cut off while it runs (FAILED for
// memory, TIMED_OUT for time); afterwards the server is healthy and a
// normal query gives the dataset's figure (2,900 events, from
// shared/testdata/invictus-aws/README.md).
func TestQuerySandbox(t *testing.T) {
	srv, c, id := importInvictus(t, WithArgs("--query-timeout", "3s", "--query-memory-limit", "256MB", "--query-workers", "4"))
	from := " FROM " + id

	refused := []struct{ sql, want string }{
		// Files and the network, by table function, by path and by URL.
		{`SELECT * FROM read_csv('/etc/passwd')`, tableFunction("read_csv")},
		{`SELECT * FROM read_csv_auto('/etc/passwd')`, tableFunction("read_csv_auto")},
		{`SELECT * FROM read_parquet('/etc/passwd')`, tableFunction("read_parquet")},
		{`SELECT * FROM parquet_scan('s3://bucket/x.parquet')`, tableFunction("parquet_scan")},
		{`SELECT * FROM read_json('/etc/passwd')`, tableFunction("read_json")},
		{`SELECT * FROM read_json_auto('/etc/passwd')`, tableFunction("read_json_auto")},
		{`SELECT * FROM read_text('/etc/passwd')`, tableFunction("read_text")},
		{`SELECT * FROM read_blob('/etc/passwd')`, tableFunction("read_blob")},
		{`SELECT * FROM glob('/*')`, tableFunction("glob")},
		{`SELECT * FROM '/etc/passwd'`, "a string literal after FROM is not supported: name an event data store id at line 1, column 15"},
		{`SELECT * FROM 'https://example.com/x.parquet'`, "a string literal after FROM is not supported: name an event data store id at line 1, column 15"},
		{`SELECT * FROM read_parquet('https://127.0.0.1:1/x.parquet')`, tableFunction("read_parquet")},
		{`SELECT * FROM read_csv('http://169.254.169.254/latest/meta-data/')`, tableFunction("read_csv")},
		{`SELECT eventName` + from + ` WHERE eventName IN (SELECT * FROM read_csv('/etc/passwd'))`, "the table function read_csv is not supported at line 1, column 94"},
		{`SELECT "read_csv"('/etc/passwd')` + from, "function read_csv is not supported: it can read files, reach the network or expose the server at line 1, column 8"},
		{`SELECT * FROM sniff_csv('/etc/passwd')`, tableFunction("sniff_csv")},
		{`SELECT getenv('HOME')` + from, "function getenv is not supported: it can read files, reach the network or expose the server at line 1, column 8"},
		{`SELECT current_setting('memory_limit')` + from, "function current_setting is not supported: it can read files, reach the network or expose the server at line 1, column 8"},
		{`SELECT * FROM duckdb_settings()`, tableFunction("duckdb_settings")},
		// Statements other than SELECT.
		{`COPY (SELECT *` + from + `) TO '/tmp/ctlake-stolen.csv'`, onlySelect("COPY", 1)},
		{`COPY ` + id + ` TO '/tmp/ctlake-stolen.parquet' (FORMAT parquet)`, onlySelect("COPY", 1)},
		{`EXPORT DATABASE '/tmp/ctlake-export'`, onlySelect("EXPORT", 1)},
		{`ATTACH '/tmp/ctlake-x.db' AS x`, onlySelect("ATTACH", 1)},
		{`DETACH x`, onlySelect("DETACH", 1)},
		{`INSTALL httpfs`, onlySelect("INSTALL", 1)},
		{`FORCE INSTALL httpfs`, onlySelect("FORCE", 1)},
		{`LOAD httpfs`, onlySelect("LOAD", 1)},
		{`PRAGMA database_list`, onlySelect("PRAGMA", 1)},
		{`PRAGMA enable_profiling`, onlySelect("PRAGMA", 1)},
		{`SET memory_limit = '100GB'`, onlySelect("SET", 1)},
		{`SET enable_external_access = true`, onlySelect("SET", 1)},
		{`RESET memory_limit`, onlySelect("RESET", 1)},
		{`CALL pragma_version()`, onlySelect("CALL", 1)},
		{`CREATE TABLE t AS SELECT 1`, onlySelect("CREATE", 1)},
		{`CREATE MACRO m(a) AS a`, onlySelect("CREATE", 1)},
		{`CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')`, onlySelect("CREATE", 1)},
		{`DROP VIEW ` + id, onlySelect("DROP", 1)},
		{`USE memory`, onlySelect("USE", 1)},
		// Several statements, and comments or literals hiding the second.
		{`SELECT 1` + from + `; SELECT 2` + from, oneStatement(1, 51)},
		{`SELECT 1` + from + `; COPY (SELECT 1) TO '/tmp/ctlake-x.csv'`, oneStatement(1, 51)},
		{`SELECT 1` + from + ` /* ; */ ; INSTALL httpfs`, oneStatement(1, 60)},
		{`SELECT 1` + from + " -- comment\n; ATTACH '/tmp/ctlake-x.db' AS x", oneStatement(2, 1)},
		{`SELECT ';'` + from + `; LOAD httpfs`, oneStatement(1, 53)},
		{`SELECT $$;$$` + from + `; PRAGMA database_list`, "character '$' is not supported at line 1, column 8"},
		{`/* SELECT 1 */ INSTALL httpfs`, onlySelect("INSTALL", 16)},
	}
	for _, r := range refused {
		_, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(r.sql)})
		wantErr[*types.InvalidQueryStatementException](t, r.sql, err, r.want)
	}

	// Past the model's 10,000 characters: refused before any parser.
	for what, sql := range map[string]string{
		"1 MB statement":      `SELECT '` + strings.Repeat("x", 1<<20) + `'` + from,
		"10,000 parentheses":  `SELECT ` + strings.Repeat("(", 10000) + `1` + strings.Repeat(")", 10000) + from,
		"10,001 blank spaces": strings.Repeat(" ", 10001),
	} {
		_, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(sql)})
		wantErr[*types.InvalidParameterException](t, what, err,
			"1 validation error detected: Value '"+sql[:200]+"…' at 'queryStatement' failed to satisfy constraint: Member must have length less than or equal to 10000")
	}

	// Deep nesting within the limit: refused, or answered, but never a
	// crash (the parsers recurse).
	deep := map[string]string{
		"4,900 parentheses":  `SELECT ` + strings.Repeat("(", 4900) + `1` + strings.Repeat(")", 4900) + from,
		"1,500 nested calls": `SELECT ` + strings.Repeat("abs(", 1500) + `1` + strings.Repeat(")", 1500) + from,
		"600 nested selects": strings.Repeat("SELECT * FROM (", 600) + `SELECT 1 AS x` + from + strings.Repeat(")", 600),
	}
	// Accepted queries, and whether each may finish (deep nesting may;
	// bombs must be cut off).
	mayFinish := map[string]bool{}
	for what, sql := range deep {
		out, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(sql)})
		switch code := errorCode(err); code {
		case "":
			mayFinish[aws.ToString(out.QueryId)] = true
		case "InvalidQueryStatementException":
		default:
			t.Errorf("%s: %v, want InvalidQueryStatementException or a query", what, err)
		}
	}

	// Bombs: accepted (they are single SELECTs over the store) or refused,
	// and if accepted, cut off by the memory limit or the timeout.
	bombs := []string{
		`SELECT count(*)` + from + ` a CROSS JOIN ` + id + ` b CROSS JOIN ` + id + ` c CROSS JOIN ` + id + ` d`,
		`SELECT string_agg(a.eventJson || b.eventJson, ',')` + from + ` a CROSS JOIN ` + id + ` b`,
		`SELECT array_agg(a.eventJson)` + from + ` a CROSS JOIN ` + id + ` b CROSS JOIN ` + id + ` c`,
		// Values of gigabytes, which DuckDB builds while it plans (it
		// folds constant expressions, table function arguments above all,
		// deaf to its memory limit and to interruption) or allocates
		// outside its memory limit while it runs. Each query's DuckDB work
		// runs in a worker process with an OS memory limit (1 GiB here) and
		// is killed at its timeout, so these end there, not the server.
		`SELECT count(*)` + from + ` CROSS JOIN UNNEST(sequence(1, 1000000000)) AS t(x)`,
		`SELECT count(*)` + from + ` CROSS JOIN UNNEST(generate_series(1, 100000000)) AS t(x)`,
		`SELECT length(repeat('x', 1000000000))` + from,
		`SELECT length(repeat(eventName, 100000000))` + from,
		doublingChain(id),
		// Time without much memory while planning: a lambda over 60
		// million elements (the check is cut off after 5 s of CPU time).
		`SELECT count(*)` + from + ` CROSS JOIN UNNEST(ARRAY[reduce(sequence(1, 60000000), 0, (s, x) -> s + x, s -> s)]) AS t(x)`,
	}
	// While they run, the server answers GET /health within a second and
	// stays small: the memory is the workers'.
	watch := watchServer(t, srv)
	started := map[string]time.Time{}
	for _, sql := range bombs {
		start := time.Now()
		out, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(sql)})
		if err != nil {
			// Refused for its memory or its planning time: the reason's wording
			// is the engine's, the start is ours.
			wantErr[*types.InvalidQueryStatementException](t, sql, err, "The query statement is not valid: …")
			t.Logf("refused after %v: %.80s: %v", time.Since(start).Round(time.Millisecond), sql, err)
			// Planning is bounded by the worker's CPU time (5 s); beside
			// the bombs already running a worker gets a fraction of a
			// core, so wall-clock time is bounded only by the backstop of
			// twelve times that.
			if took := time.Since(start); took > 65*time.Second {
				t.Errorf("refused only after %v: %.80s", took, sql)
			}
			continue
		}
		mayFinish[aws.ToString(out.QueryId)] = false
		started[aws.ToString(out.QueryId)] = start
	}
	accepted := map[string]int{}
	for q, finishOK := range mayFinish {
		d := waitQuery(t, c, q)
		msg := aws.ToString(d.ErrorMessage)
		accepted[string(d.QueryStatus)]++
		if start, ok := started[q]; ok {
			took := time.Duration(aws.ToInt32(d.QueryStatistics.ExecutionTimeInMillis)) * time.Millisecond
			t.Logf("%s after %v of running (%v since StartQuery): %.80s: %.300s", d.QueryStatus, took, time.Since(start).Round(time.Millisecond), aws.ToString(d.QueryString), msg)
			if took > 10*time.Second {
				t.Errorf("a bomb ran %v: %.200s", took, aws.ToString(d.QueryString))
			}
		}
		switch d.QueryStatus {
		case types.QueryStatusTimedOut:
		case types.QueryStatusFailed:
			if len(msg) < 10 {
				t.Errorf("%s FAILED without a message", aws.ToString(d.QueryString))
			}
		case types.QueryStatusFinished:
			if !finishOK {
				t.Errorf("a bomb finished: %.200s", aws.ToString(d.QueryString))
			}
		default:
			t.Errorf("%.200s ended %s", aws.ToString(d.QueryString), d.QueryStatus)
		}
	}
	t.Logf("queries that ran: %v", accepted)
	watch.stop()
	// No worker outlives its query: the server's children are at most its
	// idle workers, 4 for queries (--query-workers) and 2 for checks.
	if n := settledChildren(t, srv.cmd.Process.Pid, 6); n > 6 {
		t.Errorf("the server has %d child processes after every query ended, want at most its 6 idle workers", n)
	}

	// The server is healthy and answers right.
	resp, err := http.Get(srv.URL + "/health")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /health after the sandbox tests: %v %v", resp, err)
	}
	resp.Body.Close()
	d, rows := runQuery(t, c, `SELECT count(*)`+from)
	if d.QueryStatus != types.QueryStatusFinished || strings.Join(cells(rows), ",") != "_col0=2900" {
		t.Errorf("a normal query after the sandbox tests: %s %v %s", d.QueryStatus, cells(rows), aws.ToString(d.ErrorMessage))
	}
}

// doublingChain is a statement that doubles a string through 32 common
// table expressions: 4 bytes become 16 GiB.
func doublingChain(store string) string {
	var b strings.Builder
	b.WriteString("WITH t0 AS (SELECT 'boom' AS s)")
	for i := 1; i <= 32; i++ {
		b.WriteString(", t" + strconv.Itoa(i) + " AS (SELECT s || s AS s FROM t" + strconv.Itoa(i-1) + ")")
	}
	b.WriteString(" SELECT length(s) FROM t32 CROSS JOIN (SELECT count(*) FROM " + store + ")")
	return b.String()
}

// serverWatch polls a server's health and memory until stop.
type serverWatch struct {
	t      *testing.T
	done   chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	slow   []string // health answers later than a second, or failed
	maxRSS int64
	rssErr error // the first failure to read the server's memory
	polls  int
	// maxFamily is the largest sum of the resident memory of the server
	// and of its children (the query workers) seen at one poll.
	maxFamily int64
}

// healthBound is how soon GET /health must answer while a test loads the
// server: a second, or three under the race detector, which slows the
// server several-fold (1.001 s was seen there under TestLoadUnderAttack).
func healthBound() time.Duration {
	if raceEnabled {
		return 3 * time.Second
	}
	return time.Second
}

// watchServer polls GET /health every 100 ms (each must answer 200 within
// healthBound) and reads the server process's own resident memory (VmRSS of
// /proc/<pid>/status, its children excluded).
func watchServer(t *testing.T, srv *Server) *serverWatch {
	w := &serverWatch{t: t, done: make(chan struct{})}
	client := &http.Client{Timeout: healthBound()}
	pid := srv.cmd.Process.Pid
	w.wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-tick.C:
			}
			start := time.Now()
			resp, err := client.Get(srv.URL + "/health")
			took := time.Since(start)
			rss, rssErr := ctlaketest.ProcStatusBytes(pid, "VmRSS")
			family := rss
			if children, err := childPIDs(pid); err == nil {
				for _, child := range children {
					if n, err := ctlaketest.ProcStatusBytes(child, "VmRSS"); err == nil {
						family += n // a worker may exit between the listing and the read
					}
				}
			} else if rssErr == nil {
				rssErr = err
			}
			w.mu.Lock()
			w.polls++
			w.maxRSS = max(w.maxRSS, rss)
			w.maxFamily = max(w.maxFamily, family)
			if rssErr != nil && w.rssErr == nil {
				w.rssErr = rssErr
			}
			if err != nil || resp.StatusCode != http.StatusOK || took > healthBound() {
				w.slow = append(w.slow, start.Format("15:04:05.000")+" "+took.String()+" "+errString(err))
			}
			w.mu.Unlock()
			if err == nil {
				resp.Body.Close()
			}
		}
	})
	return w
}

// halt ends the watch; its figures are then final.
func (w *serverWatch) halt() {
	close(w.done)
	w.wg.Wait()
}

// stop ends the watch and checks what it saw.
func (w *serverWatch) stop() {
	w.halt()
	w.t.Logf("GET /health polled %d times while the bombs ran; the server's largest RSS %d MiB", w.polls, w.maxRSS>>20)
	if len(w.slow) > 0 {
		w.t.Errorf("GET /health failed or took more than %v %d times: %v", healthBound(), len(w.slow), w.slow)
	}
	if w.rssErr != nil {
		w.t.Errorf("reading the server's RSS: %v", w.rssErr)
	}
	if w.maxRSS > 500<<20 {
		w.t.Errorf("the server's RSS reached %d MiB, want less than 500", w.maxRSS>>20)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// settledChildren counts the live child processes of pid, waiting up to
// five seconds for the count to fall to want (a worker being reaped, or
// one starting for the idle set, may be seen for a moment).
func settledChildren(t *testing.T, pid, want int) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := childCount(pid)
		if err != nil {
			t.Fatalf("counting the server's children: %v", err)
		}
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// childCount counts the live (not zombie) children of pid in /proc.
func childCount(pid int) (int, error) {
	pids, err := childPIDs(pid)
	return len(pids), err
}
