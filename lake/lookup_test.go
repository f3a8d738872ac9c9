package lake_test

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
)

// TestLookupEvents: LookupEvents answers the management events of the
// caller's stores in the region, newest first, filtered by one attribute
// and a time range, paged with NextToken; the expected events are read
// from the trail files (spec §7).
func TestLookupEvents(t *testing.T) {
	fx := newQueryLake(t, nil)
	eds, _ := fx.imported(t, "people", recentSpec(51))
	var management []trailEvent
	for _, e := range truthEvents(t, fx, "people-trails") {
		if e.EventCategory == "" || e.EventCategory == "Management" {
			management = append(management, e)
		}
	}
	// Newest first; events of one millisecond by id, descending.
	slices.SortFunc(management, func(a, b trailEvent) int {
		return cmp.Or(b.EventTime.Compare(a.EventTime), strings.Compare(b.EventID, a.EventID))
	})
	if len(management) < 60 {
		t.Fatalf("the tree has %d management events; the test needs more than a page of 50", len(management))
	}

	// lookup pages through a lookup, max events a page, and returns the
	// events' ids and the number of pages.
	lookup := func(in ctlake.LookupEventsInput, max int64) ([]string, int) {
		t.Helper()
		in.MaxResults = &max
		var ids []string
		for pages := 1; ; pages++ {
			events, next, err := fx.svc.LookupEvents(fx.ctx, in)
			if err != nil {
				t.Fatalf("LookupEvents %+v: %v", in, err)
			}
			if int64(len(events)) > max {
				t.Fatalf("a page of %d events, more than the %d asked", len(events), max)
			}
			for _, e := range events {
				ids = append(ids, e.EventID)
			}
			if next == "" {
				return ids, pages
			}
			if pages > 1000 {
				t.Fatal("more than 1,000 pages")
			}
			in.NextToken = &next
		}
	}
	expect := func(keep func(trailEvent) bool) []string {
		var ids []string
		for _, e := range management {
			if keep(e) {
				ids = append(ids, e.EventID)
			}
		}
		return ids
	}
	all := expect(func(trailEvent) bool { return true })
	if got, pages := lookup(ctlake.LookupEventsInput{}, 50); !slices.Equal(got, all) || pages != (len(all)+49)/50 {
		t.Errorf("every event: %d in %d pages, want the %d management events newest first in %d pages", len(got), pages, len(all), (len(all)+49)/50)
	}

	// One event's fields are the record's.
	some := management[len(management)/2]
	one := int64(1)
	events, next, err := fx.svc.LookupEvents(fx.ctx, ctlake.LookupEventsInput{Attributes: []ctlake.LookupAttribute{{Key: "EventId", Value: some.EventID}}, MaxResults: &one})
	if err != nil || len(events) != 1 || next != "" {
		t.Fatalf("lookup of event %s: %d events, next %q, %v", some.EventID, len(events), next, err)
	}
	if e := events[0]; e.EventName != some.EventName || e.EventSource != some.EventSource || !e.EventTime.Equal(some.EventTime) ||
		e.AccessKeyID != some.UserIdentity.AccessKeyID || e.ReadOnly != strconv.FormatBool(*some.ReadOnly) || !strings.Contains(e.CloudTrailEvent, `"eventID":"`+some.EventID+`"`) {
		t.Errorf("event %s: %+v\nwant the record %+v", some.EventID, e, some)
	}

	// Each attribute, with a value of the tree, against the records.
	withResource := func(match func(typ, arn string) bool) func(trailEvent) bool {
		return func(e trailEvent) bool {
			return slices.ContainsFunc(e.Resources, func(r struct {
				Type string `json:"type"`
				ARN  string `json:"ARN"`
			}) bool {
				return match(r.Type, r.ARN)
			})
		}
	}
	var resourced trailEvent
	for _, e := range management {
		if len(e.Resources) > 0 && e.UserIdentity.AccessKeyID != "" {
			resourced = e
			break
		}
	}
	if resourced.EventID == "" {
		t.Fatal("no management event of the tree has resources and an access key")
	}
	res := resourced.Resources[0]
	attributes := []struct {
		key, value string
		keep       func(trailEvent) bool
	}{
		{"EventName", some.EventName, func(e trailEvent) bool { return e.EventName == some.EventName }},
		{"EventSource", some.EventSource, func(e trailEvent) bool { return e.EventSource == some.EventSource }},
		{"ReadOnly", "false", func(e trailEvent) bool { return e.ReadOnly != nil && !*e.ReadOnly }},
		{"AccessKeyId", resourced.UserIdentity.AccessKeyID, func(e trailEvent) bool { return e.UserIdentity.AccessKeyID == resourced.UserIdentity.AccessKeyID }},
		{"ResourceType", res.Type, withResource(func(typ, _ string) bool { return typ == res.Type })},
		{"ResourceName", res.ARN, withResource(func(_, arn string) bool { return arn == res.ARN })},
		{"EventName", "NoSuchEvent", func(trailEvent) bool { return false }},
	}
	for _, a := range attributes {
		want := expect(a.keep)
		if len(want) == 0 && a.value != "NoSuchEvent" {
			t.Errorf("%s=%s matches no event of the tree: the case tests nothing", a.key, a.value)
		}
		if got, _ := lookup(ctlake.LookupEventsInput{Attributes: []ctlake.LookupAttribute{{Key: a.key, Value: a.value}}}, 7); !slices.Equal(got, want) {
			t.Errorf("%s=%s: %d events, want %d", a.key, a.value, len(got), len(want))
		}
	}

	// The time range is inclusive at both ends.
	from, to := management[len(management)-10].EventTime, management[10].EventTime
	inRange := expect(func(e trailEvent) bool { return !e.EventTime.Before(from) && !e.EventTime.After(to) })
	if got, _ := lookup(ctlake.LookupEventsInput{StartTime: &from, EndTime: &to}, 50); !slices.Equal(got, inRange) {
		t.Errorf("from %v to %v: %d events, want %d", from, to, len(got), len(inRange))
	}
	// No Insights events were imported.
	if got, _ := lookup(ctlake.LookupEventsInput{EventCategory: "insight"}, 50); len(got) != 0 {
		t.Errorf("insight events: %d, want none", len(got))
	}

	// A token is bound to its request.
	_, next, err = fx.svc.LookupEvents(fx.ctx, ctlake.LookupEventsInput{MaxResults: &one})
	if err != nil || next == "" {
		t.Fatalf("a page of one: next %q, %v", next, err)
	}
	later := to.Add(-time.Second)
	bad := []struct {
		what      string
		in        ctlake.LookupEventsInput
		code, msg string
	}{
		{"a token with another range", ctlake.LookupEventsInput{EndTime: &later, NextToken: &next}, ctlake.InvalidNextTokenException,
			"The NextToken is not valid: it was not issued by this server for this request. Start the listing again without NextToken."},
		{"MaxResults 0", ctlake.LookupEventsInput{MaxResults: new(int64)}, ctlake.InvalidMaxResultsException,
			"MaxResults 0 is out of range: give a value from 1 to 50."},
		{"MaxResults 51", ctlake.LookupEventsInput{MaxResults: ptr(int64(51))}, ctlake.InvalidMaxResultsException,
			"MaxResults 51 is out of range: give a value from 1 to 50."},
		{"two attributes", ctlake.LookupEventsInput{Attributes: []ctlake.LookupAttribute{{Key: "EventName", Value: "a"}, {Key: "EventSource", Value: "b"}}},
			ctlake.InvalidLookupAttributesException, "2 lookup attributes given; LookupEvents takes at most one."},
		{"an unknown key", ctlake.LookupEventsInput{Attributes: []ctlake.LookupAttribute{{Key: "Colour", Value: "a"}}}, ctlake.InvalidLookupAttributesException,
			"AttributeKey 'Colour' is not one of [EventId EventName ReadOnly Username ResourceType ResourceName EventSource AccessKeyId]."},
		{"an empty value", ctlake.LookupEventsInput{Attributes: []ctlake.LookupAttribute{{Key: "EventName"}}}, ctlake.InvalidLookupAttributesException,
			"AttributeValue must have 1 to 2000 characters."},
		{"an insight lookup by ReadOnly", ctlake.LookupEventsInput{EventCategory: "insight", Attributes: []ctlake.LookupAttribute{{Key: "ReadOnly", Value: "true"}}},
			ctlake.InvalidLookupAttributesException, "Insights lookups take only EventId, EventName or EventSource."},
		{"an unknown category", ctlake.LookupEventsInput{EventCategory: "management"}, ctlake.InvalidEventCategoryException,
			"EventCategory 'management' is not valid; the only value is 'insight'."},
		{"start after end", ctlake.LookupEventsInput{StartTime: &to, EndTime: &from}, ctlake.InvalidTimeRangeException, "StartTime is after EndTime."},
	}
	for _, b := range bad {
		_, _, err := fx.svc.LookupEvents(fx.ctx, b.in)
		wantErr(t, b.what, err, b.code, b.msg)
	}

	// Other regions' stores are not read, nor a store pending deletion.
	west := callerContext(testAccount, "eu-west-1")
	if events, _, err := fx.svc.LookupEvents(west, ctlake.LookupEventsInput{}); err != nil || len(events) != 0 {
		t.Errorf("lookup in a region without stores: %d events, %v", len(events), err)
	}
	if err := fx.svc.DeleteEventDataStore(fx.ctx, eds.ID); err != nil {
		t.Fatal(err)
	}
	if events, _, err := fx.svc.LookupEvents(fx.ctx, ctlake.LookupEventsInput{}); err != nil || len(events) != 0 {
		t.Errorf("lookup with the store pending deletion: %d events, %v", len(events), err)
	}
}

func ptr[T any](v T) *T { return &v }
