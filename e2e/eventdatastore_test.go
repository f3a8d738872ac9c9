package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

var ctx = context.Background()

// create makes a store with termination protection off (so tests can delete
// it) and returns the create response.
func create(t *testing.T, c *cloudtrail.Client, name string, opts ...func(*cloudtrail.CreateEventDataStoreInput)) *cloudtrail.CreateEventDataStoreOutput {
	t.Helper()
	in := &cloudtrail.CreateEventDataStoreInput{Name: aws.String(name), TerminationProtectionEnabled: aws.Bool(false)}
	for _, o := range opts {
		o(in)
	}
	out, err := c.CreateEventDataStore(ctx, in)
	if err != nil {
		t.Fatalf("CreateEventDataStore %s: %v", name, err)
	}
	return out
}

// longestRetention keeps events for 3653 days, so that an import of trail
// logs from any past year keeps them: with the default 366 days, older days
// are skipped.
func longestRetention(in *cloudtrail.CreateEventDataStoreInput) { in.RetentionPeriod = aws.Int32(3653) }

func get(t *testing.T, c *cloudtrail.Client, ref string) *cloudtrail.GetEventDataStoreOutput {
	t.Helper()
	out, err := c.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(ref)})
	if err != nil {
		t.Fatalf("GetEventDataStore %s: %v", ref, err)
	}
	return out
}

// wantErr checks that err is the SDK's typed error T, which proves the AWS
// error code and that the client recognised it as one its operation
// declares, and that its message is want: messages are part of the product,
// so a test compares them word for word. A want ending in "…" is compared
// as a prefix, for messages whose tail is not ours to fix (an S3 request id,
// a DuckDB diagnostic).
func wantErr[T interface {
	error
	ErrorCode() string
	ErrorMessage() string
}](t *testing.T, what string, err error, want string) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Errorf("%s: got %v (code %q), want %T", what, err, errorCode(err), target)
		return
	}
	got := target.ErrorMessage()
	if prefix, ok := strings.CutSuffix(want, "…"); ok && strings.HasPrefix(got, prefix) || got == want {
		return
	}
	t.Errorf("%s: %s message\n got %q\nwant %q", what, target.ErrorCode(), got, want)
}

func idOf(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

func TestCreateEventDataStoreDefaults(t *testing.T) {
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	before := time.Now().Add(-time.Second)
	out, err := c.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("defaults")})
	if err != nil {
		t.Fatal(err)
	}
	// Spec §5.2 and §2.
	if out.Status != types.EventDataStoreStatusCreated {
		t.Errorf("create Status = %s, want CREATED", out.Status)
	}
	prefix := "arn:aws:cloudtrail:us-east-1:" + testAccount + ":eventdatastore/"
	if !strings.HasPrefix(aws.ToString(out.EventDataStoreArn), prefix) || !isLowerUUID(idOf(aws.ToString(out.EventDataStoreArn))) {
		t.Errorf("ARN %q: want %s<lower-case uuid>", aws.ToString(out.EventDataStoreArn), prefix)
	}
	if aws.ToInt32(out.RetentionPeriod) != 366 || out.BillingMode != types.BillingModeExtendableRetentionPricing {
		t.Errorf("retention %d, billing %s: want 366, EXTENDABLE_RETENTION_PRICING", aws.ToInt32(out.RetentionPeriod), out.BillingMode)
	}
	if !aws.ToBool(out.MultiRegionEnabled) || aws.ToBool(out.OrganizationEnabled) || !aws.ToBool(out.TerminationProtectionEnabled) {
		t.Errorf("multi-region %v, organization %v, termination protection %v: want true, false, true",
			aws.ToBool(out.MultiRegionEnabled), aws.ToBool(out.OrganizationEnabled), aws.ToBool(out.TerminationProtectionEnabled))
	}
	sels := out.AdvancedEventSelectors
	if len(sels) != 1 || aws.ToString(sels[0].Name) != "Default management events" || len(sels[0].FieldSelectors) != 1 ||
		aws.ToString(sels[0].FieldSelectors[0].Field) != "eventCategory" || fmt.Sprint(sels[0].FieldSelectors[0].Equals) != "[Management]" {
		t.Errorf("default selectors = %+v, want one named 'Default management events' with eventCategory Equals Management", sels)
	}
	if out.KmsKeyId != nil || out.TagsList != nil {
		t.Errorf("KmsKeyId %v, TagsList %v: want both absent", out.KmsKeyId, out.TagsList)
	}
	created := aws.ToTime(out.CreatedTimestamp)
	if created.Before(before) || created.After(time.Now().Add(time.Second)) || !aws.ToTime(out.UpdatedTimestamp).Equal(created) {
		t.Errorf("timestamps created %v updated %v: want now, and equal", created, aws.ToTime(out.UpdatedTimestamp))
	}

	g := get(t, c, aws.ToString(out.EventDataStoreArn))
	if g.Status != types.EventDataStoreStatusEnabled {
		t.Errorf("Get after create: Status %s, want ENABLED", g.Status)
	}
	if g.FederationStatus != types.FederationStatusDisabled {
		t.Errorf("FederationStatus %q, want DISABLED", g.FederationStatus)
	}
	// Fixed pricing defaults to 2557 days (spec §5.2).
	fixed := create(t, c, "fixed", func(in *cloudtrail.CreateEventDataStoreInput) {
		in.BillingMode = types.BillingModeFixedRetentionPricing
	})
	if aws.ToInt32(fixed.RetentionPeriod) != 2557 {
		t.Errorf("fixed-pricing retention %d, want 2557", aws.ToInt32(fixed.RetentionPeriod))
	}
	// StartIngestion=false leaves the store stopped.
	stopped := create(t, c, "stopped", func(in *cloudtrail.CreateEventDataStoreInput) { in.StartIngestion = aws.Bool(false) })
	if s := get(t, c, aws.ToString(stopped.EventDataStoreArn)).Status; s != types.EventDataStoreStatusStoppedIngestion {
		t.Errorf("StartIngestion=false: Status %s, want STOPPED_INGESTION", s)
	}
}

func isLowerUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdef", r) {
				return false
			}
		}
	}
	return true
}

func TestCreateEventDataStoreExplicitMembers(t *testing.T) {
	srv := StartServer(t)
	c := srv.Client("eu-central-1")
	key := "0d5f1c3e-8a8b-4c7d-9e2f-1a2b3c4d5e6f"
	out := create(t, c, "explicit.store_1", func(in *cloudtrail.CreateEventDataStoreInput) {
		in.RetentionPeriod = aws.Int32(3653)
		in.MultiRegionEnabled = aws.Bool(false)
		in.KmsKeyId = aws.String(key)
		in.TagsList = []types.Tag{{Key: aws.String("team"), Value: aws.String("sec")}, {Key: aws.String("novalue")}}
		in.AdvancedEventSelectors = []types.AdvancedEventSelector{{
			Name: aws.String("s3 data"),
			FieldSelectors: []types.AdvancedFieldSelector{
				{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
				{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
				{Field: aws.String("eventName"), NotStartsWith: []string{"Get"}},
			},
		}}
	})
	if aws.ToInt32(out.RetentionPeriod) != 3653 || aws.ToBool(out.MultiRegionEnabled) {
		t.Errorf("retention %d multi-region %v", aws.ToInt32(out.RetentionPeriod), aws.ToBool(out.MultiRegionEnabled))
	}
	if want := "arn:aws:kms:eu-central-1:" + testAccount + ":key/" + key; aws.ToString(out.KmsKeyId) != want {
		t.Errorf("KmsKeyId %q, want %q (responses carry the key ARN)", aws.ToString(out.KmsKeyId), want)
	}
	if len(out.TagsList) != 2 || aws.ToString(out.TagsList[0].Value) != "sec" || out.TagsList[1].Value != nil {
		t.Errorf("TagsList %+v", out.TagsList)
	}
	if !strings.Contains(aws.ToString(out.EventDataStoreArn), ":eu-central-1:") {
		t.Errorf("ARN %s is not in the signing region", aws.ToString(out.EventDataStoreArn))
	}
	g := get(t, c, idOf(aws.ToString(out.EventDataStoreArn)))
	fs := g.AdvancedEventSelectors[0].FieldSelectors
	if len(fs) != 3 || fmt.Sprint(fs[2].NotStartsWith) != "[Get]" || aws.ToString(g.AdvancedEventSelectors[0].Name) != "s3 data" {
		t.Errorf("selectors did not round-trip: %+v", g.AdvancedEventSelectors)
	}
	// An organization store needs an organization's management account.
	_, err := c.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("org"), OrganizationEnabled: aws.Bool(true)})
	wantErr[*types.OrganizationsNotInUseException](t, "OrganizationEnabled outside an organization", err, "Account 123456789012 is not the management account of an organization, so OrganizationEnabled cannot be true. Start ctlake with --organization-management-account to serve as one.")
}

