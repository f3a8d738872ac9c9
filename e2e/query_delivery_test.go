package e2e

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake/ctlaketest"
)

// TestQueryDeliveryToS3 writes a query's results to a bucket of versitygw
// as gzip CSV, and refuses a bucket that does not exist.
func TestQueryDeliveryToS3(t *testing.T) {
	vgw := ctlaketest.StartVersity(t)
	vgw.CreateBucket(t, "results")
	_, c, id := importInvictus(t, WithEnv(vgw.Env()...))
	_, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(`SELECT 1`), DeliveryS3Uri: aws.String("s3://no-such-results-bucket/x")})
	wantErr[*types.S3BucketDoesNotExistException](t, "missing results bucket", err, "The results bucket no-such-results-bucket cannot be used: NoSuchBucket: bucket no-such-results-bucket does not exist…")

	start, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{
		QueryStatement: aws.String(`SELECT eventName, count(*) AS n FROM ` + id + ` GROUP BY eventName ORDER BY n DESC, eventName LIMIT 3`),
		DeliveryS3Uri:  aws.String("s3://results/lake"),
	})
	if err != nil {
		t.Fatal(err)
	}
	d := waitQuery(t, c, aws.ToString(start.QueryId))
	if d.QueryStatus != types.QueryStatusFinished || d.DeliveryStatus != types.DeliveryStatusSuccess || aws.ToString(d.DeliveryS3Uri) != "s3://results/lake" {
		t.Fatalf("query %s, delivery %s to %s", d.QueryStatus, d.DeliveryStatus, aws.ToString(d.DeliveryS3Uri))
	}
	day := aws.ToTime(d.QueryStatistics.CreationTime).UTC().Format("2006/01/02")
	path := filepath.Join(vgw.BucketDir("results"), "lake", "AWSLogs", testAccount, "CloudTrail-Lake", "Query", day, aws.ToString(start.QueryId), "result_1.csv.gz")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the results file is not in the bucket: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// README of the dataset: Decrypt 178, DescribeRouteTables 163, GetUser 130.
	if got := fmt.Sprint(recs); got != "[[eventName n] [Decrypt 178] [DescribeRouteTables 163] [GetUser 130]]" {
		t.Errorf("CSV %s", got)
	}
}
