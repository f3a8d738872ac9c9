package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake/trailgen"
)

// bigSpec is a tree large enough that an import takes a while.
func bigSpec(seed int64) trailgen.Spec {
	return trailgen.Spec{Accounts: 2, Regions: []string{"us-east-1", "eu-west-1", "ap-northeast-1"}, Days: 6, FilesPerRegionDay: 25,
		MinEventsPerFile: 20, MaxEventsPerFile: 120, Seed: seed, Start: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
}

// TestImportTimeWindow imports only the events of the window: prefixes of
// days outside it are not even found, and records outside it are dropped.
func TestImportTimeWindow(t *testing.T) {
	spec := trailgen.Spec{Regions: []string{"us-east-1", "sa-east-1"}, Days: 5, FilesPerRegionDay: 6, Seed: 7,
		Start: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), LateEvents: true}
	src, truth := generate(t, "file", spec)
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	start, end := time.Date(2025, 1, 11, 13, 7, 0, 0, time.UTC), time.Date(2025, 1, 13, 2, 30, 0, 0, time.UTC)
	id := startImport(t, c, aws.ToString(create(t, c, "window", longestRetention).EventDataStoreArn), src.uri, start, end)
	done := waitImport(t, c, id)
	if done.ImportStatus != types.ImportStatusCompleted {
		t.Fatalf("status %s", done.ImportStatus)
	}
	if got, want := aws.ToInt64(done.ImportStatistics.EventsCompleted), int64(truth.EventsBetween(start, end)); got != want {
		t.Errorf("EventsCompleted %d, want %d (the events with %s ≤ eventTime ≤ %s)", got, want, start, end)
	}
	// Day folders 11, 12 and 13 can hold events of the window, in 2 regions.
	if got := aws.ToInt64(done.ImportStatistics.PrefixesFound); got != 6 {
		t.Errorf("PrefixesFound %d, want 6", got)
	}
	if !aws.ToTime(done.StartEventTime).Equal(start) || !aws.ToTime(done.EndEventTime).Equal(end) {
		t.Errorf("window echoed as %v..%v", done.StartEventTime, done.EndEventTime)
	}
}

// TestImportRetention drops events older than the store's retention.
func TestImportRetention(t *testing.T) {
	day := time.Now().UTC().Truncate(24 * time.Hour)
	spec := trailgen.Spec{Days: 4, FilesPerRegionDay: 8, Seed: 8, Start: day.AddDate(0, 0, -9)}
	src, truth := generate(t, "file", spec)
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	store := create(t, c, "seven-days", func(in *cloudtrail.CreateEventDataStoreInput) { in.RetentionPeriod = aws.Int32(7) })
	before := time.Now()
	id := startImport(t, c, aws.ToString(store.EventDataStoreArn), src.uri)
	done := waitImport(t, c, id)
	after := time.Now()
	// The cut moves with the clock while the import runs: the count lies
	// between the events newer than the cut at the end and at the start.
	lo, hi := truth.EventsBetween(after.AddDate(0, 0, -7), day.AddDate(1, 0, 0)), truth.EventsBetween(before.AddDate(0, 0, -7), day.AddDate(1, 0, 0))
	got := int(aws.ToInt64(done.ImportStatistics.EventsCompleted))
	if got < lo || got > hi || hi == truth.Events || lo == 0 {
		t.Errorf("EventsCompleted %d, want %d..%d of %d (those inside the 7-day retention)", got, lo, hi, truth.Events)
	}
}

// TestImportStopAndRetry stops an import part-way, retries it, and ends
// with every event exactly once.
func TestImportStopAndRetry(t *testing.T) {
	src, truth := generate(t, "s3", bigSpec(11))
	srv := StartServer(t, WithEnv(src.env...), WithArgs("--import-workers", "2"))
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "stop-retry", longestRetention).EventDataStoreArn)
	id := startImport(t, c, store, src.uri)
	stopped, err := c.StopImport(ctx, &cloudtrail.StopImportInput{ImportId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if stopped.ImportStatus != types.ImportStatusStopped {
		t.Fatalf("StopImport answered %s", stopped.ImportStatus)
	}
	partial := aws.ToInt64(stopped.ImportStatistics.EventsCompleted)
	if partial >= int64(truth.Events) {
		t.Fatalf("the import finished (%d events) before it could be stopped; the test needs more data", partial)
	}
	// Stopped stays stopped; its figures do not move any more.
	again := waitImport(t, c, id)
	if again.ImportStatus != types.ImportStatusStopped || aws.ToInt64(again.ImportStatistics.EventsCompleted) != partial {
		t.Errorf("after stop: %s, %d events (stop said %d)", again.ImportStatus, aws.ToInt64(again.ImportStatistics.EventsCompleted), partial)
	}
	if rows, _ := storedEvents(t, srv, idOf(store)); rows != partial {
		t.Errorf("the store holds %d events, the statistics say %d", rows, partial)
	}
	// Stopping a stopped import changes nothing.
	if s2, err := c.StopImport(ctx, &cloudtrail.StopImportInput{ImportId: aws.String(id)}); err != nil || s2.ImportStatus != types.ImportStatusStopped {
		t.Errorf("second stop: %v %v", s2, err)
	}

	// The retry takes the ImportId alone and resumes.
	retry, err := c.StartImport(ctx, &cloudtrail.StartImportInput{ImportId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(retry.ImportId) != id || retry.ImportStatus != types.ImportStatusInitializing {
		t.Errorf("retry answered %s %s", aws.ToString(retry.ImportId), retry.ImportStatus)
	}
	wantExactImport(t, "after stop and retry", srv, c, id, store, truth)
	// A completed import is not retried, nor stopped.
	_, err = c.StartImport(ctx, &cloudtrail.StartImportInput{ImportId: aws.String(id)})
	wantErr[*types.OperationNotPermittedException](t, "retry of a completed import", err, "The import "+id+" completed without failures; there is nothing to retry.")
	_, err = c.StopImport(ctx, &cloudtrail.StopImportInput{ImportId: aws.String(id)})
	wantErr[*types.OperationNotPermittedException](t, "stop of a completed import", err, "The import "+id+" already ended (COMPLETED); only a running import can be stopped.")
}

// TestImportSurvivesSIGKILL kills the server in the middle of an import,
// restarts it on the same data folder, and finds the import finishing on
// its own with every event exactly once and no stray segment file.
func TestImportSurvivesSIGKILL(t *testing.T) {
	src, truth := generate(t, "file", bigSpec(12))
	srv := StartServer(t, WithArgs("--import-workers", "2"))
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "crash", longestRetention).EventDataStoreArn)
	id := startImport(t, c, store, src.uri)
	for kills := 0; kills < 3; kills++ {
		// Wait for some progress, then crash.
		deadline := time.Now().Add(time.Minute)
		for {
			out, err := c.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			if out.ImportStatus == types.ImportStatusCompleted {
				t.Logf("the import completed after %d kills", kills)
				break
			}
			if aws.ToInt64(out.ImportStatistics.FilesCompleted) > int64((kills+1)*truth.Files/5) || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		srv.Kill()
		srv.Start()
		c = srv.Client("us-east-1")
	}
	wantExactImport(t, "after SIGKILLs", srv, c, id, store, truth)
	// No temporary files left behind by the killed writers either.
	err := filepath.WalkDir(filepath.Join(srv.DataDir, "segments"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".parquet") {
			t.Errorf("stray file in the segment store: %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatalf("walking the segment store: %v", err)
	}
}
