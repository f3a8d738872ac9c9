package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TestQueriesSurviveRestart: finished queries keep their results across a
// restart; a query running when the server dies ends FAILED, saying why.
func TestQueriesSurviveRestart(t *testing.T) {
	srv, c, id := importInvictus(t)
	finished, _ := runQuery(t, c, `SELECT eventName, count(*) AS n FROM `+id+` GROUP BY eventName ORDER BY n DESC LIMIT 3`)
	running, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(
		`SELECT count(*) FROM ` + id + ` a CROSS JOIN ` + id + ` b CROSS JOIN ` + id + ` c`)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	srv.Start()
	c = srv.Client("us-east-1")

	d, err := c.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: running.QueryId})
	if err != nil || d.QueryStatus != types.QueryStatusFailed || !strings.Contains(aws.ToString(d.ErrorMessage), "restarted") {
		t.Errorf("the interrupted query: %v %v", d, err)
	}
	res, err := c.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: finished.QueryId})
	if err != nil {
		t.Fatal(err)
	}
	// README of the dataset: Decrypt 178, DescribeRouteTables 163, GetUser 130.
	if got := fmt.Sprint(cells(res.QueryResultRows)); res.QueryStatus != types.QueryStatusFinished || got != "[eventName=Decrypt n=178 eventName=DescribeRouteTables n=163 eventName=GetUser n=130]" {
		t.Errorf("results after the restart: %s %s", res.QueryStatus, got)
	}
	list, err := c.ListQueries(ctx, &cloudtrail.ListQueriesInput{EventDataStore: aws.String(id)})
	if err != nil || len(list.Queries) != 2 {
		t.Errorf("ListQueries after the restart: %v %v", list, err)
	}
}
