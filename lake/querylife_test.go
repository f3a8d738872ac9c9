package lake_test

import (
	"slices"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/lake"
)

// TestQueryLifecycle: with one query worker a second query waits QUEUED
// behind a running one; CancelQuery ends a running or a queued query
// CANCELLED and refuses one that ended; an ended query's slot goes to the
// next (spec §3.17, §6.3).
func TestQueryLifecycle(t *testing.T) {
	fx := newQueryLake(t, nil)
	eds, truth := fx.imported(t, "people", recentSpec(21))

	long := fx.start(t, runaway(eds.ID))
	if long.Status != ctlake.QueryQueued {
		t.Errorf("StartQuery answered %s, want QUEUED", long.Status)
	}
	fx.waitQuery(t, fx.ctx, long.ID, func(s ctlake.QueryStatus) bool { return s == ctlake.QueryRunning })
	next := fx.start(t, "SELECT count(*) FROM "+eds.ID)
	queued := fx.start(t, "SELECT count(*) FROM "+eds.ID)
	for _, id := range []string{next.ID, queued.ID} {
		if q, err := fx.svc.DescribeQuery(fx.ctx, id); err != nil || q.Status != ctlake.QueryQueued {
			t.Fatalf("a query behind a running one: %v %v, want QUEUED", q, err)
		}
	}
	// Results are not there while a query is queued or running.
	for _, id := range []string{long.ID, next.ID} {
		page, err := fx.svc.GetQueryResults(fx.ctx, id, ctlake.Page{})
		if err != nil || !page.Query.Status.Active() || len(page.Rows) != 0 || page.NextToken != "" {
			t.Errorf("results of an active query: %+v %v, want its status and no rows", page, err)
		}
	}

	// A queued query is cancelled at once; the running one goes on.
	q, err := fx.svc.CancelQuery(fx.ctx, queued.ID)
	if err != nil || q.Status != ctlake.QueryCancelled {
		t.Fatalf("cancel a queued query: %v %v, want CANCELLED", q, err)
	}
	if q, err := fx.svc.DescribeQuery(fx.ctx, long.ID); err != nil || q.Status != ctlake.QueryRunning {
		t.Fatalf("the running query after a cancel of another: %v %v, want RUNNING", q, err)
	}
	// Cancelling the running one frees the worker for the next.
	if q, err := fx.svc.CancelQuery(fx.ctx, long.ID); err != nil || q.Status != ctlake.QueryCancelled {
		t.Fatalf("cancel a running query: %v %v, want CANCELLED", q, err)
	}
	done := fx.waitQuery(t, fx.ctx, next.ID, ended)
	_, rows, _ := fx.results(t, next.ID, 1000)
	if done.Status != ctlake.QueryFinished || len(rows) != 1 || rows[0][0] != itoa(truth.Events) {
		t.Errorf("the queued query: %s %v, want FINISHED [[%d]]", done.Status, rows, truth.Events)
	}
	// A cancelled query's results answer, empty.
	page, err := fx.svc.GetQueryResults(fx.ctx, long.ID, ctlake.Page{})
	if err != nil || page.Query.Status != ctlake.QueryCancelled || len(page.Rows) != 0 {
		t.Errorf("results of a cancelled query: %+v %v", page, err)
	}

	for id, status := range map[string]string{long.ID: "CANCELLED", next.ID: "FINISHED"} {
		_, err := fx.svc.CancelQuery(fx.ctx, id)
		wantErr(t, "cancel a "+status+" query", err, ctlake.InactiveQueryException,
			"The query "+id+" already ended ("+status+"); only a queued or running query can be cancelled.")
	}
	const unknown = "00000000-0000-4000-8000-000000000000"
	_, err = fx.svc.CancelQuery(fx.ctx, unknown)
	wantErr(t, "cancel an unknown query", err, ctlake.QueryIdNotFoundException,
		"No query with id "+unknown+" exists in account 123456789012, region us-east-1 (queries are kept seven days).")
}

// TestActiveQueryQuota: an account has at most ten queries queued or
// running in a region (spec §5.5); other regions and accounts have their
// own, and an ended query frees its place.
func TestActiveQueryQuota(t *testing.T) {
	fx := newQueryLake(t, nil)
	eds, _ := fx.imported(t, "people", recentSpec(23))
	var ids []string
	for range ctlake.MaxActiveQueries {
		ids = append(ids, fx.start(t, runaway(eds.ID)).ID)
	}
	_, err := fx.svc.StartQuery(fx.ctx, ctlake.StartQueryInput{Statement: runaway(eds.ID)})
	wantErr(t, "an eleventh active query", err, ctlake.MaxConcurrentQueriesException,
		"Account 123456789012 already has 10 queries queued or running in us-east-1, the most allowed; wait for one to end or cancel one.")

	west := callerContext(testAccount, "eu-west-1")
	westStore, err := fx.svc.CreateEventDataStore(west, ctlake.CreateEventDataStoreInput{Name: "west"})
	if err != nil {
		t.Fatal(err)
	}
	wq, err := fx.svc.StartQuery(west, ctlake.StartQueryInput{Statement: "SELECT count(*) FROM " + westStore.ID})
	if err != nil {
		t.Fatalf("a query in another region: %v", err)
	}
	if _, err := fx.svc.CancelQuery(west, wq.ID); err != nil {
		t.Fatal(err)
	}

	if _, err := fx.svc.CancelQuery(fx.ctx, ids[len(ids)-1]); err != nil {
		t.Fatal(err)
	}
	ids[len(ids)-1] = fx.start(t, runaway(eds.ID)).ID // the freed place
	// The queued ones first: cancelling the running one first would hand
	// its worker to each queued one in turn.
	slices.Reverse(ids)
	for _, id := range ids {
		if q, err := fx.svc.CancelQuery(fx.ctx, id); err != nil || q.Status != ctlake.QueryCancelled {
			t.Errorf("cancel %s: %v %v", id, q, err)
		}
	}
}

// TestQueryTimeout: a query past QueryTimeout ends TIMED_OUT with a
// message DescribeQuery and GetQueryResults give (spec §6.3).
func TestQueryTimeout(t *testing.T) {
	fx := newQueryLake(t, func(s *lake.Service) { s.QueryTimeout = 300 * time.Millisecond })
	eds, _ := fx.imported(t, "people", recentSpec(22))

	q := fx.run(t, runaway(eds.ID))
	if q.Status != ctlake.QueryTimedOut || q.ErrorMessage != "The query ran longer than 300ms and was stopped; the rows it produced are kept." {
		t.Errorf("runaway query: %s %q, want TIMED_OUT", q.Status, q.ErrorMessage)
	}
	page, err := fx.svc.GetQueryResults(fx.ctx, q.ID, ctlake.Page{})
	if err != nil || page.Query.Status != ctlake.QueryTimedOut || page.Query.ErrorMessage != q.ErrorMessage {
		t.Errorf("results of a timed-out query: %+v %v", page, err)
	}

}
