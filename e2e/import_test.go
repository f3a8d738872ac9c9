package e2e

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake/ctlaketest"
	_ "github.com/duckdb/duckdb-go/v2"
)

const testRole = "arn:aws:iam::" + testAccount + ":role/ctlake-import"

// invictusDir is the shared real dataset (shared/ sits beside the repo).
func invictusDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "shared", "testdata", "invictus-aws"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "AWSLogs")); err != nil {
		if os.Getenv("CTLAKE_E2E") == "1" {
			t.Fatalf("the shared dataset is missing at %s (CTLAKE_E2E=1 forbids skipping)", dir)
		}
		t.Skipf("the shared dataset is not at %s", dir)
	}
	return dir
}

func wantStats(t *testing.T, what string, got *types.ImportStatistics, prefixesFound, prefixesDone, files, events, failed int64) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: no ImportStatistics", what)
	}
	if aws.ToInt64(got.PrefixesFound) != prefixesFound || aws.ToInt64(got.PrefixesCompleted) != prefixesDone ||
		aws.ToInt64(got.FilesCompleted) != files || aws.ToInt64(got.EventsCompleted) != events || aws.ToInt64(got.FailedEntries) != failed {
		t.Errorf("%s: statistics found %d completed %d files %d events %d failed %d; want %d %d %d %d %d", what,
			aws.ToInt64(got.PrefixesFound), aws.ToInt64(got.PrefixesCompleted), aws.ToInt64(got.FilesCompleted),
			aws.ToInt64(got.EventsCompleted), aws.ToInt64(got.FailedEntries), prefixesFound, prefixesDone, files, events, failed)
	}
}

// storedEvents opens the store's segment files with DuckDB and returns the
// number of rows and of distinct event ids.
func storedEvents(t *testing.T, srv *Server, storeID string) (rows, distinct int64) {
	t.Helper()
	pattern := filepath.Join(srv.DataDir, "segments", storeID, "*", "*.parquet")
	if m, err := filepath.Glob(pattern); err != nil {
		t.Fatal(err)
	} else if len(m) == 0 {
		return 0, 0
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.QueryRow(`SELECT count(*), count(DISTINCT eventid) FROM read_parquet(?)`, pattern).Scan(&rows, &distinct)
	if err != nil {
		t.Fatalf("read segments: %v", err)
	}
	return rows, distinct
}

// TestImportInvictusFromFolder imports the shared real dataset from a local
// folder (file://) and checks the figures of its README.
func TestImportInvictusFromFolder(t *testing.T) {
	dir := invictusDir(t)
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	// The events are from 2023: the store's retention must reach back to them.
	store := create(t, c, "invictus", func(in *cloudtrail.CreateEventDataStoreInput) {
		in.RetentionPeriod, in.StartIngestion = aws.Int32(3653), aws.Bool(false)
	})
	start, err := c.StartImport(ctx, &cloudtrail.StartImportInput{
		Destinations: []string{aws.ToString(store.EventDataStoreArn)},
		ImportSource: &types.ImportSource{S3: &types.S3ImportSource{
			S3LocationUri: aws.String("file://" + dir + "/"), S3BucketRegion: aws.String("us-east-1"), S3BucketAccessRoleArn: aws.String(testRole)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if start.ImportStatus != types.ImportStatusInitializing || !isLowerUUID(aws.ToString(start.ImportId)) {
		t.Errorf("StartImport answered %s %s", start.ImportStatus, aws.ToString(start.ImportId))
	}
	done := waitImport(t, c, aws.ToString(start.ImportId))
	if done.ImportStatus != types.ImportStatusCompleted {
		t.Errorf("import ended %s", done.ImportStatus)
	}
	// README: 55 files, 2,900 events, one region-day folder.
	wantStats(t, "invictus", done.ImportStatistics, 1, 1, 55, 2900, 0)
	rows, distinct := storedEvents(t, srv, idOf(aws.ToString(store.EventDataStoreArn)))
	if rows != 2900 || distinct != 2900 {
		t.Errorf("the store holds %d events (%d distinct ids), want 2900", rows, distinct)
	}
	failures, err := c.ListImportFailures(ctx, &cloudtrail.ListImportFailuresInput{ImportId: start.ImportId})
	if err != nil || len(failures.Failures) != 0 {
		t.Errorf("failures: %v %v", failures, err)
	}
}

// copyTree copies the files under src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestImportInvictusFromS3 serves the real dataset from versitygw and
// imports it with the AWS CLI's own call shape through the Go SDK.
func TestImportInvictusFromS3(t *testing.T) {
	dir := invictusDir(t)
	vgw := ctlaketest.StartVersity(t)
	vgw.CreateBucket(t, "trail-bucket")
	copyTree(t, filepath.Join(dir, "AWSLogs"), filepath.Join(vgw.BucketDir("trail-bucket"), "AWSLogs"))
	srv := StartServer(t, WithEnv(vgw.Env()...))
	c := srv.Client("us-east-1")
	store := create(t, c, "invictus-s3", longestRetention)
	start, err := c.StartImport(ctx, &cloudtrail.StartImportInput{
		Destinations: []string{aws.ToString(store.EventDataStoreArn)},
		ImportSource: &types.ImportSource{S3: &types.S3ImportSource{
			S3LocationUri: aws.String("s3://trail-bucket"), S3BucketRegion: aws.String("us-east-1"), S3BucketAccessRoleArn: aws.String(testRole)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	done := waitImport(t, c, aws.ToString(start.ImportId))
	if done.ImportStatus != types.ImportStatusCompleted {
		t.Errorf("import ended %s", done.ImportStatus)
	}
	wantStats(t, "invictus over S3", done.ImportStatistics, 1, 1, 55, 2900, 0)
	if rows, distinct := storedEvents(t, srv, idOf(aws.ToString(store.EventDataStoreArn))); rows != 2900 || distinct != 2900 {
		t.Errorf("the store holds %d events (%d distinct ids), want 2900", rows, distinct)
	}
	// A missing bucket is refused up front.
	_, err = c.StartImport(ctx, &cloudtrail.StartImportInput{
		Destinations: []string{aws.ToString(store.EventDataStoreArn)},
		ImportSource: &types.ImportSource{S3: &types.S3ImportSource{
			S3LocationUri: aws.String("s3://no-such-bucket/AWSLogs/"), S3BucketRegion: aws.String("us-east-1"), S3BucketAccessRoleArn: aws.String(testRole)}},
	})
	wantErr[*types.InvalidImportSourceException](t, "import from a missing bucket", err, "The import source s3://no-such-bucket/AWSLogs/ cannot be read: NoSuchBucket: bucket no-such-bucket does not exist…")
}
