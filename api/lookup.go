package api

import (
	"context"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/awsjson"
)

// LookupEventsInput is the request of LookupEvents.
type LookupEventsInput struct {
	LookupAttributes []struct {
		AttributeKey   *string `json:"AttributeKey"`
		AttributeValue *string `json:"AttributeValue"`
	} `json:"LookupAttributes"`
	StartTime     *awsjson.Time `json:"StartTime"`
	EndTime       *awsjson.Time `json:"EndTime"`
	EventCategory *string       `json:"EventCategory"`
	MaxResults    *int64        `json:"MaxResults"`
	NextToken     *string       `json:"NextToken"`
}

// LookupEvent is an item of LookupEvents (the model's Event shape).
type LookupEvent struct {
	EventId         string        `json:"EventId"`
	EventName       string        `json:"EventName"`
	ReadOnly        string        `json:"ReadOnly,omitempty"`
	AccessKeyId     string        `json:"AccessKeyId,omitempty"`
	EventTime       *awsjson.Time `json:"EventTime,omitempty"`
	EventSource     string        `json:"EventSource"`
	Username        string        `json:"Username,omitempty"`
	Resources       []Resource    `json:"Resources,omitempty"`
	CloudTrailEvent string        `json:"CloudTrailEvent"`
}

// Resource is a resource of a LookupEvent.
type Resource struct {
	ResourceType string `json:"ResourceType,omitempty"`
	ResourceName string `json:"ResourceName,omitempty"`
}

// LookupEventsOutput is the response of LookupEvents.
type LookupEventsOutput struct {
	Events    []LookupEvent `json:"Events"`
	NextToken *string       `json:"NextToken,omitempty"`
}

// Validate checks that each lookup attribute has a key and a value. The
// model gives LookupEvents' NextToken no length: the service's decoding is
// its only check, as for every other token that this server did not issue.
func (in *LookupEventsInput) Validate() error {
	for _, la := range in.LookupAttributes {
		if la.AttributeKey == nil || la.AttributeValue == nil {
			return ctlake.Errorf(ctlake.InvalidLookupAttributesException, "Each lookup attribute needs an AttributeKey and an AttributeValue.")
		}
	}
	return nil
}

func (a *API) lookupEvents(ctx context.Context, in *LookupEventsInput) (any, error) {
	lin := ctlake.LookupEventsInput{EventCategory: deref(in.EventCategory), MaxResults: in.MaxResults, NextToken: in.NextToken}
	for _, la := range in.LookupAttributes {
		lin.Attributes = append(lin.Attributes, ctlake.LookupAttribute{Key: *la.AttributeKey, Value: *la.AttributeValue})
	}
	if in.StartTime != nil {
		lin.StartTime = &in.StartTime.Time
	}
	if in.EndTime != nil {
		lin.EndTime = &in.EndTime.Time
	}
	events, next, err := a.Lookup.LookupEvents(ctx, lin)
	if err != nil {
		return nil, err
	}
	out := &LookupEventsOutput{Events: make([]LookupEvent, len(events))}
	for i, e := range events {
		le := LookupEvent{EventId: e.EventID, EventName: e.EventName, ReadOnly: e.ReadOnly, AccessKeyId: e.AccessKeyID,
			EventTime: timeOf(e.EventTime), EventSource: e.EventSource, Username: e.Username, CloudTrailEvent: e.CloudTrailEvent}
		for _, r := range e.Resources {
			le.Resources = append(le.Resources, Resource{ResourceType: r.Type, ResourceName: r.Name})
		}
		out.Events[i] = le
	}
	if next != "" {
		out.NextToken = &next
	}
	return out, nil
}
