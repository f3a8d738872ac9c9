package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// importInvictus starts a server, imports the shared real dataset into a
// new store and returns the client and the store id.
func importInvictus(t *testing.T, opts ...ServerOption) (*Server, *cloudtrail.Client, string) {
	t.Helper()
	dir := invictusDir(t)
	srv := StartServer(t, opts...)
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "invictus", longestRetention).EventDataStoreArn)
	done := waitImport(t, c, startImport(t, c, store, "file://"+dir+"/"))
	if done.ImportStatus != types.ImportStatusCompleted {
		t.Fatalf("import of the shared dataset ended %s", done.ImportStatus)
	}
	return srv, c, idOf(store)
}

// endedQuery starts a query and waits for it to end.
func endedQuery(t *testing.T, c *cloudtrail.Client, sql string) *cloudtrail.DescribeQueryOutput {
	t.Helper()
	start, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(sql)})
	if err != nil {
		t.Fatalf("StartQuery %q: %v", sql, err)
	}
	return waitQuery(t, c, aws.ToString(start.QueryId))
}

// runQuery starts a query, waits for it to end and returns every row,
// each as a list of (column, value) in order.
func runQuery(t *testing.T, c *cloudtrail.Client, sql string) (*cloudtrail.DescribeQueryOutput, [][]map[string]string) {
	t.Helper()
	d := endedQuery(t, c, sql)
	id := d.QueryId
	var rows [][]map[string]string
	p := cloudtrail.NewGetQueryResultsPaginator(c, &cloudtrail.GetQueryResultsInput{QueryId: id})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, page.QueryResultRows...)
	}
	return d, rows
}

// cells renders rows as "col=value" lists for comparison.
func cells(rows [][]map[string]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		var parts []string
		for _, cell := range r {
			for k, v := range cell {
				parts = append(parts, k+"="+v)
			}
		}
		out[i] = strings.Join(parts, " ")
	}
	return out
}

// TestQueryInvictus runs CloudTrail Lake SQL over the shared real dataset
// and checks the figures its README gives.
func TestQueryInvictus(t *testing.T) {
	_, c, id := importInvictus(t)
	cases := []struct {
		sql  string
		want []string
	}{
		// README: 2,900 events.
		{`SELECT count(*) FROM ` + id, []string{"_col0=2900"}},
		{`SELECT COUNT(*) AS events FROM ` + id + `;`, []string{"events=2900"}},
		// README: first / last eventTime; timestamps print as YYYY-MM-DD HH:MM:SS.mmm.
		{`SELECT min(eventTime) AS first, max(eventTime) AS last FROM ` + id, []string{"first=2023-07-10 11:42:18.000 last=2023-07-10 12:37:50.000"}},
		// README: 260 distinct event names.
		{`SELECT count(DISTINCT eventName) FROM ` + id, []string{"_col0=260"}},
		// README: most frequent event names.
		{`SELECT eventName, count(*) AS n FROM ` + id + ` GROUP BY eventName ORDER BY n DESC LIMIT 3`,
			[]string{"eventName=Decrypt n=178", "eventName=DescribeRouteTables n=163", "eventName=GetUser n=130"}},
		// README: one recipient account in every record.
		{`SELECT DISTINCT recipientAccountId FROM ` + id, []string{"recipientAccountId=123837392027"}},
		// Case-insensitive columns, string-to-timestamp comparison, the bare hyphenated id.
		{`select COUNT(*) from ` + strings.ToUpper(id) + ` where EVENTTIME >= '2023-07-10 00:00:00' and eventtime < '2023-07-11 00:00:00'`, []string{"_col0=2900"}},
		{`SELECT count(*) FROM ` + id + ` WHERE eventTime > '2024-01-01 00:00:00'`, []string{"_col0=0"}},
	}
	for _, tc := range cases {
		d, rows := runQuery(t, c, tc.sql)
		if d.QueryStatus != types.QueryStatusFinished {
			t.Errorf("%s: %s %s", tc.sql, d.QueryStatus, aws.ToString(d.ErrorMessage))
			continue
		}
		if got := cells(rows); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.sql, got, tc.want)
		}
	}
	// Statistics: every event of the store was scanned for an unfiltered count.
	d, _ := runQuery(t, c, `SELECT count(*) FROM `+id)
	if aws.ToInt64(d.QueryStatistics.EventsScanned) != 2900 || aws.ToInt64(d.QueryStatistics.BytesScanned) <= 0 || d.QueryStatistics.CreationTime == nil {
		t.Errorf("statistics %+v", d.QueryStatistics)
	}
}

