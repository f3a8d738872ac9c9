package ctlake

import (
	"context"
	"time"
)

// LookupAttribute is one filter of LookupEvents.
type LookupAttribute struct {
	Key   string // EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId
	Value string
}

// LookupEventsInput is a LookupEvents request.
type LookupEventsInput struct {
	Attributes    []LookupAttribute
	StartTime     *time.Time
	EndTime       *time.Time
	EventCategory string // "" (management events) or "insight"
	MaxResults    *int64
	NextToken     *string
}

// LookupEvent is one event as LookupEvents returns it.
type LookupEvent struct {
	EventID         string
	EventName       string
	ReadOnly        string
	AccessKeyID     string
	EventTime       time.Time
	EventSource     string
	Username        string
	Resources       []LookupResource
	CloudTrailEvent string // the original record
}

// LookupResource is a resource of a LookupEvent.
type LookupResource struct {
	Type string
	Name string
}

// LookupService answers LookupEvents from the caller's event data stores:
// AWS reads the account's last 90 days of management events; ctlake reads
// what was imported into the caller's stores of the region, every date.
type LookupService interface {
	// LookupEvents returns the events newest first; it returns
	// InvalidLookupAttributesException, InvalidTimeRangeException,
	// InvalidMaxResultsException, InvalidEventCategoryException and
	// InvalidNextTokenException for bad requests.
	LookupEvents(ctx context.Context, in LookupEventsInput) ([]LookupEvent, string, error)
}
