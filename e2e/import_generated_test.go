package e2e

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake/ctlaketest"
	"github.com/ctlake/ctlake/trailgen"
)

// trailSource is a generated trail bucket served one way or another.
type trailSource struct {
	name string
	// uri is the S3LocationUri of the bucket's root; location renders a key
	// as ListImportFailures must.
	uri      string
	location func(key string) string
	env      []string
}

// generate writes a trail tree for spec into a versitygw bucket or a local
// folder and returns how to reach it, with the ground truth.
func generate(t *testing.T, kind string, spec trailgen.Spec) (trailSource, trailgen.Truth) {
	t.Helper()
	switch kind {
	case "s3":
		vgw := ctlaketest.StartVersity(t)
		vgw.CreateBucket(t, "trail")
		truth, err := trailgen.Generate(vgw.BucketDir("trail"), spec)
		if err != nil {
			t.Fatal(err)
		}
		return trailSource{name: kind, uri: "s3://trail", location: func(k string) string { return "s3://trail/" + k }, env: vgw.Env()}, truth
	case "file":
		dir := t.TempDir()
		truth, err := trailgen.Generate(dir, spec)
		if err != nil {
			t.Fatal(err)
		}
		return trailSource{name: kind, uri: "file://" + dir + "/", location: func(k string) string { return "file://" + filepath.Join(dir, k) }}, truth
	}
	t.Fatalf("unknown source kind %s", kind)
	return trailSource{}, trailgen.Truth{}
}

func startImport(t *testing.T, c *cloudtrail.Client, storeARN, uri string, window ...time.Time) string {
	t.Helper()
	in := &cloudtrail.StartImportInput{
		Destinations: []string{storeARN},
		ImportSource: &types.ImportSource{S3: &types.S3ImportSource{
			S3LocationUri: aws.String(uri), S3BucketRegion: aws.String("us-east-1"), S3BucketAccessRoleArn: aws.String(testRole)}},
	}
	if len(window) == 2 {
		in.StartEventTime, in.EndEventTime = aws.Time(window[0]), aws.Time(window[1])
	}
	out, err := c.StartImport(ctx, in)
	if err != nil {
		t.Fatalf("StartImport %s: %v", uri, err)
	}
	return aws.ToString(out.ImportId)
}

func allFailures(t *testing.T, c *cloudtrail.Client, id string) []types.ImportFailureListItem {
	t.Helper()
	var out []types.ImportFailureListItem
	p := cloudtrail.NewListImportFailuresPaginator(c, &cloudtrail.ListImportFailuresInput{ImportId: aws.String(id), MaxResults: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Failures...)
	}
	return out
}

// wantFailures checks that the failures are exactly the broken files of the
// ground truth, each with its failure type.
func wantFailures(t *testing.T, src trailSource, truth trailgen.Truth, got []types.ImportFailureListItem, status types.ImportFailureStatus) {
	t.Helper()
	var want, have []string
	for _, b := range truth.Broken {
		want = append(want, src.location(b.Key)+" "+b.FailureType+" "+string(status))
	}
	for _, f := range got {
		have = append(have, aws.ToString(f.Location)+" "+aws.ToString(f.ErrorType)+" "+string(f.Status))
		if len(aws.ToString(f.ErrorMessage)) < 20 || f.LastUpdatedTime == nil {
			t.Errorf("failure %s has no useful message (%q) or time", aws.ToString(f.Location), aws.ToString(f.ErrorMessage))
		}
	}
	sort.Strings(want)
	sort.Strings(have)
	if strings.Join(want, "\n") != strings.Join(have, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
	}
}

// TestImportGeneratedLayouts imports generated trail trees in the account,
// organization and key-prefix layouts, with digest and Insights trees beside
// them and every kind of broken file among them, from versitygw and from a
// folder, and compares every figure with the generator's ground truth.
func TestImportGeneratedLayouts(t *testing.T) {
	var broken []string
	for k := range trailgen.BrokenKinds {
		broken = append(broken, k)
	}
	sort.Strings(broken)
	layouts := []trailgen.Spec{
		{Layout: trailgen.LayoutAccount},
		{Layout: trailgen.LayoutOrganization},
		{Layout: trailgen.LayoutAccount, KeyPrefix: "org/trails/main"},
	}
	for _, kind := range []string{"s3", "file"} {
		for i, spec := range layouts {
			name := fmt.Sprintf("%s/%s/prefix=%q", kind, spec.Layout, spec.KeyPrefix)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				spec.Accounts, spec.Regions, spec.Days, spec.FilesPerRegionDay = 2, []string{"us-east-1", "eu-west-1"}, 3, 3
				spec.Start, spec.Seed = time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC), int64(100+i)
				spec.Digest, spec.Insights, spec.LateEvents, spec.Broken = true, true, true, broken
				src, truth := generate(t, kind, spec)
				srv := StartServer(t, WithEnv(src.env...))
				c := srv.Client("us-east-1")
				store := aws.ToString(create(t, c, "generated", longestRetention).EventDataStoreArn)
				id := startImport(t, c, store, src.uri)
				done := waitImport(t, c, id)
				// Broken files fail the import; every good file is imported.
				if done.ImportStatus != types.ImportStatusFailed {
					t.Errorf("status %s, want FAILED (the tree holds broken files)", done.ImportStatus)
				}
				n := int64(len(truth.DayPrefixes))
				wantStats(t, name, done.ImportStatistics, n, n, int64(truth.Files), int64(truth.Events), int64(len(truth.Broken)))
				wantFailures(t, src, truth, allFailures(t, c, id), types.ImportFailureStatusFailed)
				if rows, distinct := storedEvents(t, srv, idOf(store)); rows != int64(truth.Events) || distinct != int64(truth.EventIDs) {
					t.Errorf("stored %d events, %d distinct ids; want %d and %d", rows, distinct, truth.Events, truth.EventIDs)
				}
			})
		}
	}
}
