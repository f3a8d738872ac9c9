package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TestLookupEvents answers LookupEvents from the imported real dataset.
func TestLookupEvents(t *testing.T) {
	_, c, _ := importInvictus(t)
	// README: Decrypt 178, GetUser 130.
	for name, want := range map[string]int{"Decrypt": 178, "GetUser": 130} {
		var events []types.Event
		pages := 0
		p := cloudtrail.NewLookupEventsPaginator(c, &cloudtrail.LookupEventsInput{
			LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String(name)}}})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			events = append(events, page.Events...)
		}
		if len(events) != want || pages != (want+49)/50 {
			t.Errorf("%s: %d events in %d pages, want %d in %d", name, len(events), pages, want, (want+49)/50)
		}
		ids := map[string]bool{}
		for i, e := range events {
			ids[aws.ToString(e.EventId)] = true
			if i > 0 && aws.ToTime(e.EventTime).After(aws.ToTime(events[i-1].EventTime)) {
				t.Errorf("%s: not newest first at %d", name, i)
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec); err != nil || rec["eventName"] != name || rec["eventID"] != aws.ToString(e.EventId) {
				t.Errorf("%s: CloudTrailEvent is not the record: %v", name, err)
				break
			}
			if aws.ToString(e.EventName) != name || aws.ToString(e.EventSource) == "" {
				t.Errorf("event %+v", e)
			}
		}
		if len(ids) != want {
			t.Errorf("%s: %d distinct ids over the pages, want %d", name, len(ids), want)
		}
	}
	// The time range bounds the events: the dataset ends at 12:37:50 (README).
	out, err := c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Date(2023, 7, 10, 12, 37, 51, 0, time.UTC))})
	if err != nil || len(out.Events) != 0 {
		t.Errorf("after the last event: %d events (%v)", len(out.Events), err)
	}

	bad := []struct {
		what  string
		in    *cloudtrail.LookupEventsInput
		check func(*testing.T, string, error, string)
		want  string
	}{
		{"two attributes", &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{
			{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("a")},
			{AttributeKey: types.LookupAttributeKeyEventSource, AttributeValue: aws.String("b")}}}, wantErr[*types.InvalidLookupAttributesException], "2 lookup attributes given; LookupEvents takes at most one."},
		{"unknown key", &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: "Colour", AttributeValue: aws.String("a")}}}, wantErr[*types.InvalidLookupAttributesException], "AttributeKey 'Colour' is not one of [EventId EventName ReadOnly Username ResourceType ResourceName EventSource AccessKeyId]."},
		{"51 results", &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}, wantErr[*types.InvalidMaxResultsException], "MaxResults 51 is out of range: give a value from 1 to 50."},
		{"start after end", &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Now()), EndTime: aws.Time(time.Now().Add(-time.Hour))}, wantErr[*types.InvalidTimeRangeException], "StartTime is after EndTime."},
		{"category", &cloudtrail.LookupEventsInput{EventCategory: "management"}, wantErr[*types.InvalidEventCategoryException], "EventCategory 'management' is not valid; the only value is 'insight'."},
		{"forged token", &cloudtrail.LookupEventsInput{NextToken: aws.String("forged-token")}, wantErr[*types.InvalidNextTokenException], "The NextToken is not valid: it was not issued by this server for this request. Start the listing again without NextToken."},
	}
	for _, b := range bad {
		_, err := c.LookupEvents(ctx, b.in)
		b.check(t, b.what, err, b.want)
	}
}