// TestQueryResultsPaging pages a 2,900-row result.
func TestQueryResultsPaging(t *testing.T) {
	_, c, id := importInvictus(t)
	start, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(`SELECT eventID, eventTime FROM ` + id + ` ORDER BY eventTime, eventID`)})
	if err != nil {
		t.Fatal(err)
	}
	if d := waitQuery(t, c, aws.ToString(start.QueryId)); d.QueryStatus != types.QueryStatusFinished {
		t.Fatalf("query %s: %s", d.QueryStatus, aws.ToString(d.ErrorMessage))
	}
	ids := map[string]bool{}
	pages := 0
	p := cloudtrail.NewGetQueryResultsPaginator(c, &cloudtrail.GetQueryResultsInput{QueryId: start.QueryId, MaxQueryResults: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if page.QueryStatistics == nil || aws.ToInt32(page.QueryStatistics.TotalResultsCount) != 2900 || int(aws.ToInt32(page.QueryStatistics.ResultsCount)) != len(page.QueryResultRows) {
			t.Errorf("page %d statistics %+v with %d rows", pages, page.QueryStatistics, len(page.QueryResultRows))
		}
		for _, r := range page.QueryResultRows {
			if len(r) != 2 || r[0]["eventID"] == "" || r[1]["eventTime"] == "" {
				t.Fatalf("row %v: want [{eventID: …} {eventTime: …}]", r)
			}
			ids[r[0]["eventID"]] = true
		}
	}
	if pages != 3 || len(ids) != 2900 {
		t.Errorf("%d pages, %d distinct ids; want 3 and 2900", pages, len(ids))
	}
	_, err = c.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: start.QueryId, MaxQueryResults: aws.Int32(1001)})
	wantErr[*types.InvalidMaxResultsException](t, "MaxQueryResults 1001", err, "MaxResults 1001 is out of range: give a value from 1 to 1000.")
	_, err = c.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: start.QueryId, NextToken: aws.String("forged-token")})
	wantErr[*types.InvalidNextTokenException](t, "forged token", err, "The NextToken is not valid: it was not issued by this server for this request. Start the listing again without NextToken.")
	_, err = c.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantErr[*types.QueryIdNotFoundException](t, "unknown query", err, "No query with id 00000000-0000-4000-8000-000000000000 exists in account 123456789012, region us-east-1 (queries are kept seven days).")
}

// onlySelect, tableFunction and oneStatement are the messages of
// statements refused before they run, at their line 1, column col.
func onlySelect(first string, col int) string {
	return fmt.Sprintf("only SELECT statements are supported; the statement starts with %s at line 1, column %d", first, col)
}

func tableFunction(name string) string {
	return "the table function " + name + " is not supported at line 1, column 15"
}

func oneStatement(line, col int) string {
	return fmt.Sprintf("only one statement is allowed at line %d, column %d", line, col)
}

