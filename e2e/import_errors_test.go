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
	store := newStore(t, c, "target")
	source := func(uri, role string) *types.ImportSource {
		return &types.ImportSource{S3: &types.S3ImportSource{S3LocationUri: aws.String(uri), S3BucketRegion: aws.String("us-east-1"), S3BucketAccessRoleArn: aws.String(role)}}
	}
	good := source(src.uri, testRole)
	start := func(in *cloudtrail.StartImportInput) error { _, err := c.StartImport(ctx, in); return err }

	wantErr[*types.InvalidParameterException](t, "nothing given", start(&cloudtrail.StartImportInput{}))
	wantErr[*types.InvalidParameterException](t, "no source", start(&cloudtrail.StartImportInput{Destinations: []string{store}}))
	wantErr[*types.InvalidParameterException](t, "two destinations", start(&cloudtrail.StartImportInput{Destinations: []string{store, store}, ImportSource: good}))
	wantErr[*types.InvalidParameterException](t, "role that is no IAM role", start(&cloudtrail.StartImportInput{Destinations: []string{store}, ImportSource: source(src.uri, "arn:aws:s3:::bucket")}))
	wantErr[*types.InvalidParameterException](t, "start after end", start(&cloudtrail.StartImportInput{Destinations: []string{store}, ImportSource: good,
		StartEventTime: aws.Time(time.Date(2025, 2, 2, 0, 0, 0, 0, time.UTC)), EndEventTime: aws.Time(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))}))
	wantErr[*types.InvalidParameterException](t, "ImportId with other members", start(&cloudtrail.StartImportInput{ImportId: aws.String("00000000-0000-4000-8000-000000000000"), Destinations: []string{store}}))
	wantErr[*types.InvalidParameterException](t, "malformed ImportId", start(&cloudtrail.StartImportInput{ImportId: aws.String("not-an-import-id")}))
	wantErr[*types.ImportNotFoundException](t, "unknown ImportId", start(&cloudtrail.StartImportInput{ImportId: aws.String("00000000-0000-4000-8000-000000000000")}))
	for _, uri := range []string{"http://bucket/x", "s3://", "file://relative/path", "file:///no/such/folder/", "s3:/bucket"} {
		wantErr[*types.InvalidImportSourceException](t, "source "+uri, start(&cloudtrail.StartImportInput{Destinations: []string{store}, ImportSource: source(uri, testRole)}))
	}
	wantErr[*types.EventDataStoreARNInvalidException](t, "malformed destination", start(&cloudtrail.StartImportInput{Destinations: []string{"not-a-store"}, ImportSource: good}))
	wantErr[*types.EventDataStoreNotFoundException](t, "unknown destination", start(&cloudtrail.StartImportInput{Destinations: []string{"00000000-0000-4000-8000-000000000000"}, ImportSource: good}))

	insights := aws.ToString(create(t, c, "insights-store", func(in *cloudtrail.CreateEventDataStoreInput) {
		in.AdvancedEventSelectors = []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Insight"}}}}}
	}).EventDataStoreArn)
	wantErr[*types.InvalidEventDataStoreCategoryException](t, "Insights store", start(&cloudtrail.StartImportInput{Destinations: []string{insights}, ImportSource: good}))
	deleted := newStore(t, c, "deleted-store")
	c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: aws.String(deleted), TerminationProtectionEnabled: aws.Bool(false)})
	if _, err := c.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: aws.String(deleted)}); err != nil {
		t.Fatal(err)
	}
	wantErr[*types.InactiveEventDataStoreException](t, "store pending deletion", start(&cloudtrail.StartImportInput{Destinations: []string{deleted}, ImportSource: good}))

	// A good import, then the errors of the other operations.
	id := startImport(t, c, store, src.uri)
	done := waitImport(t, c, id)
	wantStats(t, "small import", done.ImportStatistics, 1, 1, int64(truth.Files), int64(truth.Events), 0)
	_, err := c.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantErr[*types.ImportNotFoundException](t, "GetImport unknown", err)
	_, err = c.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String(strings.ToUpper(id))})
	wantErr[*types.InvalidParameterException](t, "GetImport upper-case id", err)
	_, err = c.StopImport(ctx, &cloudtrail.StopImportInput{ImportId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantErr[*types.ImportNotFoundException](t, "StopImport unknown", err)
	_, err = c.ListImportFailures(ctx, &cloudtrail.ListImportFailuresInput{ImportId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantErr[*types.InvalidParameterException](t, "ListImportFailures unknown", err)
	_, err = c.ListImportFailures(ctx, &cloudtrail.ListImportFailuresInput{ImportId: aws.String(id), MaxResults: aws.Int32(0)})
	wantErr[*types.InvalidParameterException](t, "ListImportFailures MaxResults 0", err)
	_, err = c.ListImportFailures(ctx, &cloudtrail.ListImportFailuresInput{ImportId: aws.String(id), NextToken: aws.String("forged-token")})
	wantErr[*types.InvalidNextTokenException](t, "ListImportFailures forged token", err)
	// Imports of another region are invisible.
	_, err = srv.Client("eu-west-1").GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String(id)})
	wantErr[*types.ImportNotFoundException](t, "GetImport from another region", err)

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
	if l, _ := c.ListImports(ctx, &cloudtrail.ListImportsInput{ImportStatus: types.ImportStatusFailed}); len(l.Imports) != 0 {
		t.Errorf("ImportStatus=FAILED lists %d imports", len(l.Imports))
	}
	if l, _ := c.ListImports(ctx, &cloudtrail.ListImportsInput{Destination: aws.String(insights)}); len(l.Imports) != 0 {
		t.Errorf("Destination filter lists %d imports of another store", len(l.Imports))
	}
	_, err = c.ListImports(ctx, &cloudtrail.ListImportsInput{Destination: aws.String("not-a-store")})
	wantErr[*types.EventDataStoreARNInvalidException](t, "ListImports malformed destination", err)
	_, err = c.ListImports(ctx, &cloudtrail.ListImportsInput{ImportStatus: "DONE"})
	wantErr[*types.InvalidParameterException](t, "ListImports unknown status", err)
	_, err = c.ListImports(ctx, &cloudtrail.ListImportsInput{MaxResults: aws.Int32(1001)})
	wantErr[*types.InvalidParameterException](t, "ListImports MaxResults 1001", err)
	_, err = c.ListImports(ctx, &cloudtrail.ListImportsInput{NextToken: aws.String("forged-token")})
	wantErr[*types.InvalidNextTokenException](t, "ListImports forged token", err)
}

// TestOneImportAtATime: AWS runs one import per account; a second waits
// for the first, unless the server allows more.
func TestOneImportAtATime(t *testing.T) {
	src, _ := generate(t, "file", bigSpec(21))
	srv := StartServer(t, WithArgs("--import-workers", "1"))
	c := srv.Client("us-east-1")
	store := newStore(t, c, "busy")
	id := startImport(t, c, store, src.uri)
	_, err := c.StartImport(ctx, &cloudtrail.StartImportInput{Destinations: []string{store},
		ImportSource: &types.ImportSource{S3: &types.S3ImportSource{S3LocationUri: aws.String(src.uri), S3BucketRegion: aws.String("us-east-1"), S3BucketAccessRoleArn: aws.String(testRole)}}})
	wantErr[*types.AccountHasOngoingImportException](t, "second import while one runs", err)
	// The store cannot be changed or deleted under a running import.
	_, err = c.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: aws.String(store)})
	wantErr[*types.EventDataStoreHasOngoingImportException](t, "delete a store being imported into", err)
	_, err = c.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: aws.String(store), RetentionPeriod: aws.Int32(3000)})
	wantErr[*types.EventDataStoreHasOngoingImportException](t, "update a store being imported into", err)
	// A retry of the running import is refused the same way.
	_, err = c.StartImport(ctx, &cloudtrail.StartImportInput{ImportId: aws.String(id)})
	wantErr[*types.AccountHasOngoingImportException](t, "retry of a running import", err)
	// Another region is another slot.
	other := srv.Client("eu-west-1")
	otherStore := aws.ToString(create(t, other, "elsewhere", func(in *cloudtrail.CreateEventDataStoreInput) { in.RetentionPeriod = aws.Int32(3653) }).EventDataStoreArn)
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