func TestCreateEventDataStoreValidation(t *testing.T) {
	srv := StartServer(t)
	c := srv.Client("us-west-2")
	create(t, c, "taken")
	sel := func(fields ...types.AdvancedFieldSelector) func(*cloudtrail.CreateEventDataStoreInput) {
		return func(in *cloudtrail.CreateEventDataStoreInput) {
			in.AdvancedEventSelectors = []types.AdvancedEventSelector{{FieldSelectors: fields}}
		}
	}
	field := func(name string, equals ...string) types.AdvancedFieldSelector {
		return types.AdvancedFieldSelector{Field: aws.String(name), Equals: equals}
	}
	tags := func(n int) []types.Tag {
		out := make([]types.Tag, n)
		for i := range out {
			out[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
		}
		return out
	}
	cases := []struct {
		name  string
		store string
		mod   func(*cloudtrail.CreateEventDataStoreInput)
		check func(t *testing.T, what string, err error, want string)
		want  string
	}{
		{"name too short", "ab", nil, wantErr[*types.InvalidParameterException], "1 validation error detected: Value 'ab' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"name too long", strings.Repeat("a", 129), nil, wantErr[*types.InvalidParameterException], "1 validation error detected: Value '" + strings.Repeat("a", 129) + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"name with a space", "a b", nil, wantErr[*types.InvalidParameterException], `1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9._\-]+$`},
		{"name taken", "taken", nil, wantErr[*types.EventDataStoreAlreadyExistsException], "An event data store named taken already exists."},
		{"retention below 7", "case-r6", func(in *cloudtrail.CreateEventDataStoreInput) { in.RetentionPeriod = aws.Int32(6) }, wantErr[*types.InvalidParameterException], "1 validation error detected: Value '6' at 'retentionPeriod' failed to satisfy constraint: Member must have value greater than or equal to 7"},
		{"retention above 3653", "r3654", func(in *cloudtrail.CreateEventDataStoreInput) { in.RetentionPeriod = aws.Int32(3654) }, wantErr[*types.InvalidParameterException], "1 validation error detected: Value '3654' at 'retentionPeriod' failed to satisfy constraint: Member must have value less than or equal to 3653"},
		{"fixed pricing above 2557", "r2558", func(in *cloudtrail.CreateEventDataStoreInput) {
			in.RetentionPeriod, in.BillingMode = aws.Int32(2558), types.BillingModeFixedRetentionPricing
		}, wantErr[*types.InvalidParameterException], "The retention period 2558 is not valid for billing mode FIXED_RETENTION_PRICING: it must be between 7 and 2557 days."},
		{"unknown billing mode", "case-bm", func(in *cloudtrail.CreateEventDataStoreInput) { in.BillingMode = "MONTHLY" }, wantErr[*types.InvalidParameterException], "1 validation error detected: Value 'MONTHLY' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [EXTENDABLE_RETENTION_PRICING, FIXED_RETENTION_PRICING]"},
		{"selector without eventCategory", "case-s1", sel(field("eventName", "Foo")), wantErr[*types.InvalidEventSelectorsException], "The advanced event selectors are not valid: selector 1 does not test eventCategory, which every selector must."},
		{"unknown category", "case-s2", sel(field("eventCategory", "Everything")), wantErr[*types.InvalidEventSelectorsException], `The advanced event selectors are not valid: selector 1: "Everything" is not an event category (Management, Data, NetworkActivity, Insight, ConfigurationItem, Evidence, ActivityAuditLog).`},
		{"data without resources.type", "case-s3", sel(field("eventCategory", "Data")), wantErr[*types.InvalidEventSelectorsException], "The advanced event selectors are not valid: selector 1: selectors of Data events must test resources.type."},
		{"readOnly not a boolean", "case-s4", sel(field("eventCategory", "Management"), field("readOnly", "maybe")), wantErr[*types.InvalidEventSelectorsException], `The advanced event selectors are not valid: selector 1: readOnly must equal "true" or "false", not "maybe".`},
		{"eventCategory with StartsWith", "case-s5", sel(types.AdvancedFieldSelector{Field: aws.String("eventCategory"), StartsWith: []string{"Man"}}), wantErr[*types.InvalidEventSelectorsException], "The advanced event selectors are not valid: selector 1: the field eventCategory can only be tested with Equals, not StartsWith."},
		{"field not allowed for management", "case-s6", sel(field("eventCategory", "Management"), field("resources.ARN", "x")), wantErr[*types.InvalidEventSelectorsException], "The advanced event selectors are not valid: selector 1: the field resources.ARN cannot be used with eventCategory Management (allowed: eventCategory, eventSource, readOnly, eventName, eventType, sessionCredentialFromConsole, userIdentity.arn)."},
		{"six selectors", "case-s7", func(in *cloudtrail.CreateEventDataStoreInput) {
			for range 6 {
				in.AdvancedEventSelectors = append(in.AdvancedEventSelectors, types.AdvancedEventSelector{FieldSelectors: []types.AdvancedFieldSelector{field("eventCategory", "Management")}})
			}
		}, wantErr[*types.InvalidEventSelectorsException], "The advanced event selectors are not valid: 6 selectors given; a store has at most 5."},
		{"mixed categories", "case-s8", func(in *cloudtrail.CreateEventDataStoreInput) {
			in.AdvancedEventSelectors = []types.AdvancedEventSelector{
				{FieldSelectors: []types.AdvancedFieldSelector{field("eventCategory", "Management")}},
				{FieldSelectors: []types.AdvancedFieldSelector{field("eventCategory", "ConfigurationItem")}},
			}
		}, wantErr[*types.InvalidEventSelectorsException], "The advanced event selectors are not valid: one store cannot mix Management and ConfigurationItem events; only Management, Data and NetworkActivity selectors can share a store."},
		{"duplicate tag keys", "case-t1", func(in *cloudtrail.CreateEventDataStoreInput) {
			in.TagsList = []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("a"), Value: aws.String("2")}}
		}, wantErr[*types.InvalidTagParameterException], "The tag key 'a' appears more than once in the request."},
		{"tag key too long", "case-t2", func(in *cloudtrail.CreateEventDataStoreInput) {
			in.TagsList = []types.Tag{{Key: aws.String(strings.Repeat("k", 129))}}
		}, wantErr[*types.InvalidTagParameterException], "The tag key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…' is 129 characters long; keys are at most 128."},
		{"tag key with aws: prefix", "case-t3", func(in *cloudtrail.CreateEventDataStoreInput) {
			in.TagsList = []types.Tag{{Key: aws.String("aws:owner")}}
		}, wantErr[*types.InvalidTagParameterException], "The tag key 'aws:owner' starts with 'aws:', a prefix reserved for AWS."},
		{"51 tags", "case-t4", func(in *cloudtrail.CreateEventDataStoreInput) { in.TagsList = tags(51) }, wantErr[*types.InvalidTagParameterException], "51 tags given; a resource has at most 50."},
		{"malformed KMS key", "case-k1", func(in *cloudtrail.CreateEventDataStoreInput) { in.KmsKeyId = aws.String("not a key!") }, wantErr[*types.InvalidKmsKeyIdException], `1 validation error detected: Value 'not a key!' at 'kmsKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9._/\-:]+$`},
		{"KMS ARN of another service", "case-k2", func(in *cloudtrail.CreateEventDataStoreInput) {
			in.KmsKeyId = aws.String("arn:aws:s3:::bucket")
		}, wantErr[*types.InvalidKmsKeyIdException], "The KMS key 'arn:aws:s3:::bucket' is not valid: give a key id (UUID), a key ARN, an alias name (alias/name) or an alias ARN."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &cloudtrail.CreateEventDataStoreInput{Name: aws.String(tc.store)}
			if tc.mod != nil {
				tc.mod(in)
			}
			_, err := c.CreateEventDataStore(ctx, in)
			tc.check(t, tc.name, err, tc.want)
		})
	}
	// Nothing but "taken" was created by the refused calls.
	list, err := c.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{})
	if err != nil || len(list.EventDataStores) != 1 {
		t.Errorf("after refused creates: %d stores (%v), want 1", len(list.EventDataStores), err)
	}
}

