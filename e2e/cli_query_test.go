package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The query operations through the AWS CLI (awscli v1, botocore), over the
// shared real dataset imported with the Go SDK. Every expected figure comes
// from the dataset's README (2,900 events; Decrypt 178, DescribeRouteTables
// 163, GetUser 130; first and last eventTime 2023-07-10 11:42:18 and
// 12:37:50; 260 event names) or from the spec, whose sections are named
// beside the checks.

// cliQueryStats is QueryStatistics as DescribeQuery and GetQueryResults
// print it (A.14, A.15). Pointers tell absent members from zeros.
type cliQueryStats struct {
	ResultsCount          *int
	TotalResultsCount     *int
	BytesScanned          *int64
	EventsMatched         *int64
	EventsScanned         *int64
	ExecutionTimeInMillis *int64
	CreationTime          json.RawMessage
}

type cliDescribeQuery struct {
	QueryId         string
	QueryString     string
	QueryStatus     string
	QueryStatistics cliQueryStats
	ErrorMessage    *string
}

// cliQueryResults is a GetQueryResults page; values are pointers so that a
// JSON null (SQL NULL, spec §6.4) stays apart from "".
type cliQueryResults struct {
	QueryStatus     string
	QueryStatistics cliQueryStats
	QueryResultRows [][]map[string]*string
	NextToken       *string
	ErrorMessage    *string
}

var cliQueryIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// startCLIQuery runs start-query and returns the new query id (§3.13: a
// lower-case UUID).
func (c *awsCLI) startCLIQuery(sql string) string {
	c.t.Helper()
	var out struct{ QueryId string }
	c.ok(&out, "start-query", "--query-statement", sql)
	if !cliQueryIDPattern.MatchString(out.QueryId) {
		c.t.Fatalf("start-query answered QueryId %q, want a lower-case UUID", out.QueryId)
	}
	return out.QueryId
}

