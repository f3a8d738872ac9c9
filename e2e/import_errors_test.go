package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake/trailgen"
)

// TestStartImportErrors covers every condition of spec §3.1's table that a
// request can trigger, and the errors of Get/List/Stop/ListImportFailures.
func TestStartImportErrors(t *testing.T) {
	src, truth := generate(t, "file", trailgen.Spec{Days: 1, FilesPerRegionDay: 2, Seed: 3, Start: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)})
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "target", longestRetention).EventDataStoreArn)
	source := func(uri, role string) *types.ImportSource {
		return &types.ImportSource{S3: &types.S3ImportSource{S3LocationUri: aws.String(uri), S3BucketRegion: aws.String("us-east-1"), S3BucketAccessRoleArn: aws.String(role)}}
	}
	good := source(src.uri, testRole)
	start := func(in *cloudtrail.StartImportInput) error { _, err := c.StartImport(ctx, in); return err }

	wantErr[*types.InvalidParameterException](t, "nothing given", start(&cloudtrail.StartImportInput{}), "Give either ImportId (to retry an import) or both Destinations and ImportSource (to start one).")
	wantErr[*types.InvalidParameterException](t, "no source", start(&cloudtrail.StartImportInput{Destinations: []string{store}}), "Give either ImportId (to retry an import) or both Destinations and ImportSource (to start one).")
	wantErr[*types.InvalidParameterException](t, "two destinations", start(&cloudtrail.StartImportInput{Destinations: []string{store, store}, ImportSource: good}), "Destinations has 2 items; an import has exactly one destination.")
	wantErr[*types.InvalidParameterException](t, "role that is no IAM role", start(&cloudtrail.StartImportInput{Destinations: []string{store}, ImportSource: source(src.uri, "arn:aws:s3:::bucket")}), "S3BucketAccessRoleArn 'arn:aws:s3:::bucket' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).")
	wantErr[*types.InvalidParameterException](t, "start after end", start(&cloudtrail.StartImportInput{Destinations: []string{store}, ImportSource: good,
		StartEventTime: aws.Time(time.Date(2025, 2, 2, 0, 0, 0, 0, time.UTC)), EndEventTime: aws.Time(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))}), "StartEventTime 2025-02-02T00:00:00Z is after EndEventTime 2025-02-01T00:00:00Z.")
	wantErr[*types.InvalidParameterException](t, "ImportId with other members", start(&cloudtrail.StartImportInput{ImportId: aws.String("00000000-0000-4000-8000-000000000000"), Destinations: []string{store}}), "A retry takes ImportId alone; to import with other settings, start a new import without ImportId.")
	wantErr[*types.InvalidParameterException](t, "malformed ImportId", start(&cloudtrail.StartImportInput{ImportId: aws.String("not-an-import-id")}), "1 validation error detected: Value 'not-an-import-id' at 'importId' failed to satisfy constraint: Member must have length greater than or equal to 36")
	wantErr[*types.ImportNotFoundException](t, "unknown ImportId", start(&cloudtrail.StartImportInput{ImportId: aws.String("00000000-0000-4000-8000-000000000000")}), "No import with id 00000000-0000-4000-8000-000000000000 exists in account 123456789012, region us-east-1.")
	const give = " Give s3://bucket[/prefix] or file:///absolute/folder/."
	for uri, want := range map[string]string{
		"http://bucket/x":         "S3LocationUri 'http://bucket/x' is not usable: the scheme must be s3 (or file)." + give,
		"s3://":                   "S3LocationUri 's3://' is not usable: it names no bucket." + give,
		"file://relative/path":    "S3LocationUri 'file://relative/path' is not usable: a file URI names no host (file:///path)." + give,
		"file:///no/such/folder/": "The import source file:///no/such/folder/ cannot be read: /no/such/folder is outside the folders this server may import from (…",
		"s3:/bucket":              "S3LocationUri 's3:/bucket' is not usable: it names no bucket." + give,
	} {
		wantErr[*types.InvalidImportSourceException](t, "source "+uri, start(&cloudtrail.StartImportInput{Destinations: []string{store}, ImportSource: source(uri, testRole)}), want)
	}
	wantErr[*types.EventDataStoreARNInvalidException](t, "malformed destination", start(&cloudtrail.StartImportInput{Destinations: []string{"not-a-store"}, ImportSource: good}), "The value 'not-a-store' is not a valid event data store ARN or id. Give the ARN (arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>) or the id, a lower-case UUID.")
	wantErr[*types.EventDataStoreNotFoundException](t, "unknown destination", start(&cloudtrail.StartImportInput{Destinations: []string{"00000000-0000-4000-8000-000000000000"}, ImportSource: good}), "The event data store 00000000-0000-4000-8000-000000000000 was not found in account 123456789012, region us-east-1.")

	insights := aws.ToString(create(t, c, "insights-store", func(in *cloudtrail.CreateEventDataStoreInput) {
		in.AdvancedEventSelectors = []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Insight"}}}}}
	}).EventDataStoreArn)
	wantErr[*types.InvalidEventDataStoreCategoryException](t, "Insights store", start(&cloudtrail.StartImportInput{Destinations: []string{insights}, ImportSource: good}), "The event data store insights-store holds Insight events; trail events can be imported only into a store of CloudTrail events.")
	deleted := aws.ToString(create(t, c, "deleted-store", longestRetention).EventDataStoreArn)
	if _, err := c.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: aws.String(deleted)}); err != nil {
		t.Fatal(err)
	}
	wantErr[*types.InactiveEventDataStoreException](t, "store pending deletion", start(&cloudtrail.StartImportInput{Destinations: []string{deleted}, ImportSource: good}), "The event data store deleted-store is pending deletion; restore it with RestoreEventDataStore first.")

	// A good import, then the errors of the other operations.
	id := startImport(t, c, store, src.uri)
	done := waitImport(t, c, id)
	wantStats(t, "small import", done.ImportStatistics, 1, 1, int64(truth.Files), int64(truth.Events), 0)
	_, err := c.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantErr[*types.ImportNotFoundException](t, "GetImport unknown", err, "No import with id 00000000-0000-4000-8000-000000000000 exists in account 123456789012, region us-east-1.")
	_, err = c.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String(strings.ToUpper(id))})
	wantErr[*types.InvalidParameterException](t, "GetImport upper-case id", err,
		"1 validation error detected: Value '"+strings.ToUpper(id)+"' at 'importId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-f0-9\\-]+$")
	_, err = c.StopImport(ctx, &cloudtrail.StopImportInput{ImportId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantErr[*types.ImportNotFoundException](t, "StopImport unknown", err, "No import with id 00000000-0000-4000-8000-000000000000 exists in account 123456789012, region us-east-1.")
	_, err = c.ListImportFailures(ctx, &cloudtrail.ListImportFailuresInput{ImportId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantErr[*types.InvalidParameterException](t, "ListImportFailures unknown", err, "No import with id 00000000-0000-4000-8000-000000000000 exists in account 123456789012, region us-east-1.")
	_, err = c.ListImportFailures(ctx, &cloudtrail.ListImportFailuresInput{ImportId: aws.String(id), MaxResults: aws.Int32(0)})
	wantErr[*types.InvalidParameterException](t, "ListImportFailures MaxResults 0", err, "MaxResults 0 is out of range: give a value from 1 to 1000.")
	_, err = c.ListImportFailures(ctx, &cloudtrail.ListImportFailuresInput{ImportId: aws.String(id), NextToken: aws.String("forged-token")})
	wantErr[*types.InvalidNextTokenException](t, "ListImportFailures forged token", err, "The NextToken is not valid: it was not issued by this server for this request. Start the listing again without NextToken.")
	// Imports of another region are invisible.
	_, err = srv.Client("eu-west-1").GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String(id)})
	wantErr[*types.ImportNotFoundException](t, "GetImport from another region", err, "No import with id "+id+" exists in account "+testAccount+", region eu-west-1.")

	// ListImports: filters, paging, errors.
	id2 := startImport(t, c, store, src.uri)
	waitImport(t, c, id2)
	list, err := c.ListImports(ctx, &cloudtrail.ListImportsInput{})
	if err != nil || len(list.Imports) != 2 || aws.ToString(list.Imports[0].ImportId) != id2 {
		t.Errorf("ListImports: %+v %v, want 2 imports, newest first", list, err)
	}
	var ids []string
	p := cloudtrail.NewListImportsPaginator(c, &cloudtrail.ListImportsInput{MaxResults: aws.Int32(1), Destination: aws.String(store), ImportStatus: types.ImportStatusCompleted})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range page.Imports {
			ids = append(ids, aws.ToString(im.ImportId))
			if len(im.Destinations) != 1 || im.Destinations[0] != store {
				t.Errorf("list item destinations %v", im.Destinations)
			}
		}
	}
	if len(ids) != 2 {
		t.Errorf("paged ListImports found %v", ids)
	}
	if l, err := c.ListImports(ctx, &cloudtrail.ListImportsInput{ImportStatus: types.ImportStatusFailed}); err != nil {
		t.Fatalf("ListImports ImportStatus=FAILED: %v", err)
	} else if len(l.Imports) != 0 {
		t.Errorf("ImportStatus=FAILED lists %d imports", len(l.Imports))
	}
	if l, err := c.ListImports(ctx, &cloudtrail.ListImportsInput{Destination: aws.String(insights)}); err != nil {
		t.Fatalf("ListImports of another store: %v", err)
	} else if len(l.Imports) != 0 {
		t.Errorf("Destination filter lists %d imports of another store", len(l.Imports))
	}
	_, err = c.ListImports(ctx, &cloudtrail.ListImportsInput{Destination: aws.String("not-a-store")})
	wantErr[*types.EventDataStoreARNInvalidException](t, "ListImports malformed destination", err, "The value 'not-a-store' is not a valid event data store ARN or id. Give the ARN (arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>) or the id, a lower-case UUID.")
	_, err = c.ListImports(ctx, &cloudtrail.ListImportsInput{ImportStatus: "DONE"})
	wantErr[*types.InvalidParameterException](t, "ListImports unknown status", err, "1 validation error detected: Value 'DONE' at 'importStatus' failed to satisfy constraint: Member must satisfy enum value set: [INITIALIZING, IN_PROGRESS, FAILED, STOPPED, COMPLETED]")
	_, err = c.ListImports(ctx, &cloudtrail.ListImportsInput{MaxResults: aws.Int32(1001)})
	wantErr[*types.InvalidParameterException](t, "ListImports MaxResults 1001", err, "MaxResults 1001 is out of range: give a value from 1 to 1000.")
	_, err = c.ListImports(ctx, &cloudtrail.ListImportsInput{NextToken: aws.String("forged-token")})
	wantErr[*types.InvalidNextTokenException](t, "ListImports forged token", err, "The NextToken is not valid: it was not issued by this server for this request. Start the listing again without NextToken.")
}