func TestEventDataStoreQuota(t *testing.T) {
	srv := StartServer(t)
	c := srv.Client("us-east-2")
	var first string
	for i := range 10 {
		out := create(t, c, fmt.Sprintf("quota-%02d", i))
		if i == 0 {
			first = aws.ToString(out.EventDataStoreArn)
		}
	}
	_, err := c.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("eleventh")})
	wantErr[*types.EventDataStoreMaxLimitExceededException](t, "11th store", err, "Region us-east-2 already has 10 event data stores, the most allowed (stores pending deletion count until they are purged). Delete one or wait for a deleted one to be purged.")
	// A store pending deletion still counts (spec §5.5).
	if _, err := c.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: aws.String(first)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("eleventh")})
	wantErr[*types.EventDataStoreMaxLimitExceededException](t, "11th store beside one pending deletion", err, "Region us-east-2 already has 10 event data stores, the most allowed (stores pending deletion count until they are purged). Delete one or wait for a deleted one to be purged.")
	// The quota is per region.
	create(t, srv.Client("ap-southeast-2"), "eleventh")
}

func TestEventDataStoreLifecycle(t *testing.T) {
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	arn := aws.ToString(create(t, c, "life", func(in *cloudtrail.CreateEventDataStoreInput) { in.TerminationProtectionEnabled = nil }).EventDataStoreArn)
	ref := aws.String(arn)

	// Termination protection is on by default, so delete is refused.
	_, err := c.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: ref})
	wantErr[*types.EventDataStoreTerminationProtectedException](t, "delete a protected store", err, "The event data store life has termination protection enabled. Turn it off with UpdateEventDataStore (--no-termination-protection-enabled) before deleting it.")

	// Restore applies only to stores pending deletion.
	_, err = c.RestoreEventDataStore(ctx, &cloudtrail.RestoreEventDataStoreInput{EventDataStore: ref})
	wantErr[*types.InvalidEventDataStoreStatusException](t, "restore an enabled store", err, "The event data store life is ENABLED; only a store pending deletion can be restored.")

	// Ingestion: ENABLED → STOPPED_INGESTION → ENABLED, each only from its state.
	_, err = c.StartEventDataStoreIngestion(ctx, &cloudtrail.StartEventDataStoreIngestionInput{EventDataStore: ref})
	wantErr[*types.InvalidEventDataStoreStatusException](t, "start ingestion of an enabled store", err, "The event data store life is ENABLED; this operation needs it STOPPED_INGESTION.")
	if _, err := c.StopEventDataStoreIngestion(ctx, &cloudtrail.StopEventDataStoreIngestionInput{EventDataStore: ref}); err != nil {
		t.Fatal(err)
	}
	if s := get(t, c, arn).Status; s != types.EventDataStoreStatusStoppedIngestion {
		t.Errorf("after stop: %s", s)
	}
	_, err = c.StopEventDataStoreIngestion(ctx, &cloudtrail.StopEventDataStoreIngestionInput{EventDataStore: ref})
	wantErr[*types.InvalidEventDataStoreStatusException](t, "stop ingestion of a stopped store", err, "The event data store life is STOPPED_INGESTION; this operation needs it ENABLED.")
	if _, err := c.StartEventDataStoreIngestion(ctx, &cloudtrail.StartEventDataStoreIngestionInput{EventDataStore: ref}); err != nil {
		t.Fatal(err)
	}
	if s := get(t, c, arn).Status; s != types.EventDataStoreStatusEnabled {
		t.Errorf("after start: %s", s)
	}

	// Update: turn protection off, then delete.
	up, err := c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: ref, TerminationProtectionEnabled: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToBool(up.TerminationProtectionEnabled) || up.Status != types.EventDataStoreStatusEnabled {
		t.Errorf("update: protection %v status %s", aws.ToBool(up.TerminationProtectionEnabled), up.Status)
	}
	if _, err := c.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: ref}); err != nil {
		t.Fatal(err)
	}
	// Pending deletion: Get and List still show it; everything but restore is refused.
	if s := get(t, c, arn).Status; s != types.EventDataStoreStatusPendingDeletion {
		t.Errorf("after delete: %s, want PENDING_DELETION", s)
	}
	if list, err := c.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{}); err != nil {
		t.Fatalf("List during PENDING_DELETION: %v", err)
	} else if len(list.EventDataStores) != 1 {
		t.Errorf("List during PENDING_DELETION: %d stores, want 1", len(list.EventDataStores))
	}
	_, err = c.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: ref})
	wantErr[*types.InactiveEventDataStoreException](t, "delete a store pending deletion", err, "The event data store life is pending deletion; restore it with RestoreEventDataStore first.")
	_, err = c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: ref, RetentionPeriod: aws.Int32(30)})
	wantErr[*types.InactiveEventDataStoreException](t, "update a store pending deletion", err, "The event data store life is pending deletion; restore it with RestoreEventDataStore first.")
	_, err = c.StartEventDataStoreIngestion(ctx, &cloudtrail.StartEventDataStoreIngestionInput{EventDataStore: ref})
	wantErr[*types.InvalidEventDataStoreStatusException](t, "start ingestion of a store pending deletion", err, "The event data store life is PENDING_DELETION; this operation needs it STOPPED_INGESTION.")
	_, err = c.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("life")})
	wantErr[*types.EventDataStoreAlreadyExistsException](t, "reuse the name of a store pending deletion", err, "An event data store named life already exists (pending deletion; restore it or wait until it is purged).")

	r, err := c.RestoreEventDataStore(ctx, &cloudtrail.RestoreEventDataStoreInput{EventDataStore: aws.String(idOf(arn))})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != types.EventDataStoreStatusEnabled || aws.ToString(r.EventDataStoreArn) != arn {
		t.Errorf("restore: status %s arn %s", r.Status, aws.ToString(r.EventDataStoreArn))
	}

	// A store whose ingestion was stopped comes back stopped.
	if _, err := c.StopEventDataStoreIngestion(ctx, &cloudtrail.StopEventDataStoreIngestionInput{EventDataStore: ref}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: ref}); err != nil {
		t.Fatal(err)
	}
	if r, err := c.RestoreEventDataStore(ctx, &cloudtrail.RestoreEventDataStoreInput{EventDataStore: ref}); err != nil || r.Status != types.EventDataStoreStatusStoppedIngestion {
		t.Errorf("restore of a stopped store: %v %v, want STOPPED_INGESTION", r, err)
	}
}