// waitCLIQuery polls describe-query until the query leaves QUEUED and
// RUNNING (§6.3) and returns the last description.
func (c *awsCLI) waitCLIQuery(id string) cliDescribeQuery {
	c.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var d cliDescribeQuery
		c.ok(&d, "describe-query", "--query-id", id)
		if d.QueryStatus != "QUEUED" && d.QueryStatus != "RUNNING" {
			return d
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("query %s still %s after a minute", id, d.QueryStatus)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cliRows renders result rows as "label=value" strings, NULL as "label=NULL".
func cliRows(rows [][]map[string]*string) []string {
	var out []string
	for _, r := range rows {
		var parts []string
		for _, cell := range r {
			for k, v := range cell {
				s := "NULL"
				if v != nil {
					s = *v
				}
				parts = append(parts, k+"="+s)
			}
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

// cliQuery starts a query, waits for it to finish and returns its one page
// of results (small results only).
func (c *awsCLI) cliQuery(sql string) (string, cliDescribeQuery, cliQueryResults) {
	c.t.Helper()
	id := c.startCLIQuery(sql)
	d := c.waitCLIQuery(id)
	if d.QueryStatus != "FINISHED" {
		c.t.Fatalf("%s: %s (%s), want FINISHED", sql, d.QueryStatus, cliFmt(d.ErrorMessage))
	}
	var r cliQueryResults
	c.ok(&r, "get-query-results", "--query-id", id)
	return id, d, r
}

// TestCLIQuery drives start-query, describe-query, get-query-results (paged
// by hand: the CLI has no paginator for it, §1.9), list-queries and
// cancel-query with the AWS CLI.
func TestCLIQuery(t *testing.T) {
	t.Parallel()
	srv, _, store := importInvictus(t)
	aws := newAWSCLI(t, srv)
	began := time.Now()

	// The README's top three event names, as a user would ask for them.
	top := `SELECT eventName, COUNT(*) AS apiCount FROM ` + store + ` WHERE eventTime > '2023-07-01 00:00:00' GROUP BY eventName ORDER BY apiCount DESC LIMIT 3`
	topID, d, r := aws.cliQuery(top)
	if d.QueryId != topID || d.QueryString != top {
		t.Errorf("describe-query: QueryId %q QueryString %q, want %q and the statement as sent (§3.14)", d.QueryId, d.QueryString, topID)
	}
	st := d.QueryStatistics
	if cliFmt(st.EventsScanned) != "2900" || st.BytesScanned == nil || *st.BytesScanned <= 0 || st.ExecutionTimeInMillis == nil || len(st.CreationTime) == 0 {
		t.Errorf("describe-query statistics: %+v; want EventsScanned 2900, BytesScanned > 0, ExecutionTimeInMillis and CreationTime (§3.14, §6.4)", st)
	} else if created := cliEpochSeconds(t, "CreationTime", st.CreationTime); created.Before(began.Add(-time.Minute)) || created.After(time.Now().Add(time.Minute)) {
		t.Errorf("describe-query CreationTime %v, want about %v", created, began)
	}
	if d.ErrorMessage != nil {
		t.Errorf("describe-query of a finished query carries ErrorMessage %q", *d.ErrorMessage)
	}
	want := []string{"eventName=Decrypt apiCount=178", "eventName=DescribeRouteTables apiCount=163", "eventName=GetUser apiCount=130"}
	if got := cliRows(r.QueryResultRows); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("get-query-results:\n got %v\nwant %v", got, want)
	}
	if r.QueryStatus != "FINISHED" || cliFmt(r.QueryStatistics.ResultsCount) != "3" || cliFmt(r.QueryStatistics.TotalResultsCount) != "3" || r.NextToken != nil {
		t.Errorf("get-query-results: status %s, statistics %+v, NextToken %s; want FINISHED, 3 of 3, no token (§3.15)", r.QueryStatus, r.QueryStatistics, cliFmt(r.NextToken))
	}

	// Counts, labels and timestamps (§6.4): _col0 for an unnamed
	// expression, timestamps as YYYY-MM-DD HH:MM:SS.mmm, numbers as text.
	_, _, r = aws.cliQuery(`SELECT count(*), count(DISTINCT eventName), min(eventTime) AS firstEvent, max(eventTime) AS lastEvent FROM ` + store)
	want = []string{"_col0=2900 _col1=260 firstEvent=2023-07-10 11:42:18.000 lastEvent=2023-07-10 12:37:50.000"}
	if got := cliRows(r.QueryResultRows); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts:\n got %v\nwant %v", got, want)
	}

	// SQL NULL reaches the CLI as JSON null (§6.4): the README's records
	// have no errorCode on most calls; console sign-ins have none.
	_, _, r = aws.cliQuery(`SELECT eventName, errorCode FROM ` + store + ` WHERE eventName = 'ConsoleLogin' ORDER BY eventTime`)
	want = []string{"eventName=ConsoleLogin errorCode=NULL", "eventName=ConsoleLogin errorCode=NULL"}
	if got := cliRows(r.QueryResultRows); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("NULLs:\n got %v\nwant %v", got, want)
	}

	// All 2,900 events, paged by hand with --max-query-results and
	// --next-token (§1.9, §3.15): three pages, tokens of at least 4
	// characters, none on the last page, every event once, in order.
	allID := aws.startCLIQuery(`SELECT eventID, eventTime FROM ` + store + ` ORDER BY eventTime, eventID`)
	if d := aws.waitCLIQuery(allID); d.QueryStatus != "FINISHED" || cliFmt(d.QueryStatistics.EventsMatched) != "2900" {
		t.Fatalf("the 2,900-row query: %s, EventsMatched %s (%s); want FINISHED with 2900", d.QueryStatus, cliFmt(d.QueryStatistics.EventsMatched), cliFmt(d.ErrorMessage))
	}
	ids := map[string]bool{}
	var times []string
	token := ""
	for page, wantRows := range []int{1000, 1000, 900} {
		args := []string{"get-query-results", "--query-id", allID, "--max-query-results", "1000"}
		if token != "" {
			args = append(args, "--next-token", token)
		}
		var p cliQueryResults
		aws.ok(&p, args...)
		if len(p.QueryResultRows) != wantRows || cliFmt(p.QueryStatistics.ResultsCount) != fmt.Sprint(wantRows) || cliFmt(p.QueryStatistics.TotalResultsCount) != "2900" {
			t.Errorf("page %d: %d rows, statistics %+v; want %d rows of 2900", page+1, len(p.QueryResultRows), p.QueryStatistics, wantRows)
		}
		for _, row := range p.QueryResultRows {
			if len(row) != 2 || row[0]["eventID"] == nil || row[1]["eventTime"] == nil {
				t.Fatalf("page %d: row %v, want [{eventID} {eventTime}]", page+1, row)
			}
			ids[*row[0]["eventID"]] = true
			times = append(times, *row[1]["eventTime"])
		}
		last := page == 2
		switch {
		case last && p.NextToken != nil:
			t.Errorf("page %d (last): NextToken %q, want none", page+1, *p.NextToken)
		case !last && p.NextToken == nil:
			t.Fatalf("page %d: no NextToken", page+1)
		case !last && (len(*p.NextToken) < 4 || *p.NextToken == token):
			t.Fatalf("page %d: NextToken %q, want a new token of at least 4 characters", page+1, *p.NextToken)
		case !last:
			token = *p.NextToken
		}
	}
	if len(ids) != 2900 || len(times) != 2900 || times[0] != "2023-07-10 11:42:18.000" || times[2899] != "2023-07-10 12:37:50.000" {
		t.Errorf("paging: %d distinct ids in %d rows, first %q last %q; want 2900, 2023-07-10 11:42:18.000 .. 12:37:50.000", len(ids), len(times), cliFirst(times), cliLast(times))
	}
	for i := 1; i < len(times); i++ {
		if times[i] < times[i-1] {
			t.Errorf("paging: row %d (%s) comes before row %d (%s) in time", i, times[i], i-1, times[i-1])
			break
		}
	}
	// §3.15: MaxQueryResults 1..1000, checked by the server (§1.8); a
	// forged token; an unknown query.
	aws.fails("InvalidMaxResultsException", "get-query-results", "--query-id", allID, "--max-query-results", "1001")
	aws.fails("InvalidNextTokenException", "get-query-results", "--query-id", allID, "--next-token", "forged-token")
	aws.fails("QueryIdNotFoundException", "get-query-results", "--query-id", "00000000-0000-4000-8000-000000000000")
	aws.fails("QueryIdNotFoundException", "describe-query", "--query-id", "00000000-0000-4000-8000-000000000000")

	// A statement that runs but fails (a cast no row survives): FAILED
	// with an ErrorMessage, in describe-query and get-query-results (§3.14,
	// §3.15, §6.3).
	failedID := aws.startCLIQuery(`SELECT CAST(eventName AS integer) FROM ` + store)
	if d := aws.waitCLIQuery(failedID); d.QueryStatus != "FAILED" || d.ErrorMessage == nil || len(*d.ErrorMessage) < 4 {
		t.Errorf("a failing cast: %s, ErrorMessage %s; want FAILED with a message", d.QueryStatus, cliFmt(d.ErrorMessage))
	} else {
		var p cliQueryResults
		aws.ok(&p, "get-query-results", "--query-id", failedID)
		if p.QueryStatus != "FAILED" || p.ErrorMessage == nil || len(p.QueryResultRows) != 0 {
			t.Errorf("get-query-results of a failed query: %s, ErrorMessage %s, %d rows; want FAILED with the message", p.QueryStatus, cliFmt(p.ErrorMessage), len(p.QueryResultRows))
		}
	}

	// §3.16: list-queries names the store's queries with their status.
	var list struct {
		Queries []struct {
			QueryId, QueryStatus string
			CreationTime         json.RawMessage
		}
		NextToken *string
	}
	aws.ok(&list, "list-queries", "--event-data-store", store)
	listed := map[string]string{}
	for _, q := range list.Queries {
		listed[q.QueryId] = q.QueryStatus
		if len(q.CreationTime) == 0 {
			t.Errorf("list-queries: %s has no CreationTime", q.QueryId)
		}
	}
	for id, status := range map[string]string{topID: "FINISHED", allID: "FINISHED", failedID: "FAILED"} {
		if listed[id] != status {
			t.Errorf("list-queries: %s is %q, want %s (listed %v)", id, listed[id], status, listed)
		}
	}
	if len(listed) != 5 || list.NextToken != nil {
		t.Errorf("list-queries: %d queries (token %s), want the 5 this test ran", len(listed), cliFmt(list.NextToken))
	}
	// The status filter and paging by hand, one a page.
	aws.ok(&list, "list-queries", "--event-data-store", store, "--query-status", "FAILED")
	if len(list.Queries) != 1 || list.Queries[0].QueryId != failedID {
		t.Errorf("list-queries --query-status FAILED: %+v, want only %s", list.Queries, failedID)
	}
	pagedIDs := map[string]bool{}
	token = ""
	for page := 0; ; page++ {
		args := []string{"list-queries", "--event-data-store", store, "--query-status", "FINISHED", "--max-results", "2"}
		if token != "" {
			args = append(args, "--next-token", token)
		}
		aws.ok(&list, args...)
		if len(list.Queries) > 2 {
			t.Errorf("list-queries --max-results 2: page %d has %d queries", page+1, len(list.Queries))
		}
		for _, q := range list.Queries {
			if pagedIDs[q.QueryId] || q.QueryStatus != "FINISHED" {
				t.Errorf("list-queries page %d: %s %s listed twice or not FINISHED", page+1, q.QueryId, q.QueryStatus)
			}
			pagedIDs[q.QueryId] = true
		}
		if list.NextToken == nil {
			break
		}
		if len(*list.NextToken) < 4 || *list.NextToken == token || page > 5 {
			t.Fatalf("list-queries page %d: NextToken %q", page+1, *list.NextToken)
		}
		token = *list.NextToken
	}
	if len(pagedIDs) != 4 {
		t.Errorf("list-queries FINISHED, two a page: %d queries, want 4", len(pagedIDs))
	}
	aws.fails("InvalidQueryStatusException", "list-queries", "--event-data-store", store, "--query-status", "DONE")
	aws.fails("InvalidMaxResultsException", "list-queries", "--event-data-store", store, "--max-results", "1001")

	// §3.17: a finished, failed or unknown query cannot be cancelled.
	aws.fails("InactiveQueryException", "cancel-query", "--query-id", topID)
	aws.fails("InactiveQueryException", "cancel-query", "--query-id", failedID)
	aws.fails("QueryIdNotFoundException", "cancel-query", "--query-id", "00000000-0000-4000-8000-000000000000")

	// §3.13, §6.1: statements that are not one valid SELECT over the
	// caller's stores.
	aws.fails("InvalidQueryStatementException", "start-query", "--query-statement", "SELEC eventName FROM "+store)
	aws.fails("InvalidQueryStatementException", "start-query", "--query-statement", "DELETE FROM "+store)
	aws.fails("InvalidQueryStatementException", "start-query", "--query-statement", "SELECT eventName FROM "+store+"; SELECT 1")
	aws.fails("EventDataStoreNotFoundException", "start-query", "--query-statement", "SELECT count(*) FROM 00000000-0000-4000-8000-000000000000")
	t.Logf("the CLI checks took %v", time.Since(began).Round(time.Millisecond))
}

func cliFirst(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func cliLast(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}
