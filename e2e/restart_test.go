package e2e

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TestRestartKeepsEverything changes stores in every way the API allows,
// restarts the server on the same data folder, and finds every change.
func TestRestartKeepsEverything(t *testing.T) {
	srv := StartServer(t)
	c := srv.Client("eu-north-1")
	var arns []string
	for i := range 5 {
		arns = append(arns, aws.ToString(create(t, c, fmt.Sprintf("durable-%d", i)).EventDataStoreArn))
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: &arns[0], Name: aws.String("durable-renamed"), RetentionPeriod: aws.Int32(90)}))
	must(c.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: &arns[1], TagsList: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}, {Key: aws.String("bare")}}}))
	must(c.StopEventDataStoreIngestion(ctx, &cloudtrail.StopEventDataStoreIngestionInput{EventDataStore: &arns[2]}))
	must(c.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: &arns[3]}))
	page, err := c.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{MaxResults: aws.Int32(2)})
	if err != nil || page.NextToken == nil {
		t.Fatalf("first page: %v %v", page, err)
	}
	before := get(t, c, arns[0])

	srv.Restart()
	c = srv.Client("eu-north-1")

	if g := get(t, c, arns[0]); aws.ToString(g.Name) != "durable-renamed" || aws.ToInt32(g.RetentionPeriod) != 90 ||
		!aws.ToTime(g.CreatedTimestamp).Equal(aws.ToTime(before.CreatedTimestamp)) || !aws.ToTime(g.UpdatedTimestamp).Equal(aws.ToTime(before.UpdatedTimestamp)) {
		t.Errorf("update lost: %s %d %v %v", aws.ToString(g.Name), aws.ToInt32(g.RetentionPeriod), g.CreatedTimestamp, g.UpdatedTimestamp)
	}
	tags, err := c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arns[1]}})
	if err != nil || fmt.Sprint(tagMap(tags.ResourceTagList[0].TagsList)) != "map[bare:<nil> k:v]" {
		t.Errorf("tags lost: %v %v", tags, err)
	}
	if s := get(t, c, arns[2]).Status; s != types.EventDataStoreStatusStoppedIngestion {
		t.Errorf("stopped ingestion lost: %s", s)
	}
	if s := get(t, c, arns[3]).Status; s != types.EventDataStoreStatusPendingDeletion {
		t.Errorf("deletion lost: %s", s)
	}
	// A paging token issued before the restart still pages.
	rest, err := c.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{NextToken: page.NextToken})
	if err != nil || len(rest.EventDataStores) != 3 {
		t.Errorf("token from before the restart: %v %v, want the 3 remaining stores", rest, err)
	}
	// Restore after the restart brings back the status from before the delete.
	r, err := c.RestoreEventDataStore(ctx, &cloudtrail.RestoreEventDataStoreInput{EventDataStore: &arns[3]})
	if err != nil || r.Status != types.EventDataStoreStatusEnabled {
		t.Errorf("restore after restart: %v %v", r, err)
	}
}