func TestIngestionControlNeedsCloudTrailOrConfigStore(t *testing.T) {
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	arn := create(t, c, "insights", func(in *cloudtrail.CreateEventDataStoreInput) {
		in.AdvancedEventSelectors = []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Insight"}}}}}
	}).EventDataStoreArn
	_, err := c.StopEventDataStoreIngestion(ctx, &cloudtrail.StopEventDataStoreIngestionInput{EventDataStore: arn})
	wantErr[*types.InvalidEventDataStoreCategoryException](t, "stop ingestion of an Insights store", err, "The event data store insights holds Insight events; ingestion can be started and stopped only for stores of CloudTrail events or configuration items.")
	_, err = c.StartEventDataStoreIngestion(ctx, &cloudtrail.StartEventDataStoreIngestionInput{EventDataStore: arn})
	wantErr[*types.InvalidEventDataStoreCategoryException](t, "start ingestion of an Insights store", err, "The event data store insights holds Insight events; ingestion can be started and stopped only for stores of CloudTrail events or configuration items.")
	// Config stores allow it.
	cfg := create(t, c, "config", func(in *cloudtrail.CreateEventDataStoreInput) {
		in.AdvancedEventSelectors = []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"ConfigurationItem"}}}}}
	}).EventDataStoreArn
	if _, err := c.StopEventDataStoreIngestion(ctx, &cloudtrail.StopEventDataStoreIngestionInput{EventDataStore: cfg}); err != nil {
		t.Errorf("stop ingestion of a config store: %v", err)
	}
}

