package api

import (
	"context"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/awsjson"
)

// EventDataStoreDescription is the full description of a store that Create,
// Get, Update and Restore answer with (each with a subset of its members).
type EventDataStoreDescription struct {
	EventDataStoreArn            string                  `json:"EventDataStoreArn"`
	Name                         string                  `json:"Name"`
	Status                       string                  `json:"Status"`
	AdvancedEventSelectors       []AdvancedEventSelector `json:"AdvancedEventSelectors"`
	MultiRegionEnabled           bool                    `json:"MultiRegionEnabled"`
	OrganizationEnabled          bool                    `json:"OrganizationEnabled"`
	RetentionPeriod              int                     `json:"RetentionPeriod"`
	TerminationProtectionEnabled bool                    `json:"TerminationProtectionEnabled"`
	TagsList                     []Tag                   `json:"TagsList,omitempty"`
	CreatedTimestamp             *awsjson.Time           `json:"CreatedTimestamp,omitempty"`
	UpdatedTimestamp             *awsjson.Time           `json:"UpdatedTimestamp,omitempty"`
	KmsKeyId                     *string                 `json:"KmsKeyId,omitempty"`
	BillingMode                  string                  `json:"BillingMode"`
	FederationStatus             *string                 `json:"FederationStatus,omitempty"`
}

func describeStore(s *ctlake.EventDataStore) *EventDataStoreDescription {
	d := &EventDataStoreDescription{
		EventDataStoreArn:            s.ARN(),
		Name:                         s.Name,
		Status:                       string(s.Status),
		AdvancedEventSelectors:       selectorsToWire(s.AdvancedEventSelectors),
		MultiRegionEnabled:           s.MultiRegionEnabled,
		OrganizationEnabled:          s.OrganizationEnabled,
		RetentionPeriod:              s.RetentionPeriod,
		TerminationProtectionEnabled: s.TerminationProtectionEnabled,
		CreatedTimestamp:             timeOf(s.CreatedAt),
		UpdatedTimestamp:             timeOf(s.UpdatedAt),
		BillingMode:                  string(s.BillingMode),
	}
	if s.KmsKeyID != "" {
		d.KmsKeyId = &s.KmsKeyID
	}
	return d
}

// CreateEventDataStoreInput is the request of CreateEventDataStore.
type CreateEventDataStoreInput struct {
	Name                         *string                 `json:"Name"`
	AdvancedEventSelectors       []AdvancedEventSelector `json:"AdvancedEventSelectors"`
	MultiRegionEnabled           *bool                   `json:"MultiRegionEnabled"`
	OrganizationEnabled          *bool                   `json:"OrganizationEnabled"`
	RetentionPeriod              *int64                  `json:"RetentionPeriod"`
	TerminationProtectionEnabled *bool                   `json:"TerminationProtectionEnabled"`
	TagsList                     []Tag                   `json:"TagsList"`
	KmsKeyId                     *string                 `json:"KmsKeyId"`
	StartIngestion               *bool                   `json:"StartIngestion"`
	BillingMode                  *string                 `json:"BillingMode"`
}

// Validate checks the wire members.
func (in *CreateEventDataStoreInput) Validate() error {
	if err := required(in.Name, "name"); err != nil {
		return err
	}
	return checkTagKeys(in.TagsList)
}

func (a *API) createEventDataStore(ctx context.Context, in *CreateEventDataStoreInput) (any, error) {
	eds, err := a.Stores.CreateEventDataStore(ctx, ctlake.CreateEventDataStoreInput{
		Name:                         *in.Name,
		AdvancedEventSelectors:       selectorsFromWire(in.AdvancedEventSelectors),
		MultiRegionEnabled:           in.MultiRegionEnabled,
		OrganizationEnabled:          in.OrganizationEnabled,
		RetentionPeriod:              in.RetentionPeriod,
		TerminationProtectionEnabled: in.TerminationProtectionEnabled,
		Tags:                         tagsFromWire(in.TagsList),
		KmsKeyID:                     in.KmsKeyId,
		StartIngestion:               in.StartIngestion,
		BillingMode:                  in.BillingMode,
	})
	if err != nil {
		return nil, err
	}
	d := describeStore(eds)
	if len(eds.Tags) > 0 {
		d.TagsList = tagsToWire(eds.Tags)
	}
	return d, nil
}

// EventDataStoreRef is the request of every operation that takes only a
// store: Get, Delete, Restore, Start/StopEventDataStoreIngestion.
type EventDataStoreRef struct {
	EventDataStore *string `json:"EventDataStore"`
}

// Validate checks the store reference.
func (in *EventDataStoreRef) Validate() error { return storeRef(in.EventDataStore, "eventDataStore") }