// TestQueryRefusals: everything but one SELECT over the caller's stores is
// refused before it runs.
func TestQueryRefusals(t *testing.T) {
	srv, c, id := importInvictus(t)
	refused := []struct{ sql, want string }{
		{`COPY (SELECT * FROM ` + id + `) TO '/tmp/stolen.csv'`, onlySelect("COPY", 1)},
		{`ATTACH '/tmp/x.db' AS x`, onlySelect("ATTACH", 1)},
		{`INSTALL httpfs`, onlySelect("INSTALL", 1)},
		{`LOAD httpfs`, onlySelect("LOAD", 1)},
		{`PRAGMA database_list`, onlySelect("PRAGMA", 1)},
		{`SET enable_external_access = true`, onlySelect("SET", 1)},
		{`CREATE TABLE t AS SELECT 1`, onlySelect("CREATE", 1)},
		{`SELECT 1; SELECT 2`, oneStatement(1, 9)},
		{`SELECT 1 /* ; */ ; DROP TABLE x`, oneStatement(1, 18)},
		{`SELECT * FROM read_csv('/etc/passwd')`, tableFunction("read_csv")},
		{`SELECT * FROM read_text('/etc/passwd')`, tableFunction("read_text")},
		{`SELECT * FROM glob('/*')`, tableFunction("glob")},
		{`SELECT * FROM '/etc/passwd'`, "a string literal after FROM is not supported: name an event data store id at line 1, column 15"},
		{`SELECT getenv('HOME')`, "function getenv is not supported: it can read files, reach the network or expose the server at line 1, column 8"},
		{`DELETE FROM ` + id, onlySelect("DELETE", 1)},
		{`UPDATE ` + id + ` SET eventName = 'x'`, onlySelect("UPDATE", 1)},
		// Syntax errors are refused when submitted, not discovered later.
		{`SELECT eventName FROM ` + id + ` GROUP BY`, "The query statement is not valid: parser error: syntax error at end of input"},
		{`SELECT FROM WHERE`, "WHERE is neither an event data store id nor a name defined by WITH at line 1, column 13"},
		// Unknown functions and columns are refused when submitted too.
		{`SELECT no_such_function(eventName) FROM ` + id, "The query statement is not valid: Catalog Error: Scalar Function with name no_such_function does not exist!…"},
		{`SELECT noSuchColumn FROM ` + id, `The query statement is not valid: Binder Error: Column "noSuchColumn"…`},
	}
	for _, r := range refused {
		_, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(r.sql)})
		wantErr[*types.InvalidQueryStatementException](t, r.sql, err, r.want)
	}
	_, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(`SELECT * FROM 00000000-0000-4000-8000-000000000000`)})
	wantErr[*types.EventDataStoreNotFoundException](t, "unknown store", err, "The event data store 00000000-0000-4000-8000-000000000000 was not found in account 123456789012, region us-east-1.")
	_, err = srv.Client("eu-west-1").StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(`SELECT count(*) FROM ` + id)})
	wantErr[*types.EventDataStoreNotFoundException](t, "store of another region", err, "The event data store "+id+" was not found in account "+testAccount+", region eu-west-1.")
	_, err = c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(strings.Repeat(" ", 10001))})
	wantErr[*types.InvalidParameterException](t, "10,001 characters", err,
		"1 validation error detected: Value '"+strings.Repeat(" ", 200)+"…' at 'queryStatement' failed to satisfy constraint: Member must have length less than or equal to 10000")
	_, err = c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(`SELECT 1`), DeliveryS3Uri: aws.String("s3://Bad_Bucket")})
	wantErr[*types.InvalidS3BucketNameException](t, "bad delivery bucket", err, "DeliveryS3Uri 's3://Bad_Bucket' does not name a valid bucket: give s3://bucket[/prefix].")
	// The server still answers.
	if d, rows := runQuery(t, c, `SELECT count(*) FROM `+id); d.QueryStatus != types.QueryStatusFinished || fmt.Sprint(cells(rows)) != "[_col0=2900]" {
		t.Errorf("after the refusals: %s %v", d.QueryStatus, cells(rows))
	}
}