func TestUpdateEventDataStore(t *testing.T) {
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	arn := create(t, c, "upd", func(in *cloudtrail.CreateEventDataStoreInput) {
		in.BillingMode = types.BillingModeFixedRetentionPricing
	}).EventDataStoreArn
	create(t, c, "other")
	created := get(t, c, aws.ToString(arn))

	_, err := c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: arn})
	wantErr[*types.InvalidParameterException](t, "update with no member", err, "Nothing to update: give at least one of Name, AdvancedEventSelectors, MultiRegionEnabled, OrganizationEnabled, RetentionPeriod, TerminationProtectionEnabled, KmsKeyId or BillingMode.")
	_, err = c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: arn, Name: aws.String("other")})
	wantErr[*types.EventDataStoreAlreadyExistsException](t, "rename onto a taken name", err, "An event data store named other already exists.")
	_, err = c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: arn, Name: aws.String("x")})
	wantErr[*types.InvalidParameterException](t, "rename to a too-short name", err, "1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 3")
	_, err = c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: arn, RetentionPeriod: aws.Int32(3000)})
	wantErr[*types.InvalidParameterException](t, "3000 days with fixed pricing", err, "The retention period 3000 is not valid for billing mode FIXED_RETENTION_PRICING: it must be between 7 and 2557 days.")

	// Fixed → extendable is allowed, and then 3000 days are too.
	up, err := c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: arn,
		BillingMode: types.BillingModeExtendableRetentionPricing, RetentionPeriod: aws.Int32(3000), Name: aws.String("renamed")})
	if err != nil {
		t.Fatal(err)
	}
	if up.BillingMode != types.BillingModeExtendableRetentionPricing || aws.ToInt32(up.RetentionPeriod) != 3000 || aws.ToString(up.Name) != "renamed" {
		t.Errorf("update: %s %d %s", up.BillingMode, aws.ToInt32(up.RetentionPeriod), aws.ToString(up.Name))
	}
	if !aws.ToTime(up.UpdatedTimestamp).After(aws.ToTime(created.UpdatedTimestamp)) || !aws.ToTime(up.CreatedTimestamp).Equal(aws.ToTime(created.CreatedTimestamp)) {
		t.Errorf("timestamps: created %v→%v updated %v→%v", created.CreatedTimestamp, up.CreatedTimestamp, created.UpdatedTimestamp, up.UpdatedTimestamp)
	}
	// ... and not back.
	_, err = c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: arn, BillingMode: types.BillingModeFixedRetentionPricing})
	wantErr[*types.InvalidParameterException](t, "extendable → fixed", err, "The billing mode can change from FIXED_RETENTION_PRICING to EXTENDABLE_RETENTION_PRICING, not back.")

	// A KMS key can be set once, never changed.
	key1, key2 := "arn:aws:kms:us-east-1:"+testAccount+":key/11111111-2222-3333-4444-555555555555", "alias/other"
	if up, err := c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: arn, KmsKeyId: aws.String(key1)}); err != nil || aws.ToString(up.KmsKeyId) != key1 {
		t.Fatalf("set KMS key: %v %v", up, err)
	}
	_, err = c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: arn, KmsKeyId: aws.String(key2)})
	wantErr[*types.InvalidParameterException](t, "change the KMS key", err, "The store is encrypted with "+key1+"; a KMS key, once set, cannot be changed or removed.")

	// A store of CloudTrail events cannot become a store of other events.
	_, err = c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: arn, AdvancedEventSelectors: []types.AdvancedEventSelector{
		{FieldSelectors: []types.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"ConfigurationItem"}}}}}})
	wantErr[*types.InvalidEventSelectorsException](t, "switch to configuration items", err, "The store holds CloudTrail events; its selectors cannot switch it to ConfigurationItem events. Create another store for those.")
	// But its CloudTrail selectors can change.
	up, err = c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: arn, AdvancedEventSelectors: []types.AdvancedEventSelector{
		{Name: aws.String("writes"), FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
			{Field: aws.String("readOnly"), Equals: []string{"false"}}}}}})
	if err != nil || aws.ToString(up.AdvancedEventSelectors[0].Name) != "writes" {
		t.Errorf("change selectors: %v", err)
	}
	if up.Status != types.EventDataStoreStatusEnabled {
		t.Errorf("update changed the status to %s", up.Status)
	}
}

