package lake_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
)

// TestListQueries: the queries of a store, newest first, filtered by
// status and creation time, paged with NextToken (spec §3.16); a query is
// kept seven days, then neither described, nor read, nor listed.
func TestListQueries(t *testing.T) {
	fx := newQueryLake(t, nil)
	eds, _ := fx.imported(t, "people", recentSpec(41))
	otherStore, _ := fx.imported(t, "other", recentSpec(42))

	first := fx.finished(t, "SELECT count(*) FROM "+eds.ID)
	fx.advance(time.Hour)
	second := fx.finished(t, "SELECT eventName FROM "+eds.ID+" LIMIT 3")
	fx.finished(t, "SELECT count(*) FROM "+otherStore.ID) // another store's
	fx.advance(time.Hour)
	failed := fx.run(t, "SELECT CAST(eventName AS INTEGER) FROM "+eds.ID)
	if failed.Status != ctlake.QueryFailed {
		t.Fatalf("the failing query ended %s", failed.Status)
	}
	// A query of two stores is listed under both.
	fx.advance(time.Minute)
	both := fx.finished(t, "SELECT count(*) FROM "+eds.ID+" UNION ALL SELECT count(*) FROM "+otherStore.ID)

	list := func(in ctlake.ListQueriesInput) []string {
		t.Helper()
		in.EventDataStore = eds.ARN()
		qs, next, err := fx.svc.ListQueries(fx.ctx, in)
		if err != nil {
			t.Fatalf("ListQueries %+v: %v", in, err)
		}
		if next != "" {
			t.Errorf("ListQueries %+v: a NextToken for one page", in)
		}
		var ids []string
		for _, q := range qs {
			ids = append(ids, q.ID)
		}
		return ids
	}
	at := func(q *ctlake.Query) *time.Time { return &q.CreatedAt }
	cases := []struct {
		what string
		in   ctlake.ListQueriesInput
		want []*ctlake.Query
	}{
		{"all", ctlake.ListQueriesInput{}, []*ctlake.Query{both, failed, second, first}},
		{"FINISHED", ctlake.ListQueriesInput{Status: "FINISHED"}, []*ctlake.Query{both, second, first}},
		{"FAILED", ctlake.ListQueriesInput{Status: "FAILED"}, []*ctlake.Query{failed}},
		{"CANCELLED", ctlake.ListQueriesInput{Status: "CANCELLED"}, nil},
		{"from the second", ctlake.ListQueriesInput{StartTime: at(second)}, []*ctlake.Query{both, failed, second}},
		{"up to the second", ctlake.ListQueriesInput{EndTime: at(second)}, []*ctlake.Query{second, first}},
		{"the second alone", ctlake.ListQueriesInput{StartTime: at(second), EndTime: at(second)}, []*ctlake.Query{second}},
	}
	for _, c := range cases {
		var want []string
		for _, q := range c.want {
			want = append(want, q.ID)
		}
		if got := list(c.in); !slices.Equal(got, want) {
			t.Errorf("%s: %v\nwant %v", c.what, got, want)
		}
	}

	// Pages of one, in the same order; a token is bound to its filter.
	one := int64(1)
	var paged []string
	var token *string
	for range 5 {
		qs, next, err := fx.svc.ListQueries(fx.ctx, ctlake.ListQueriesInput{EventDataStore: eds.ID, Page: ctlake.Page{MaxResults: &one, NextToken: token}})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			paged = append(paged, q.ID)
		}
		if next == "" {
			break
		}
		if token == nil {
			_, _, err := fx.svc.ListQueries(fx.ctx, ctlake.ListQueriesInput{EventDataStore: eds.ID, Status: "FINISHED", Page: ctlake.Page{NextToken: &next}})
			wantErr(t, "a token with another status", err, ctlake.InvalidNextTokenException,
				"The NextToken is not valid: it was not issued by this server for this request. Start the listing again without NextToken.")
		}
		token = &next
	}
	if want := []string{both.ID, failed.ID, second.ID, first.ID}; !slices.Equal(paged, want) {
		t.Errorf("pages of one: %v\nwant %v", paged, want)
	}

	now := fx.clock()
	earlier := now.Add(-time.Hour)
	bad := []struct {
		what      string
		in        ctlake.ListQueriesInput
		code, msg string
	}{
		{"an unknown status", ctlake.ListQueriesInput{EventDataStore: eds.ID, Status: "DONE"}, ctlake.InvalidQueryStatusException,
			"QueryStatus 'DONE' is not one of QUEUED, RUNNING, FINISHED, FAILED, CANCELLED, TIMED_OUT."},
		{"start after end", ctlake.ListQueriesInput{EventDataStore: eds.ID, StartTime: &now, EndTime: &earlier}, ctlake.InvalidDateRangeException,
			"StartTime is after EndTime."},
		{"MaxResults 0", ctlake.ListQueriesInput{EventDataStore: eds.ID, Page: ctlake.Page{MaxResults: new(int64)}}, ctlake.InvalidMaxResultsException,
			"MaxResults 0 is out of range: give a value from 1 to 1000."},
		{"an unknown store", ctlake.ListQueriesInput{EventDataStore: "00000000-0000-4000-8000-000000000000"}, ctlake.EventDataStoreNotFoundException,
			"00000000-0000-4000-8000-000000000000"},
	}
	for _, b := range bad {
		_, _, err := fx.svc.ListQueries(fx.ctx, b.in)
		wantErr(t, b.what, err, b.code, b.msg)
	}

	// Seven days after it was created a query is still there; a
	// millisecond later it is gone, and its results with it.
	fx.advance(first.CreatedAt.Add(ctlake.QueryRetention).Sub(fx.clock()))
	if _, err := fx.svc.DescribeQuery(fx.ctx, first.ID); err != nil {
		t.Errorf("a query of exactly seven days: %v", err)
	}
	if got := list(ctlake.ListQueriesInput{}); !slices.Contains(got, first.ID) {
		t.Errorf("a query of exactly seven days is not listed: %v", got)
	}
	fx.advance(time.Millisecond)
	gone := fmt.Sprintf("No query with id %s exists in account 123456789012, region us-east-1 (queries are kept seven days).", first.ID)
	_, err := fx.svc.DescribeQuery(fx.ctx, first.ID)
	wantErr(t, "describe an expired query", err, ctlake.QueryIdNotFoundException, gone)
	_, err = fx.svc.GetQueryResults(fx.ctx, first.ID, ctlake.Page{})
	wantErr(t, "results of an expired query", err, ctlake.QueryIdNotFoundException, gone)
	_, err = fx.svc.CancelQuery(fx.ctx, first.ID)
	wantErr(t, "cancel an expired query", err, ctlake.QueryIdNotFoundException, gone)
	if got, want := list(ctlake.ListQueriesInput{}), []string{both.ID, failed.ID, second.ID}; !slices.Equal(got, want) {
		t.Errorf("after the first query expired: %v\nwant %v", got, want)
	}

	// A store pending deletion lists nothing.
	if err := fx.svc.DeleteEventDataStore(fx.ctx, otherStore.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = fx.svc.ListQueries(fx.ctx, ctlake.ListQueriesInput{EventDataStore: otherStore.ID})
	wantErr(t, "queries of a store pending deletion", err, ctlake.InactiveEventDataStoreException,
		"The event data store other is pending deletion; restore it with RestoreEventDataStore first.")
}
