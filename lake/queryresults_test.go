package lake_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ctlake/ctlake"
)

// TestQueryResultPaging: GetQueryResults pages a result in order with
// NextToken, at most MaxQueryResults rows a page (1..1000), and fewer when
// the page reaches ctlake.ResultPageBytes (spec §3.15).
func TestQueryResultPaging(t *testing.T) {
	fx := newQueryLake(t, nil)
	eds, truth := fx.imported(t, "people", recentSpec(31))
	var want []string
	for _, e := range truthEvents(t, fx, "people-trails") {
		want = append(want, e.EventID)
	}
	slices.Sort(want)

	q := fx.finished(t, "SELECT eventID FROM "+eds.ID+" ORDER BY eventID")
	_, rows, pages := fx.results(t, q.ID, 7)
	var got []string
	for _, r := range rows {
		got = append(got, r[0])
	}
	if !slices.Equal(got, want) || pages != (truth.Events+6)/7 {
		t.Errorf("%d rows in %d pages of 7; want the %d event ids in order, in %d pages", len(got), pages, len(want), (truth.Events+6)/7)
	}

	for _, n := range []int64{0, 1001} {
		_, err := fx.svc.GetQueryResults(fx.ctx, q.ID, ctlake.Page{MaxResults: &n})
		wantErr(t, fmt.Sprint("MaxQueryResults ", n), err, ctlake.InvalidMaxResultsException,
			fmt.Sprintf("MaxResults %d is out of range: give a value from 1 to 1000.", n))
	}
	// A token is bound to its query.
	one := int64(1)
	first, err := fx.svc.GetQueryResults(fx.ctx, q.ID, ctlake.Page{MaxResults: &one})
	if err != nil || first.NextToken == "" {
		t.Fatalf("first page of one row: %+v %v, want a NextToken", first, err)
	}
	other := fx.finished(t, "SELECT eventName FROM "+eds.ID)
	for what, token := range map[string]string{"a forged token": "forged-token", "the token of another query": first.NextToken} {
		_, err := fx.svc.GetQueryResults(fx.ctx, other.ID, ctlake.Page{NextToken: &token})
		wantErr(t, what, err, ctlake.InvalidNextTokenException,
			"The NextToken is not valid: it was not issued by this server for this request. Start the listing again without NextToken.")
	}

	// Rows of 100,000 bytes and 8 of count: a page stops at the row that
	// reaches 8 MiB, the 84th.
	const size = 100_000
	perPage := int((ctlake.ResultPageBytes + size + 8 - 1) / (size + 8))
	q = fx.finished(t, fmt.Sprintf("SELECT repeat('x', %d) AS big FROM %s", size, eds.ID))
	if truth.Events <= perPage {
		t.Fatalf("the tree has %d events, not more than one page of %d big rows", truth.Events, perPage)
	}
	var sizes []int
	var token *string
	for range truth.Events {
		page, err := fx.svc.GetQueryResults(fx.ctx, q.ID, ctlake.Page{NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.Rows))
		for _, r := range page.Rows {
			if len(r) != 1 || r[0] == nil || *r[0] != strings.Repeat("x", size) {
				t.Fatalf("a big row is not %d x's", size)
			}
		}
		if page.NextToken == "" {
			break
		}
		token = &page.NextToken
	}
	var wantSizes []int
	for left := truth.Events; left > 0; left -= perPage {
		wantSizes = append(wantSizes, min(left, perPage))
	}
	if !slices.Equal(sizes, wantSizes) {
		t.Errorf("pages of big rows: %v rows, want %v", sizes, wantSizes)
	}
}

// TestResultLimits: a query whose result passes a limit of
// ctlake.ResultLimits ends FAILED with the limit's message and keeps no
// rows; one at the limit finishes.
func TestResultLimits(t *testing.T) {
	fx := newQueryLake(t, nil)
	eds, truth := fx.imported(t, "people", recentSpec(32))
	// SELECT eventID: one value of 36 characters a row, 8 + 36 bytes.
	events := truthEvents(t, fx, "people-trails")
	var bytes int64
	for _, e := range events {
		if len(e.EventID) != 36 {
			t.Fatalf("event id %q is not 36 characters", e.EventID)
		}
		bytes += 8 + 36
	}
	n := int64(truth.Events)
	sql := "SELECT eventID FROM " + eds.ID
	cases := []struct {
		what   string
		limits ctlake.ResultLimits
		want   string // "" for FINISHED
	}{
		// First, while no result is kept: the total fits one result.
		{"the total at one result", ctlake.ResultLimits{MaxTotalBytes: bytes}, ""},
		{"the total past one result", ctlake.ResultLimits{MaxTotalBytes: bytes},
			fmt.Sprintf("The results kept on this server reached %d bytes, the most they may take (ctlake serve --max-total-result-bytes); results expire seven days after their query, or raise the limit.", bytes)},
		{"rows at the limit", ctlake.ResultLimits{MaxRows: n}, ""},
		{"one row too many", ctlake.ResultLimits{MaxRows: n - 1},
			fmt.Sprintf("The query produced more than %d rows, the most a query's result may hold (ctlake serve --max-result-rows); add a LIMIT or a narrower WHERE clause, or raise the limit.", n-1)},
		{"bytes at the limit", ctlake.ResultLimits{MaxBytes: bytes}, ""},
		{"one byte too many", ctlake.ResultLimits{MaxBytes: bytes - 1},
			fmt.Sprintf("The query's result grew past %d bytes, the most a query's result may hold (ctlake serve --max-result-bytes); select fewer columns or rows, or raise the limit.", bytes-1)},
		{"values at the limit", ctlake.ResultLimits{MaxValueBytes: 36}, ""},
		{"a value too long", ctlake.ResultLimits{MaxValueBytes: 35},
			`The query produced a value of 36 bytes in column "eventID", more than the 35 bytes a result value may hold (ctlake serve --max-result-value-bytes); select a shorter value, for example with substr.`},
	}
	for _, c := range cases {
		// No query runs between cases: the next reads the limits when it
		// starts, after this write.
		fx.svc.ResultLimits = c.limits
		q := fx.run(t, sql)
		page, err := fx.svc.GetQueryResults(fx.ctx, q.ID, ctlake.Page{})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case c.want == "" && (q.Status != ctlake.QueryFinished || int64(len(page.Rows)) != n):
			t.Errorf("%s: %s %q with %d rows, want FINISHED with %d", c.what, q.Status, q.ErrorMessage, len(page.Rows), n)
		case c.want != "" && (q.Status != ctlake.QueryFailed || q.ErrorMessage != c.want || len(page.Rows) != 0):
			t.Errorf("%s: %s %q with %d rows\nwant FAILED %q without rows", c.what, q.Status, q.ErrorMessage, len(page.Rows), c.want)
		}
	}
}
