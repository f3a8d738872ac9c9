package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TestImportDedupeEventIDs imports a bucket that holds every log file twice
// (the trail tree and a copy of it under another key prefix). By default
// every event is stored twice, as on AWS; with --import-dedupe-event-ids each
// event is stored once, even across a SIGKILL in the middle.
func TestImportDedupeEventIDs(t *testing.T) {
	spec := bigSpec(31)
	spec.Regions, spec.Days, spec.FilesPerRegionDay = spec.Regions[:2], 3, 15
	src, truth := generate(t, "file", spec)
	dir := strings.TrimPrefix(strings.TrimSuffix(src.uri, "/"), "file://")
	copyTree(t, filepath.Join(dir, "AWSLogs"), filepath.Join(dir, "copy", "AWSLogs"))
	prefixes, files := int64(2*len(truth.DayPrefixes)), int64(2*truth.Files)

	t.Run("default keeps duplicates", func(t *testing.T) {
		srv := StartServer(t)
		c := srv.Client("us-east-1")
		store := aws.ToString(create(t, c, "dups", longestRetention).EventDataStoreArn)
		done := waitImport(t, c, startImport(t, c, store, src.uri))
		wantStats(t, "without de-duplication", done.ImportStatistics, prefixes, prefixes, files, int64(2*truth.Events), 0)
		if rows, distinct := storedEvents(t, srv, idOf(store)); rows != int64(2*truth.Events) || distinct != int64(truth.Events) {
			t.Errorf("stored %d events, %d distinct; want %d and %d", rows, distinct, 2*truth.Events, truth.Events)
		}
	})
	t.Run("dedupe across a crash", func(t *testing.T) {
		srv := StartServer(t, WithArgs("--import-dedupe-event-ids", "--import-workers", "2"))
		c := srv.Client("us-east-1")
		store := aws.ToString(create(t, c, "unique", longestRetention).EventDataStoreArn)
		id := startImport(t, c, store, src.uri)
		deadline := time.Now().Add(time.Minute)
		for {
			out, err := c.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToInt64(out.ImportStatistics.FilesCompleted) > files/3 || out.ImportStatus != types.ImportStatusInProgress || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		srv.Kill()
		srv.Start()
		c = srv.Client("us-east-1")
		done := waitImport(t, c, id)
		wantStats(t, "with de-duplication", done.ImportStatistics, prefixes, prefixes, files, int64(truth.Events), 0)
		if rows, distinct := storedEvents(t, srv, idOf(store)); rows != int64(truth.Events) || distinct != int64(truth.Events) {
			t.Errorf("stored %d events, %d distinct; want %d of each", rows, distinct, truth.Events)
		}
	})
}
