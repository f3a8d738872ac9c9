package lake_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/lake"
)

// TestStoreQuotaAndNames: names are unique per account and region, and a
// region holds at most MaxEventDataStores stores, pending deletion ones
// included (spec §3.2, §5.4).
func TestStoreQuotaAndNames(t *testing.T) {
	fx := newLake(t, func(s *lake.Service) { s.MaxEventDataStores = 2 })
	first := fx.store(t, "first")
	fx.store(t, "second")

	_, err := fx.svc.CreateEventDataStore(fx.ctx, ctlake.CreateEventDataStoreInput{Name: "third"})
	wantErr(t, "third store", err, ctlake.EventDataStoreMaxLimitExceededException,
		"Region us-east-1 already has 2 event data stores, the most allowed (stores pending deletion count until they are purged).")
	_, err = fx.svc.CreateEventDataStore(fx.ctx, ctlake.CreateEventDataStoreInput{Name: "first"})
	wantErr(t, "same name", err, ctlake.EventDataStoreAlreadyExistsException, "An event data store named first already exists.")

	// Another region and another account have their own names and quota.
	if _, err := fx.svc.CreateEventDataStore(callerContext(testAccount, "eu-west-1"), ctlake.CreateEventDataStoreInput{Name: "first"}); err != nil {
		t.Errorf("same name in another region: %v", err)
	}
	if _, err := fx.svc.CreateEventDataStore(callerContext("210987654321", testRegion), ctlake.CreateEventDataStoreInput{Name: "first"}); err != nil {
		t.Errorf("same name in another account: %v", err)
	}

	// A store pending deletion keeps its name and its quota slot.
	if err := fx.svc.DeleteEventDataStore(fx.ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	_, err = fx.svc.CreateEventDataStore(fx.ctx, ctlake.CreateEventDataStoreInput{Name: "first"})
	wantErr(t, "name of a deleted store", err, ctlake.EventDataStoreAlreadyExistsException,
		"An event data store named first already exists (pending deletion; restore it or wait until it is purged).")
	second := "second"
	_, err = fx.svc.UpdateEventDataStore(fx.ctx, ctlake.UpdateEventDataStoreInput{EventDataStore: first.ARN(), Name: &second})
	wantErr(t, "update of a deleted store", err, ctlake.InactiveEventDataStoreException,
		"The event data store first is pending deletion; restore it with RestoreEventDataStore first.")
}

// TestDeletionRules: termination protection, the checks of a second
// delete, restore into the status a store had, and what a store pending
// deletion refuses (spec §3.10, §3.11).
func TestDeletionRules(t *testing.T) {
	fx := newLake(t, nil)
	protected, err := fx.svc.CreateEventDataStore(fx.ctx, ctlake.CreateEventDataStoreInput{Name: "protected"})
	if err != nil {
		t.Fatal(err)
	}
	err = fx.svc.DeleteEventDataStore(fx.ctx, protected.ID)
	wantErr(t, "delete a protected store", err, ctlake.EventDataStoreTerminationProtectedException,
		"The event data store protected has termination protection enabled. Turn it off with UpdateEventDataStore (--no-termination-protection-enabled) before deleting it.")

	stopped := fx.store(t, "stopped")
	if err := fx.svc.StopEventDataStoreIngestion(fx.ctx, stopped.ARN()); err != nil {
		t.Fatal(err)
	}
	_, err = fx.svc.RestoreEventDataStore(fx.ctx, stopped.ID)
	wantErr(t, "restore a live store", err, ctlake.InvalidEventDataStoreStatusException,
		"The event data store stopped is STOPPED_INGESTION; only a store pending deletion can be restored.")
	if err := fx.svc.DeleteEventDataStore(fx.ctx, stopped.ID); err != nil {
		t.Fatal(err)
	}
	err = fx.svc.DeleteEventDataStore(fx.ctx, stopped.ID)
	wantErr(t, "delete twice", err, ctlake.InactiveEventDataStoreException, "The event data store stopped is pending deletion")
	err = fx.svc.AddTags(fx.ctx, stopped.ARN(), []ctlake.Tag{{Key: "k"}})
	wantErr(t, "tag a deleted store", err, ctlake.InactiveEventDataStoreException, "The event data store stopped is pending deletion")
	err = fx.svc.StartEventDataStoreIngestion(fx.ctx, stopped.ID)
	wantErr(t, "start ingestion of a deleted store", err, ctlake.InvalidEventDataStoreStatusException,
		"The event data store stopped is PENDING_DELETION; this operation needs it STOPPED_INGESTION.")

	restored, err := fx.svc.RestoreEventDataStore(fx.ctx, stopped.ID)
	if err != nil {
		t.Fatal(err)
	}
	if restored.Status != ctlake.StatusStoppedIngestion || !restored.DeletedAt.IsZero() {
		t.Errorf("restored store: %s, deleted at %v; want STOPPED_INGESTION as before the delete", restored.Status, restored.DeletedAt)
	}
}

// TestIngestionStartStop: STOPPED_INGESTION ⇄ ENABLED, each from its one
// status, and only for stores of CloudTrail events (spec §3.12).
func TestIngestionStartStop(t *testing.T) {
	fx := newLake(t, nil)
	eds := fx.store(t, "ingest")
	err := fx.svc.StartEventDataStoreIngestion(fx.ctx, eds.ID)
	wantErr(t, "start an enabled store", err, ctlake.InvalidEventDataStoreStatusException,
		"The event data store ingest is ENABLED; this operation needs it STOPPED_INGESTION.")
	if err := fx.svc.StopEventDataStoreIngestion(fx.ctx, eds.ID); err != nil {
		t.Fatal(err)
	}
	err = fx.svc.StopEventDataStoreIngestion(fx.ctx, eds.ID)
	wantErr(t, "stop a stopped store", err, ctlake.InvalidEventDataStoreStatusException,
		"The event data store ingest is STOPPED_INGESTION; this operation needs it ENABLED.")
	if err := fx.svc.StartEventDataStoreIngestion(fx.ctx, eds.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := fx.svc.GetEventDataStore(fx.ctx, eds.ID); err != nil || got.Status != ctlake.StatusEnabled {
		t.Errorf("after start: %v, %v; want ENABLED", got, err)
	}

	// A store of events from outside AWS (a channel's) has no ingestion
	// switch.
	off := false
	external, err := fx.svc.CreateEventDataStore(fx.ctx, ctlake.CreateEventDataStoreInput{Name: "external", TerminationProtectionEnabled: &off,
		AdvancedEventSelectors: []ctlake.AdvancedEventSelector{{FieldSelectors: []ctlake.AdvancedFieldSelector{{Field: "eventCategory", Equals: []string{"ActivityAuditLog"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	err = fx.svc.StopEventDataStoreIngestion(fx.ctx, external.ID)
	wantErr(t, "stop a store of external events", err, ctlake.InvalidEventDataStoreCategoryException,
		"The event data store external holds ActivityAuditLog events; ingestion can be started and stopped only for stores of CloudTrail events or configuration items.")
}

// TestListPaging: ListEventDataStores pages in creation order with tokens
// bound to the caller's account and region; MaxResults is checked.
func TestListPaging(t *testing.T) {
	fx := newLake(t, nil)
	var want []string
	for i := range 5 {
		want = append(want, fx.store(t, fmt.Sprintf("page-%d", i)).ID)
		fx.advance(time.Millisecond) // creation order, not id order on ties
	}
	var got []string
	var token *string
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("more pages than stores")
		}
		two := int64(2)
		list, next, err := fx.svc.ListEventDataStores(fx.ctx, ctlake.Page{MaxResults: &two, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, eds := range list {
			got = append(got, eds.ID)
		}
		if next == "" {
			break
		}
		token = &next
		// The token is bound to the caller's region.
		_, _, err = fx.svc.ListEventDataStores(callerContext(testAccount, "eu-west-1"), ctlake.Page{NextToken: token})
		wantErr(t, "token in another region", err, ctlake.InvalidNextTokenException, "")
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pages gave %v\nwant %v", got, want)
	}
	zero, garbage := int64(0), "not-a-token"
	_, _, err := fx.svc.ListEventDataStores(fx.ctx, ctlake.Page{MaxResults: &zero})
	wantErr(t, "MaxResults 0", err, ctlake.InvalidMaxResultsException, "MaxResults 0 is out of range: give a value from 1 to 1000.")
	_, _, err = fx.svc.ListEventDataStores(fx.ctx, ctlake.Page{NextToken: &garbage})
	wantErr(t, "garbage token", err, ctlake.InvalidNextTokenException, "")
}

// TestTags: tags merge by key, stay within 50 per store, and only event
// data store ARNs take them.
func TestTags(t *testing.T) {
	fx := newLake(t, nil)
	eds := fx.store(t, "tagged")
	v1, v2 := "1", "2"
	if err := fx.svc.AddTags(fx.ctx, eds.ARN(), []ctlake.Tag{{Key: "a", Value: &v1}, {Key: "b"}}); err != nil {
		t.Fatal(err)
	}
	if err := fx.svc.AddTags(fx.ctx, eds.ARN(), []ctlake.Tag{{Key: "a", Value: &v2}}); err != nil {
		t.Fatal(err)
	}
	if err := fx.svc.RemoveTags(fx.ctx, eds.ARN(), []ctlake.Tag{{Key: "b", Value: &v1}}); err != nil {
		t.Fatal(err)
	}
	got, err := fx.svc.ListTags(fx.ctx, []string{eds.ARN()})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0].Tags) != 1 || got[0].Tags[0].Key != "a" || *got[0].Tags[0].Value != "2" {
		t.Errorf("tags after add, replace and remove: %+v", got)
	}

	var many []ctlake.Tag
	for i := range 50 {
		many = append(many, ctlake.Tag{Key: fmt.Sprintf("k%02d", i)})
	}
	err = fx.svc.AddTags(fx.ctx, eds.ARN(), many)
	wantErr(t, "51 tags", err, ctlake.TagsLimitExceededException, "The event data store tagged would have 51 tags; a resource has at most 50.")
	err = fx.svc.AddTags(fx.ctx, eds.ID, []ctlake.Tag{{Key: "k"}})
	wantErr(t, "tag by id", err, ctlake.CloudTrailARNInvalidException, "is not a CloudTrail ARN; tag an event data store by its ARN")
	_, err = fx.svc.ListTags(fx.ctx, []string{"arn:aws:cloudtrail:us-east-1:123456789012:trail/t"})
	wantErr(t, "tags of a trail", err, ctlake.ResourceTypeNotSupportedException, "ctlake serves event data stores only; a trail cannot be tagged here.")
}
