package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// The polls of the e2e tests. Each has a deadline and stops at the first
// error, so a test that waits either sees what it waited for or fails with
// a message saying what never came; the deadlines are generous because the
// tests must pass on a busy machine.
const (
	importDeadline = 2 * time.Minute
	queryDeadline  = 2 * time.Minute
)

// waitImport polls GetImport until the import has ended (COMPLETED,
// FAILED or STOPPED) and returns its last state. within, if given,
// replaces the deadline of 2 minutes: a large import under the race
// detector on a busy machine can take more.
func waitImport(t *testing.T, c *cloudtrail.Client, id string, within ...time.Duration) *cloudtrail.GetImportOutput {
	t.Helper()
	limit := importDeadline
	if len(within) > 0 {
		limit = within[0]
	}
	deadline := time.Now().Add(limit)
	for {
		out, err := c.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String(id)})
		if err != nil {
			t.Fatalf("GetImport %s: %v", id, err)
		}
		if out.ImportStatus != types.ImportStatusInitializing && out.ImportStatus != types.ImportStatusInProgress {
			return out
		}
		if time.Now().After(deadline) {
			st := out.ImportStatistics
			if st == nil {
				st = &types.ImportStatistics{}
			}
			t.Fatalf("import %s still %s after %v: files %d, events %d", id, out.ImportStatus, limit,
				aws.ToInt64(st.FilesCompleted), aws.ToInt64(st.EventsCompleted))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitQuery polls DescribeQuery until the query has ended and returns its
// last description; it stops the test if the query does not end in time.
func waitQuery(t *testing.T, c *cloudtrail.Client, id string) *cloudtrail.DescribeQueryOutput {
	t.Helper()
	d, err := queryEnded(c, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// queryEnded is waitQuery for goroutines other than the test's own, where
// t.Fatal must not be called: it returns the error instead. A query has
// ended when it is neither QUEUED nor RUNNING and the delivery of its
// results, if it asked for one, is no longer PENDING.
func queryEnded(c *cloudtrail.Client, id string) (*cloudtrail.DescribeQueryOutput, error) {
	deadline := time.Now().Add(queryDeadline)
	for {
		d, err := c.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: aws.String(id)})
		if err != nil {
			return nil, fmt.Errorf("DescribeQuery %s: %w", id, err)
		}
		running := d.QueryStatus == types.QueryStatusQueued || d.QueryStatus == types.QueryStatusRunning
		if !running && d.DeliveryStatus != types.DeliveryStatusPending {
			return d, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("query %s still %s (delivery %q) after %v: %.200s", id, d.QueryStatus, d.DeliveryStatus, queryDeadline, aws.ToString(d.QueryString))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