func TestEventDataStoreReferences(t *testing.T) {
	srv := StartServer(t)
	east, west := srv.Client("us-east-1"), srv.Client("eu-west-1")
	arn := aws.ToString(create(t, east, "refs").EventDataStoreArn)
	id := idOf(arn)
	get(t, east, arn)
	get(t, east, id)

	// Another region is another namespace: the id is unknown there, and an
	// ARN of us-east-1 names nothing in eu-west-1.
	_, err := west.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(id)})
	wantErr[*types.EventDataStoreNotFoundException](t, "id from another region", err, "The event data store "+id+" was not found in account "+testAccount+", region eu-west-1.")
	_, err = west.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(arn)})
	wantErr[*types.EventDataStoreNotFoundException](t, "ARN of another region", err,
		"The event data store "+arn+" was not found: it belongs to account "+testAccount+" in region us-east-1, and this request is for account "+testAccount+" in region eu-west-1.")
	if list, err := west.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{}); err != nil {
		t.Fatalf("ListEventDataStores in eu-west-1: %v", err)
	} else if len(list.EventDataStores) != 0 {
		t.Errorf("eu-west-1 lists %d stores, want 0", len(list.EventDataStores))
	}
	otherAccount := strings.Replace(arn, testAccount, "210987654321", 1)
	_, err = east.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(otherAccount)})
	wantErr[*types.EventDataStoreNotFoundException](t, "ARN of another account", err,
		"The event data store "+otherAccount+" was not found: it belongs to account 210987654321 in region us-east-1, and this request is for account "+testAccount+" in region us-east-1.")
	_, err = east.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String("00000000-0000-4000-8000-000000000000")})
	wantErr[*types.EventDataStoreNotFoundException](t, "unknown id", err, "The event data store 00000000-0000-4000-8000-000000000000 was not found in account 123456789012, region us-east-1.")

	for _, bad := range []string{"not-a-store", strings.ToUpper(id), "arn:aws:cloudtrail:us-east-1:" + testAccount + ":trail/x",
		"arn:aws:cloudtrail:us-east-1:" + testAccount + ":eventdatastore/not-a-uuid"} {
		_, err = east.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(bad)})
		wantErr[*types.EventDataStoreARNInvalidException](t, "reference "+bad, err, "The value '"+bad+"' is not a valid event data store ARN or id. "+
			"Give the ARN (arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>) or the id, a lower-case UUID.")
	}
	for bad, broken := range map[string]string{
		"ab":                     "Value 'ab' at 'eventDataStore' failed to satisfy constraint: Member must have length greater than or equal to 3",
		"has space":              `Value 'has space' at 'eventDataStore' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9._/\-:]+$`,
		strings.Repeat("a", 257): "Value '" + strings.Repeat("a", 200) + "…' at 'eventDataStore' failed to satisfy constraint: Member must have length less than or equal to 256",
	} {
		_, err = east.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(bad)})
		wantErr[*types.InvalidParameterException](t, "reference outside the model's constraints "+bad, err, "1 validation error detected: "+broken)
	}
	// Every store operation takes either form and answers the same errors.
	unknown := aws.String("00000000-0000-4000-8000-000000000000")
	_, err = east.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: unknown})
	wantErr[*types.EventDataStoreNotFoundException](t, "delete unknown", err, "The event data store 00000000-0000-4000-8000-000000000000 was not found in account 123456789012, region us-east-1.")
	_, err = east.RestoreEventDataStore(ctx, &cloudtrail.RestoreEventDataStoreInput{EventDataStore: unknown})
	wantErr[*types.EventDataStoreNotFoundException](t, "restore unknown", err, "The event data store 00000000-0000-4000-8000-000000000000 was not found in account 123456789012, region us-east-1.")
	_, err = east.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: unknown, RetentionPeriod: aws.Int32(30)})
	wantErr[*types.EventDataStoreNotFoundException](t, "update unknown", err, "The event data store 00000000-0000-4000-8000-000000000000 was not found in account 123456789012, region us-east-1.")
	_, err = east.StartEventDataStoreIngestion(ctx, &cloudtrail.StartEventDataStoreIngestionInput{EventDataStore: unknown})
	wantErr[*types.EventDataStoreNotFoundException](t, "start unknown", err, "The event data store 00000000-0000-4000-8000-000000000000 was not found in account 123456789012, region us-east-1.")
	_, err = east.StopEventDataStoreIngestion(ctx, &cloudtrail.StopEventDataStoreIngestionInput{EventDataStore: aws.String("bad ref!")})
	wantErr[*types.InvalidParameterException](t, "stop with a malformed reference", err, `1 validation error detected: Value 'bad ref!' at 'eventDataStore' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9._/\-:]+$`)
}