func (a *API) getEventDataStore(ctx context.Context, in *EventDataStoreRef) (any, error) {
	eds, err := a.Stores.GetEventDataStore(ctx, *in.EventDataStore)
	if err != nil {
		return nil, err
	}
	d := describeStore(eds)
	d.FederationStatus = ptr("DISABLED") // federation to Athena is not offered
	return d, nil
}

// ListEventDataStoresInput is the request of ListEventDataStores.
type ListEventDataStoresInput struct {
	NextToken  *string `json:"NextToken"`
	MaxResults *int64  `json:"MaxResults"`
}

// EventDataStoreItem is an item of ListEventDataStores. Only the ARN and the
// name are current members; the model marks the other eight deprecated and
// AWS no longer returns them.
type EventDataStoreItem struct {
	EventDataStoreArn string `json:"EventDataStoreArn"`
	Name              string `json:"Name"`
}

// ListEventDataStoresOutput is the response of ListEventDataStores.
type ListEventDataStoresOutput struct {
	EventDataStores []EventDataStoreItem `json:"EventDataStores"`
	NextToken       *string              `json:"NextToken,omitempty"`
}

// Validate checks the token's length.
func (in *ListEventDataStoresInput) Validate() error { return ctlake.ValidateNextToken(in.NextToken) }

func (a *API) listEventDataStores(ctx context.Context, in *ListEventDataStoresInput) (any, error) {
	stores, next, err := a.Stores.ListEventDataStores(ctx, ctlake.Page{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	out := &ListEventDataStoresOutput{EventDataStores: make([]EventDataStoreItem, len(stores))}
	for i, s := range stores {
		out.EventDataStores[i] = EventDataStoreItem{EventDataStoreArn: s.ARN(), Name: s.Name}
	}
	if next != "" {
		out.NextToken = &next
	}
	return out, nil
}

// UpdateEventDataStoreInput is the request of UpdateEventDataStore.
type UpdateEventDataStoreInput struct {
	EventDataStore               *string                 `json:"EventDataStore"`
	Name                         *string                 `json:"Name"`
	AdvancedEventSelectors       []AdvancedEventSelector `json:"AdvancedEventSelectors"`
	MultiRegionEnabled           *bool                   `json:"MultiRegionEnabled"`
	OrganizationEnabled          *bool                   `json:"OrganizationEnabled"`
	RetentionPeriod              *int64                  `json:"RetentionPeriod"`
	TerminationProtectionEnabled *bool                   `json:"TerminationProtectionEnabled"`
	KmsKeyId                     *string                 `json:"KmsKeyId"`
	BillingMode                  *string                 `json:"BillingMode"`
}

// Validate checks the store reference.
func (in *UpdateEventDataStoreInput) Validate() error {
	return storeRef(in.EventDataStore, "eventDataStore")
}

func (a *API) updateEventDataStore(ctx context.Context, in *UpdateEventDataStoreInput) (any, error) {
	eds, err := a.Stores.UpdateEventDataStore(ctx, ctlake.UpdateEventDataStoreInput{
		EventDataStore:               *in.EventDataStore,
		Name:                         in.Name,
		AdvancedEventSelectors:       selectorsFromWire(in.AdvancedEventSelectors),
		MultiRegionEnabled:           in.MultiRegionEnabled,
		OrganizationEnabled:          in.OrganizationEnabled,
		RetentionPeriod:              in.RetentionPeriod,
		TerminationProtectionEnabled: in.TerminationProtectionEnabled,
		KmsKeyID:                     in.KmsKeyId,
		BillingMode:                  in.BillingMode,
	})
	if err != nil {
		return nil, err
	}
	d := describeStore(eds)
	d.FederationStatus = ptr("DISABLED")
	return d, nil
}

func (a *API) deleteEventDataStore(ctx context.Context, in *EventDataStoreRef) (any, error) {
	return struct{}{}, a.Stores.DeleteEventDataStore(ctx, *in.EventDataStore)
}

func (a *API) restoreEventDataStore(ctx context.Context, in *EventDataStoreRef) (any, error) {
	eds, err := a.Stores.RestoreEventDataStore(ctx, *in.EventDataStore)
	if err != nil {
		return nil, err
	}
	return describeStore(eds), nil
}

func (a *API) startEventDataStoreIngestion(ctx context.Context, in *EventDataStoreRef) (any, error) {
	return struct{}{}, a.Stores.StartEventDataStoreIngestion(ctx, *in.EventDataStore)
}

func (a *API) stopEventDataStoreIngestion(ctx context.Context, in *EventDataStoreRef) (any, error) {
	return struct{}{}, a.Stores.StopEventDataStoreIngestion(ctx, *in.EventDataStore)
}
