package lake

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ctlake/ctlake"
)

var lookupKeys = []string{"EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"}

// LookupEvents answers from the caller's stores (spec §7).
func (s *Service) LookupEvents(ctx context.Context, in ctlake.LookupEventsInput) ([]ctlake.LookupEvent, string, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, "", err
	}
	if s.Queries == nil {
		return nil, "", ctlake.Errorf(ctlake.UnsupportedOperationException, "This server was started without a query engine.")
	}
	f := ctlake.LookupFilter{Category: "Management", Limit: 50}
	if len(in.Attributes) > 1 {
		return nil, "", ctlake.Errorf(ctlake.InvalidLookupAttributesException, "%d lookup attributes given; LookupEvents takes at most one.", len(in.Attributes))
	}
	if len(in.Attributes) == 1 {
		a := in.Attributes[0]
		known := false
		for _, k := range lookupKeys {
			known = known || a.Key == k
		}
		if !known {
			return nil, "", ctlake.Errorf(ctlake.InvalidLookupAttributesException, "AttributeKey '%s' is not one of %v.", a.Key, lookupKeys)
		}
		if len(a.Value) < 1 || len(a.Value) > 2000 {
			return nil, "", ctlake.Errorf(ctlake.InvalidLookupAttributesException, "AttributeValue must have 1 to 2000 characters.")
		}
		f.Attribute = &a
	}
	switch in.EventCategory {
	case "":
	case "insight":
		f.Category = "Insight"
		if f.Attribute != nil && f.Attribute.Key != "EventId" && f.Attribute.Key != "EventName" && f.Attribute.Key != "EventSource" {
			return nil, "", ctlake.Errorf(ctlake.InvalidLookupAttributesException, "Insights lookups take only EventId, EventName or EventSource.")
		}
	default:
		return nil, "", ctlake.Errorf(ctlake.InvalidEventCategoryException, "EventCategory '%s' is not valid; the only value is 'insight'.", in.EventCategory)
	}
	if in.StartTime != nil {
		f.Start = in.StartTime.UTC()
	}
	if in.EndTime != nil {
		f.End = in.EndTime.UTC()
	}
	if !f.Start.IsZero() && !f.End.IsZero() && f.Start.After(f.End) {
		return nil, "", ctlake.Errorf(ctlake.InvalidTimeRangeException, "StartTime is after EndTime.")
	}
	if f.Limit, err = ctlake.PageLimit(in.MaxResults, f.Limit, ctlake.InvalidMaxResultsException); err != nil {
		return nil, "", err
	}
	attr := ""
	if f.Attribute != nil {
		attr = f.Attribute.Key + "=" + f.Attribute.Value
	}
	scope := fmt.Sprintf("LookupEvents/%s/%s/%s/%d/%d/%s", c.Account, c.Region, attr, f.Start.UnixMilli(), f.End.UnixMilli(), f.Category)
	if in.NextToken != nil {
		raw, err := s.tokens.decode(*in.NextToken, scope, ctlake.InvalidNextTokenException)
		if err != nil {
			return nil, "", err
		}
		var cur ctlake.LookupCursor
		if err := json.Unmarshal([]byte(raw), &cur); err != nil {
			return nil, "", ctlake.Errorf(ctlake.InvalidNextTokenException, "The NextToken is not valid.")
		}
		f.Before = &cur
	}
	segments := map[string][]ctlake.Segment{}
	err = s.Catalog.View(ctx, func(tx ctlake.Tx) error {
		stores, err := tx.EventDataStores(ctlake.EventDataStoreFilter{Account: c.Account, Region: c.Region})
		if err != nil {
			return err
		}
		for _, eds := range stores {
			if eds.Status == ctlake.StatusPendingDeletion || eds.Category() != "CloudTrail" {
				continue
			}
			if segments[eds.ID], err = tx.Segments(eds.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	if len(segments) == 0 {
		return nil, "", nil
	}
	want := f.Limit
	f.Limit++ // one more tells whether there is a next page
	events, err := s.Queries.Lookup(ctx, segments, f)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(events) > want {
		events = events[:want]
		last := events[want-1]
		b, _ := json.Marshal(ctlake.LookupCursor{TimeMillis: last.EventTime.UnixMilli(), EventID: last.EventID})
		next = s.tokens.encode(scope, string(b))
	}
	return events, next, nil
}