func TestListEventDataStoresPaging(t *testing.T) {
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	var want []string
	for i := range 7 {
		want = append(want, fmt.Sprintf("page-%d", i))
		create(t, c, want[i])
	}
	var got []string
	pages := 0
	p := cloudtrail.NewListEventDataStoresPaginator(c, &cloudtrail.ListEventDataStoresInput{MaxResults: aws.Int32(3)})
	var firstToken string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if pages == 1 {
			firstToken = aws.ToString(page.NextToken)
		}
		if page.NextToken != nil && len(*page.NextToken) < 4 {
			t.Errorf("token %q shorter than 4 characters", aws.ToString(page.NextToken))
		}
		for _, s := range page.EventDataStores {
			got = append(got, aws.ToString(s.Name))
			//lint:ignore SA1019 the test checks that the deprecated members stay absent
			if s.Status != "" || s.RetentionPeriod != nil {
				t.Errorf("list item carries deprecated members: %+v", s)
			}
		}
	}
	if pages != 3 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("paged %d pages %v, want 3 pages %v in creation order", pages, got, want)
	}

	const notOurs = "The NextToken is not valid: it was not issued by this server for this request. Start the listing again without NextToken."
	bad := []struct{ what, token, want string }{
		{"forged", "eyJzIjoiTGlzdEV2ZW50RGF0YVN0b3JlcyJ9.AAAAAAAAAAAAAAAAAAAAAAAA", notOurs},
		{"garbage", "abcdefgh", notOurs},
		{"too short", "abc", "1 validation error detected: Value 'abc' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 4"},
		{"altered", firstToken[:len(firstToken)-2] + "xx", notOurs},
	}
	for _, b := range bad {
		_, err := c.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{NextToken: aws.String(b.token)})
		wantErr[*types.InvalidNextTokenException](t, b.what+" token", err, b.want)
	}
	// A token of one region does not page another.
	_, err := srv.Client("eu-west-1").ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{NextToken: aws.String(firstToken)})
	wantErr[*types.InvalidNextTokenException](t, "token of another region", err, notOurs)
	for _, n := range []int32{0, -1, 1001} {
		_, err := c.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{MaxResults: aws.Int32(n)})
		wantErr[*types.InvalidMaxResultsException](t, fmt.Sprintf("MaxResults %d", n), err, fmt.Sprintf("MaxResults %d is out of range: give a value from 1 to 1000.", n))
	}
}
