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
	store := aws.ToString(create(t, c, "invictus", func(in *cloudtrail.CreateEventDataStoreInput) { in.RetentionPeriod = aws.Int32(3653) }).EventDataStoreArn)
	done := waitImport(t, c, startImport(t, c, store, "file://"+dir+"/"))
	if done.ImportStatus != types.ImportStatusCompleted {
		t.Fatalf("import of the shared dataset ended %s", done.ImportStatus)
	}
	return srv, c, idOf(store)
}

// runQuery starts a query, waits for it to end and returns every row,
// each as a list of (column, value) in order.
func runQuery(t *testing.T, c *cloudtrail.Client, sql string) (*cloudtrail.DescribeQueryOutput, [][]map[string]string) {
	t.Helper()
	start, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(sql)})
	if err != nil {
		t.Fatalf("StartQuery %q: %v", sql, err)
	}
	id := start.QueryId
	deadline := time.Now().Add(time.Minute)
	var d *cloudtrail.DescribeQueryOutput
	for {
		d, err = c.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: id})
		if err != nil {
			t.Fatal(err)
		}
		if d.QueryStatus != types.QueryStatusQueued && d.QueryStatus != types.QueryStatusRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("query still %s after a minute: %s", d.QueryStatus, sql)
		}
		time.Sleep(20 * time.Millisecond)
	}
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
	for {
		d, _ := c.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: start.QueryId})
		if d.QueryStatus == types.QueryStatusFinished {
			break
		}
		time.Sleep(20 * time.Millisecond)
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
	wantErr[*types.InvalidMaxResultsException](t, "MaxQueryResults 1001", err)
	_, err = c.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: start.QueryId, NextToken: aws.String("forged-token")})
	wantErr[*types.InvalidNextTokenException](t, "forged token", err)
	_, err = c.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantErr[*types.QueryIdNotFoundException](t, "unknown query", err)
}

// TestQueryRefusals: everything but one SELECT over the caller's stores is
// refused before it runs.
func TestQueryRefusals(t *testing.T) {
	srv, c, id := importInvictus(t)
	refused := []string{
		`COPY (SELECT * FROM ` + id + `) TO '/tmp/stolen.csv'`,
		`ATTACH '/tmp/x.db' AS x`,
		`INSTALL httpfs`,
		`LOAD httpfs`,
		`PRAGMA database_list`,
		`SET enable_external_access = true`,
		`CREATE TABLE t AS SELECT 1`,
		`SELECT 1; SELECT 2`,
		`SELECT 1 /* ; */ ; DROP TABLE x`,
		`SELECT * FROM read_csv('/etc/passwd')`,
		`SELECT * FROM read_text('/etc/passwd')`,
		`SELECT * FROM glob('/*')`,
		`SELECT * FROM '/etc/passwd'`,
		`SELECT getenv('HOME')`,
		`DELETE FROM ` + id,
		`UPDATE ` + id + ` SET eventName = 'x'`,
		// Syntax errors are refused when submitted, not discovered later.
		`SELECT eventName FROM ` + id + ` GROUP BY`,
		`SELECT FROM WHERE`,
		// Unknown functions and columns are refused when submitted too.
		`SELECT no_such_function(eventName) FROM ` + id,
		`SELECT noSuchColumn FROM ` + id,
	}
	for _, sql := range refused {
		_, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(sql)})
		wantErr[*types.InvalidQueryStatementException](t, sql, err)
	}
	_, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(`SELECT * FROM 00000000-0000-4000-8000-000000000000`)})
	wantErr[*types.EventDataStoreNotFoundException](t, "unknown store", err)
	_, err = srv.Client("eu-west-1").StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(`SELECT count(*) FROM ` + id)})
	wantErr[*types.EventDataStoreNotFoundException](t, "store of another region", err)
	_, err = c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(strings.Repeat(" ", 10001))})
	wantErr[*types.InvalidParameterException](t, "10,001 characters", err)
	_, err = c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(`SELECT 1`), DeliveryS3Uri: aws.String("s3://Bad_Bucket")})
	wantErr[*types.InvalidS3BucketNameException](t, "bad delivery bucket", err)
	// The server still answers.
	if d, rows := runQuery(t, c, `SELECT count(*) FROM `+id); d.QueryStatus != types.QueryStatusFinished || fmt.Sprint(cells(rows)) != "[_col0=2900]" {
		t.Errorf("after the refusals: %s %v", d.QueryStatus, cells(rows))
	}
}

// TestQueryLifecycle: a runaway query times out, another is cancelled,
// eleven active queries meet the limit, ListQueries shows them.
func TestQueryLifecycle(t *testing.T) {
	_, c, id := importInvictus(t, WithArgs("--query-timeout", "2s", "--query-workers", "1"))
	runaway := `SELECT count(*) FROM ` + id + ` a CROSS JOIN ` + id + ` b CROSS JOIN ` + id + ` c`
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
	wantErr[*types.MaxConcurrentQueriesException](t, "eleventh active query", err)
	for _, q := range ids {
		out, err := c.CancelQuery(ctx, &cloudtrail.CancelQueryInput{QueryId: aws.String(q)})
		if err != nil || out.QueryStatus != types.QueryStatusCancelled {
			t.Errorf("cancel %s: %v %v", q, out, err)
		}
	}
	_, err = c.CancelQuery(ctx, &cloudtrail.CancelQueryInput{QueryId: aws.String(ids[0])})
	wantErr[*types.InactiveQueryException](t, "cancel a cancelled query", err)
	_, err = c.CancelQuery(ctx, &cloudtrail.CancelQueryInput{QueryId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantErr[*types.QueryIdNotFoundException](t, "cancel an unknown query", err)

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
	wantErr[*types.InvalidQueryStatusException](t, "unknown status", err)
	_, err = c.ListQueries(ctx, &cloudtrail.ListQueriesInput{EventDataStore: aws.String(id), StartTime: aws.Time(time.Now()), EndTime: aws.Time(time.Now().Add(-time.Hour))})
	wantErr[*types.InvalidDateRangeException](t, "start after end", err)
	_, err = c.ListQueries(ctx, &cloudtrail.ListQueriesInput{EventDataStore: aws.String(id), MaxResults: aws.Int32(0)})
	wantErr[*types.InvalidMaxResultsException](t, "MaxResults 0", err)
	// The server still answers quickly.
	if d, rows := runQuery(t, c, `SELECT count(*) FROM `+id); d.QueryStatus != types.QueryStatusFinished || fmt.Sprint(cells(rows)) != "[_col0=2900]" {
		t.Errorf("after the runaway queries: %s %v", d.QueryStatus, cells(rows))
	}
}
