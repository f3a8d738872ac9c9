package lake_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
)

// runaway is a query over a store of a generated tree that runs far
// longer than any test (a five-way cross join of 150 events took 38 s on
// one core; this is six): what tests queue, cancel and time out.
func runaway(id string) string {
	return `SELECT count(*) FROM ` + id + ` a CROSS JOIN ` + id + ` b CROSS JOIN ` + id + ` c CROSS JOIN ` + id + ` d CROSS JOIN ` +
		id + ` e CROSS JOIN ` + id + ` f`
}

// start starts a query of the fixture's caller, failing the test on error.
func (fx *lakeFixture) start(t *testing.T, sql string) *ctlake.Query {
	t.Helper()
	q, err := fx.svc.StartQuery(fx.ctx, ctlake.StartQueryInput{Statement: sql})
	if err != nil {
		t.Fatalf("start %s: %v", sql, err)
	}
	return q
}

// waitQuery polls a query until done says so, for at most a minute.
func (fx *lakeFixture) waitQuery(t *testing.T, ctx context.Context, id string, done func(ctlake.QueryStatus) bool) *ctlake.Query {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		q, err := fx.svc.DescribeQuery(ctx, id)
		if err != nil {
			t.Fatalf("describe query %s: %v", id, err)
		}
		if done(q.Status) {
			return q
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s still %s after a minute", id, q.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ended(s ctlake.QueryStatus) bool { return !s.Active() }

// run starts a query and waits for its end.
func (fx *lakeFixture) run(t *testing.T, sql string) *ctlake.Query {
	t.Helper()
	return fx.waitQuery(t, fx.ctx, fx.start(t, sql).ID, ended)
}

// finished runs a query that must finish.
func (fx *lakeFixture) finished(t *testing.T, sql string) *ctlake.Query {
	t.Helper()
	q := fx.run(t, sql)
	if q.Status != ctlake.QueryFinished {
		t.Fatalf("%s: %s %q, want FINISHED", sql, q.Status, q.ErrorMessage)
	}
	return q
}

// results reads every page of a query's results, max rows a page, and
// returns its rows as text and the number of pages.
func (fx *lakeFixture) results(t *testing.T, id string, max int64) (columns []string, rows [][]string, pages int) {
	t.Helper()
	var token *string
	for {
		page, err := fx.svc.GetQueryResults(fx.ctx, id, ctlake.Page{MaxResults: &max, NextToken: token})
		if err != nil {
			t.Fatalf("results of %s, page %d: %v", id, pages+1, err)
		}
		pages++
		if int64(len(page.Rows)) > max {
			t.Fatalf("page %d has %d rows, more than the %d asked", pages, len(page.Rows), max)
		}
		columns = page.Columns
		for _, r := range page.Rows {
			text := make([]string, len(r))
			for i, v := range r {
				text[i] = "NULL"
				if v != nil {
					text[i] = *v
				}
			}
			rows = append(rows, text)
		}
		if page.NextToken == "" {
			return columns, rows, pages
		}
		if pages > 10000 {
			t.Fatalf("results of %s: more than 10,000 pages", id)
		}
		token = &page.NextToken
	}
}

// TestStartQueryRefusals: what StartQuery refuses synchronously, with the
// AWS error the spec names (§3.13).
func TestStartQueryRefusals(t *testing.T) {
	fx := newQueryLake(t, nil)
	eds := fx.store(t, "people")
	west, err := fx.svc.CreateEventDataStore(callerContext(testAccount, "eu-west-1"), ctlake.CreateEventDataStoreInput{Name: "west"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := fx.svc.CreateEventDataStore(callerContext("210987654321", testRegion), ctlake.CreateEventDataStoreInput{Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	deleted := fx.store(t, "deleted")
	if err := fx.svc.DeleteEventDataStore(fx.ctx, deleted.ID); err != nil {
		t.Fatal(err)
	}
	const unknown = "00000000-0000-4000-8000-000000000000"
	notFound := func(id string) string {
		return "The event data store " + id + " was not found in account 123456789012, region us-east-1."
	}
	cases := []struct {
		what, sql, delivery, code, msg string
	}{
		{"an empty statement", "", "", ctlake.InvalidParameterException,
			"1 validation error detected: Value '' at 'queryStatement' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"10,001 characters", strings.Repeat(" ", 10001), "", ctlake.InvalidParameterException,
			"1 validation error detected: Value '" + strings.Repeat(" ", 200) + "…' at 'queryStatement' failed to satisfy constraint: Member must have length less than or equal to 10000"},
		{"an unknown store", "SELECT * FROM " + unknown, "", ctlake.EventDataStoreNotFoundException, notFound(unknown)},
		{"a store of another region", "SELECT * FROM " + west.ID, "", ctlake.EventDataStoreNotFoundException, notFound(west.ID)},
		{"a store of another account", "SELECT * FROM " + other.ID, "", ctlake.EventDataStoreNotFoundException, notFound(other.ID)},
		{"a store pending deletion", "SELECT * FROM " + deleted.ID, "", ctlake.InactiveEventDataStoreException,
			"The event data store deleted is pending deletion; restore it with RestoreEventDataStore first."},
		{"a syntax error", "SELECT eventName FROM " + eds.ID + " GROUP BY", "", ctlake.InvalidQueryStatementException,
			"The query statement is not valid: parser error: syntax error at end of input"},
		{"an unknown column", "SELECT noSuchColumn FROM " + eds.ID, "", ctlake.InvalidQueryStatementException,
			`The query statement is not valid: Binder Error: Column "noSuchColumn"`},
		{"not a SELECT", "DELETE FROM " + eds.ID, "", ctlake.InvalidQueryStatementException,
			"only SELECT statements are supported; the statement starts with DELETE at line 1, column 1"},
		{"a bad delivery bucket", "SELECT 1", "s3://Bad_Bucket", ctlake.InvalidS3BucketNameException,
			"DeliveryS3Uri 's3://Bad_Bucket' does not name a valid bucket: give s3://bucket[/prefix]."},
		{"a delivery URI that is not S3", "SELECT 1", "https://bucket/prefix", ctlake.InvalidS3BucketNameException,
			"DeliveryS3Uri 'https://bucket/prefix' does not name a valid bucket: give s3://bucket[/prefix]."},
		// This service has no ResultDelivery: it says so rather than
		// dropping the results.
		{"delivery without a delivery adapter", "SELECT 1", "s3://results-bucket/prefix", ctlake.UnsupportedOperationException,
			"This server cannot deliver results to S3."},
	}
	for _, c := range cases {
		_, err := fx.svc.StartQuery(fx.ctx, ctlake.StartQueryInput{Statement: c.sql, DeliveryS3URI: c.delivery})
		wantErr(t, c.what, err, c.code, c.msg)
	}
	// No refused statement left a query behind.
	list, _, err := fx.svc.ListQueries(fx.ctx, ctlake.ListQueriesInput{EventDataStore: eds.ID})
	if err != nil || len(list) != 0 {
		t.Errorf("ListQueries after the refusals: %d queries (%v), want none", len(list), err)
	}

	// A service without a query engine says so.
	bare := newLake(t, nil)
	_, err = bare.svc.StartQuery(bare.ctx, ctlake.StartQueryInput{Statement: "SELECT 1"})
	wantErr(t, "no query engine", err, ctlake.UnsupportedOperationException, "This server was started without a query engine.")
	_, _, err = bare.svc.LookupEvents(bare.ctx, ctlake.LookupEventsInput{})
	wantErr(t, "LookupEvents without a query engine", err, ctlake.UnsupportedOperationException, "This server was started without a query engine.")
}

// TestQueryStatisticsExact: a query's rows and statistics are the
// generator's figures; a query the engine cannot finish ends FAILED with
// the engine's words and no rows (spec §6.3, §6.4).
func TestQueryStatisticsExact(t *testing.T) {
	fx := newQueryLake(t, nil)
	eds, truth := fx.imported(t, "people", recentSpec(11))
	events := truthEvents(t, fx, "people-trails")

	q := fx.finished(t, "SELECT eventID FROM "+eds.ID)
	n := int64(truth.Events)
	if q.Statistics.EventsMatched != n || q.Statistics.EventsScanned != n || q.Statistics.TotalResultsCount != n {
		t.Errorf("statistics %+v, want %d events matched, scanned and in the result", q.Statistics, n)
	}
	if want := segmentBytes(t, fx, eds.ID); q.Statistics.BytesScanned != want {
		t.Errorf("BytesScanned %d, want %d, the size of the store's segment files", q.Statistics.BytesScanned, want)
	}
	if !slices.Equal(q.Stores, []string{eds.ID}) || q.Account != testAccount || q.Region != testRegion {
		t.Errorf("query reads %v as %s in %s, want [%s] as %s in %s", q.Stores, q.Account, q.Region, eds.ID, testAccount, testRegion)
	}
	cols, rows, _ := fx.results(t, q.ID, 1000)
	var got, want []string
	for _, r := range rows {
		got = append(got, r[0])
	}
	for _, e := range events {
		want = append(want, e.EventID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(cols, []string{"eventID"}) || !slices.Equal(got, want) {
		t.Errorf("columns %v, %d event ids; want [eventID] and the %d of the trail files", cols, len(got), len(want))
	}

	// A time range: the count is the generator's, the rows one.
	from, to := truth.MinEventTime.Add(6*time.Hour), truth.MinEventTime.Add(30*time.Hour)
	q = fx.finished(t, "SELECT count(*) AS n FROM "+eds.ID+" WHERE eventTime >= '"+from.Format(time.DateTime)+"' AND eventTime <= '"+to.Format(time.DateTime)+"'")
	_, rows, _ = fx.results(t, q.ID, 1000)
	if wantN := truth.EventsBetween(from, to); len(rows) != 1 || rows[0][0] != itoa(wantN) || q.Statistics.TotalResultsCount != 1 || q.Statistics.EventsMatched != 1 {
		t.Errorf("count between %v and %v: %v with %+v, want [[%d]], one row", from, to, rows, q.Statistics, wantN)
	}

	// An error at run time, not at the check: the engine's words.
	q = fx.run(t, "SELECT CAST(eventName AS INTEGER) FROM "+eds.ID)
	if want := "The query failed: Conversion Error: Could not convert string '"; q.Status != ctlake.QueryFailed || !strings.HasPrefix(q.ErrorMessage, want) {
		t.Errorf("a failing cast: %s %q, want FAILED with a message starting %q", q.Status, q.ErrorMessage, want)
	}
	page, err := fx.svc.GetQueryResults(fx.ctx, q.ID, ctlake.Page{})
	if err != nil || page.Query.Status != ctlake.QueryFailed || page.Query.ErrorMessage != q.ErrorMessage || len(page.Rows) != 0 || page.Columns != nil {
		t.Errorf("results of a failed query: %+v %v, want its message and no rows", page, err)
	}

	// A query of another caller is not found; neither is a malformed id.
	const unknown = "00000000-0000-4000-8000-000000000000"
	_, err = fx.svc.DescribeQuery(callerContext("210987654321", testRegion), q.ID)
	wantErr(t, "describe another account's query", err, ctlake.QueryIdNotFoundException,
		"No query with id "+q.ID+" exists in account 210987654321, region us-east-1 (queries are kept seven days).")
	_, err = fx.svc.DescribeQuery(callerContext(testAccount, "eu-west-1"), q.ID)
	wantErr(t, "describe from another region", err, ctlake.QueryIdNotFoundException,
		"No query with id "+q.ID+" exists in account 123456789012, region eu-west-1 (queries are kept seven days).")
	_, err = fx.svc.GetQueryResults(fx.ctx, unknown, ctlake.Page{})
	wantErr(t, "results of an unknown query", err, ctlake.QueryIdNotFoundException,
		"No query with id "+unknown+" exists in account 123456789012, region us-east-1 (queries are kept seven days).")
	_, err = fx.svc.DescribeQuery(fx.ctx, "not-an-id")
	wantErr(t, "a malformed id", err, ctlake.InvalidParameterException,
		"1 validation error detected: Value 'not-an-id' at 'queryId' failed to satisfy constraint: Member must have length greater than or equal to 36")
}