// TestOneImportAtATime: AWS runs one import per account; a second waits
// for the first, unless the server allows more.
func TestOneImportAtATime(t *testing.T) {
	src, _ := generate(t, "file", bigSpec(21))
	srv := StartServer(t, WithArgs("--import-workers", "1"))
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "busy", longestRetention).EventDataStoreArn)
	id := startImport(t, c, store, src.uri)
	_, err := c.StartImport(ctx, &cloudtrail.StartImportInput{Destinations: []string{store},
		ImportSource: &types.ImportSource{S3: &types.S3ImportSource{S3LocationUri: aws.String(src.uri), S3BucketRegion: aws.String("us-east-1"), S3BucketAccessRoleArn: aws.String(testRole)}}})
	wantErr[*types.AccountHasOngoingImportException](t, "second import while one runs", err,
		"Account "+testAccount+" already has 1 import(s) running in us-east-1 ("+id+"); wait for it to end, stop it, or start the server with a higher --max-concurrent-imports.")
	// The store cannot be changed or deleted under a running import.
	_, err = c.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: aws.String(store)})
	wantErr[*types.EventDataStoreHasOngoingImportException](t, "delete a store being imported into", err, "An import into the event data store busy is running; wait for it to end or stop it with StopImport first.")
	_, err = c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: aws.String(store), RetentionPeriod: aws.Int32(3000)})
	wantErr[*types.EventDataStoreHasOngoingImportException](t, "update a store being imported into", err, "An import into the event data store busy is running; wait for it to end or stop it with StopImport first.")
	// A retry of the running import is refused the same way.
	_, err = c.StartImport(ctx, &cloudtrail.StartImportInput{ImportId: aws.String(id)})
	wantErr[*types.AccountHasOngoingImportException](t, "retry of a running import", err, "The import "+id+" is still IN_PROGRESS; wait for it to end or stop it before retrying.")
	// Another region is another slot.
	other := srv.Client("eu-west-1")
	otherStore := aws.ToString(create(t, other, "elsewhere", longestRetention).EventDataStoreArn)
	otherID := startImport(t, other, otherStore, src.uri)
	// Both stop; a stop answers once the run has let go.
	for _, stop := range []struct {
		c  *cloudtrail.Client
		id string
	}{{c, id}, {other, otherID}} {
		out, err := stop.c.StopImport(ctx, &cloudtrail.StopImportInput{ImportId: aws.String(stop.id)})
		if err != nil || out.ImportStatus != types.ImportStatusStopped {
			t.Errorf("stop %s: %v %v", stop.id, out, err)
		}
	}
}