// TestQueryLifecycle: a runaway query times out, another is cancelled,
// eleven active queries meet the limit, ListQueries shows them.
func TestQueryLifecycle(t *testing.T) {
	_, c, id := importInvictus(t, WithArgs("--query-timeout", "2s", "--query-workers", "1"))
	// 2,900³ rows, each compared: no optimizer can count it without
	// producing them (a bare count(*) of a cross join it may compute from
	// the inputs' counts).
	runaway := `SELECT count(*) FROM ` + id + ` a CROSS JOIN ` + id + ` b CROSS JOIN ` + id + ` c WHERE a.eventID || b.eventID || c.eventID = 'x'`
	d, _ := runQuery(t, c, runaway)
	if d.QueryStatus != types.QueryStatusTimedOut || aws.ToString(d.ErrorMessage) == "" {
		t.Errorf("runaway query: %s %q, want TIMED_OUT with a message", d.QueryStatus, aws.ToString(d.ErrorMessage))
	}
	// One runs, the others queue (one worker): ten active, the eleventh refused.
	var ids []string
	for i := range 10 {
		out, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(runaway)})
		if err != nil {
			t.Fatalf("query %d: %v", i+1, err)
		}
		ids = append(ids, aws.ToString(out.QueryId))
	}
	_, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(runaway)})
	wantErr[*types.MaxConcurrentQueriesException](t, "eleventh active query", err, "Account 123456789012 already has 10 queries queued or running in us-east-1, the most allowed; wait for one to end or cancel one.")
	for _, q := range ids {
		out, err := c.CancelQuery(ctx, &cloudtrail.CancelQueryInput{QueryId: aws.String(q)})
		if err != nil || out.QueryStatus != types.QueryStatusCancelled {
			t.Errorf("cancel %s: %v %v", q, out, err)
		}
	}
	_, err = c.CancelQuery(ctx, &cloudtrail.CancelQueryInput{QueryId: aws.String(ids[0])})
	wantErr[*types.InactiveQueryException](t, "cancel a cancelled query", err, "The query "+ids[0]+" already ended (CANCELLED); only a queued or running query can be cancelled.")
	_, err = c.CancelQuery(ctx, &cloudtrail.CancelQueryInput{QueryId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantErr[*types.QueryIdNotFoundException](t, "cancel an unknown query", err, "No query with id 00000000-0000-4000-8000-000000000000 exists in account 123456789012, region us-east-1 (queries are kept seven days).")

	list, err := c.ListQueries(ctx, &cloudtrail.ListQueriesInput{EventDataStore: aws.String(id), QueryStatus: types.QueryStatusCancelled})
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, q := range list.Queries {
		listed = append(listed, aws.ToString(q.QueryId))
	}
	sort.Strings(listed)
	sort.Strings(ids)
	if fmt.Sprint(listed) != fmt.Sprint(ids) {
		t.Errorf("ListQueries CANCELLED: %v, want %v", listed, ids)
	}
	_, err = c.ListQueries(ctx, &cloudtrail.ListQueriesInput{EventDataStore: aws.String(id), QueryStatus: "DONE"})
	wantErr[*types.InvalidQueryStatusException](t, "unknown status", err, "QueryStatus 'DONE' is not one of QUEUED, RUNNING, FINISHED, FAILED, CANCELLED, TIMED_OUT.")
	_, err = c.ListQueries(ctx, &cloudtrail.ListQueriesInput{EventDataStore: aws.String(id), StartTime: aws.Time(time.Now()), EndTime: aws.Time(time.Now().Add(-time.Hour))})
	wantErr[*types.InvalidDateRangeException](t, "start after end", err, "StartTime is after EndTime.")
	_, err = c.ListQueries(ctx, &cloudtrail.ListQueriesInput{EventDataStore: aws.String(id), MaxResults: aws.Int32(0)})
	wantErr[*types.InvalidMaxResultsException](t, "MaxResults 0", err, "MaxResults 0 is out of range: give a value from 1 to 1000.")
	// The server still answers quickly.
	if d, rows := runQuery(t, c, `SELECT count(*) FROM `+id); d.QueryStatus != types.QueryStatusFinished || fmt.Sprint(cells(rows)) != "[_col0=2900]" {
		t.Errorf("after the runaway queries: %s %v", d.QueryStatus, cells(rows))
	}
}
