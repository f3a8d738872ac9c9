package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/ctlaketest"
	"github.com/ctlake/ctlake/trailgen"
)

// faultySource is a generated trail bucket on versitygw, reached through a
// fault-injecting proxy.
type faultySource struct {
	proxy *ctlaketest.FaultProxy
	env   []string // points the server's S3 client at the proxy
	truth trailgen.Truth
}

func newFaultySource(t *testing.T, spec trailgen.Spec) faultySource {
	t.Helper()
	vgw := ctlaketest.StartVersity(t)
	vgw.CreateBucket(t, "trail")
	truth, err := trailgen.Generate(vgw.BucketDir("trail"), spec)
	if err != nil {
		t.Fatal(err)
	}
	proxy := ctlaketest.StartFaultProxy(t, vgw.URL)
	return faultySource{proxy: proxy, env: proxy.Env(vgw), truth: truth}
}

// faultSpec is a tree of 2 × 3 × 12 = 72 files, enough for faults to meet
// files in flight.
func faultSpec(seed int64) trailgen.Spec {
	return trailgen.Spec{Regions: []string{"us-east-1", "eu-west-1"}, Days: 3, FilesPerRegionDay: 12, Seed: seed,
		Start: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)}
}

// wantExactImport waits for an import (within, as waitImport) and checks
// that it ended COMPLETED with the truth's figures, and that the store
// holds each event once. It returns the import's last state.
func wantExactImport(t *testing.T, what string, srv *Server, c *cloudtrail.Client, id, store string, truth trailgen.Truth, within ...time.Duration) *cloudtrail.GetImportOutput {
	t.Helper()
	done := waitImport(t, c, id, within...)
	if done.ImportStatus != types.ImportStatusCompleted {
		t.Errorf("%s: status %s, want COMPLETED; failures: %v", what, done.ImportStatus, failureText(allFailures(t, c, id)))
	}
	n := int64(len(truth.DayPrefixes))
	wantStats(t, what, done.ImportStatistics, n, n, int64(truth.Files), int64(truth.Events), 0)
	if rows, distinct := storedEvents(t, srv, idOf(store)); rows != int64(truth.Events) || distinct != int64(truth.Events) {
		t.Errorf("%s: stored %d events, %d distinct ids; want %d of each", what, rows, distinct, truth.Events)
	}
	return done
}

func failureText(fs []types.ImportFailureListItem) string {
	var lines []string
	for _, f := range fs {
		lines = append(lines, aws.ToString(f.Location)+" "+string(f.Status)+" "+aws.ToString(f.ErrorType)+": "+aws.ToString(f.ErrorMessage))
	}
	return strings.Join(lines, "\n")
}

// TestSourceAnswers503ForAWhile: S3 answers 503 SlowDown to everything for
// a second, less than the retry budget (10 attempts, up to 1s apart): the
// SDK's retries with jittered backoff ride it out and the import is exact.
func TestSourceAnswers503ForAWhile(t *testing.T) {
	src := newFaultySource(t, faultSpec(61))
	srv := StartServer(t, WithEnv(src.env...), WithEnv("CTLAKE_S3_MAX_ATTEMPTS=10", "CTLAKE_S3_MAX_BACKOFF=1s"))
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "503", longestRetention).EventDataStoreArn)
	// Slow enough that the fault meets listings and reads in flight.
	src.proxy.Slow(30 * time.Millisecond)
	id := startImport(t, c, store, "s3://trail")
	waitFor(t, "reads under way", func() bool { return src.proxy.Requests() > 15 })
	src.proxy.FailFor(503, time.Second)
	wantExactImport(t, "503 for 1s", srv, c, id, store, src.truth)
	// Several requests must have met the fault and been retried through
	// it (9 of 97 seen on a loaded machine under the race detector).
	if src.proxy.Faulted() < 5 {
		t.Errorf("only %d of %d requests met the fault: the test proves little", src.proxy.Faulted(), src.proxy.Requests())
	}
	t.Logf("%d requests, %d answered 503", src.proxy.Requests(), src.proxy.Faulted())
}

// TestSourceDownThenBack: S3 goes away mid-import for longer than the retry
// budget. The files (or prefixes, or the whole import) it could not read
// fail as SourceUnavailable, with a message that names the cause and the
// attempts; once it is back, a retry with the ImportId ends exact, each
// event once.
func TestSourceDownThenBack(t *testing.T) {
	src := newFaultySource(t, faultSpec(62))
	srv := StartServer(t, WithEnv(src.env...), WithArgs("--import-workers", "2"),
		WithEnv("CTLAKE_S3_MAX_ATTEMPTS=3", "CTLAKE_S3_MAX_BACKOFF=100ms", "CTLAKE_S3_ATTEMPT_TIMEOUT=2s", "CTLAKE_S3_OBJECT_TIMEOUT=10s"))
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "down", longestRetention).EventDataStoreArn)
	// Slow enough (2 workers, 100ms a request: about 4s for the 72 files)
	// that the outage starts mid-import, after the first commit (1s).
	src.proxy.Slow(100 * time.Millisecond)
	id := startImport(t, c, store, "s3://trail")
	waitFor(t, "some files imported", func() bool {
		out, err := c.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String(id)})
		return err == nil && aws.ToInt64(out.ImportStatistics.FilesCompleted) > 0
	})
	src.proxy.Down()
	failed := waitImport(t, c, id)
	if failed.ImportStatus != types.ImportStatusFailed {
		t.Fatalf("with the source down: %s, want FAILED", failed.ImportStatus)
	}
	partial := aws.ToInt64(failed.ImportStatistics.FilesCompleted)
	if partial == 0 || partial >= int64(src.truth.Files) {
		t.Errorf("%d of %d files completed before the outage; want some, not all", partial, src.truth.Files)
	}
	failures := allFailures(t, c, id)
	if len(failures) == 0 || int64(len(failures)) != aws.ToInt64(failed.ImportStatistics.FailedEntries) {
		t.Errorf("%d failure entries, FailedEntries %d", len(failures), aws.ToInt64(failed.ImportStatistics.FailedEntries))
	}
	for _, f := range failures {
		msg := aws.ToString(f.ErrorMessage)
		if aws.ToString(f.ErrorType) != ctlake.FailureSourceUnavailable || f.Status != types.ImportFailureStatusFailed ||
			!strings.Contains(msg, "attempt") && !strings.Contains(msg, "failed after") {
			t.Errorf("failure %s %s %s: %q; want SourceUnavailable FAILED, naming the attempts", aws.ToString(f.Location), f.Status, aws.ToString(f.ErrorType), msg)
		}
	}
	t.Logf("outage: %d of %d files imported, %d failure entries, e.g. %s", partial, src.truth.Files, len(failures), failureText(failures[:1]))

	src.proxy.PassThrough()
	if _, err := c.StartImport(ctx, &cloudtrail.StartImportInput{ImportId: aws.String(id)}); err != nil {
		t.Fatalf("retry: %v", err)
	}
	wantExactImport(t, "after the source came back", srv, c, id, store, src.truth)
	for _, f := range allFailures(t, c, id) {
		if f.Status != types.ImportFailureStatusSucceeded {
			t.Errorf("after the retry, failure %s is %s, want SUCCEEDED", aws.ToString(f.Location), f.Status)
		}
	}
}

// TestSourcePrefixListingFails: the listing of one region-day folder keeps
// failing. The folder becomes one SourceUnavailable failure entry (its
// files are not read, the rest is imported); the retry lists it again and
// ends COMPLETED with exact figures, the entry SUCCEEDED.
func TestSourcePrefixListingFails(t *testing.T) {
	src := newFaultySource(t, faultSpec(64))
	srv := StartServer(t, WithEnv(src.env...), WithEnv("CTLAKE_S3_MAX_ATTEMPTS=2", "CTLAKE_S3_MAX_BACKOFF=50ms"))
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "prefix-listing", longestRetention).EventDataStoreArn)
	day := src.truth.DayPrefixes[len(src.truth.DayPrefixes)-1]
	src.proxy.FailNextWhere(500, 2, func(r *http.Request) bool {
		return r.URL.Query().Get("list-type") == "2" && r.URL.Query().Get("prefix") == day
	})
	id := startImport(t, c, store, "s3://trail")
	failed := waitImport(t, c, id)
	failures := allFailures(t, c, id)
	if failed.ImportStatus != types.ImportStatusFailed || len(failures) != 1 || aws.ToString(failures[0].Location) != "s3://trail/"+day ||
		aws.ToString(failures[0].ErrorType) != ctlake.FailureSourceUnavailable {
		t.Fatalf("with the listing of %s failing: %s, failures:\n%s", day, failed.ImportStatus, failureText(failures))
	}
	n := int64(len(src.truth.DayPrefixes))
	files := int64(src.truth.Files - src.truth.FilesPerPrefix[day])
	events := int64(src.truth.Events - src.truth.EventsPerPrefix[day])
	wantStats(t, "with one prefix unlisted", failed.ImportStatistics, n, n-1, files, events, 1)
	t.Logf("the failure: %s", failureText(failures))

	if _, err := c.StartImport(ctx, &cloudtrail.StartImportInput{ImportId: aws.String(id)}); err != nil {
		t.Fatalf("retry: %v", err)
	}
	wantExactImport(t, "after the retry", srv, c, id, store, src.truth)
	for _, f := range allFailures(t, c, id) {
		if f.Status != types.ImportFailureStatusSucceeded {
			t.Errorf("after the retry, failure %s is %s (%s), want SUCCEEDED", aws.ToString(f.Location), f.Status, aws.ToString(f.ErrorMessage))
		}
	}
}

// TestSourceSlow: every S3 answer takes 100ms more. The import is exact,
// and its workers overlap the waits: it takes less than half the time of
// the same import done at full speed plus every wait one after the other.
func TestSourceSlow(t *testing.T) {
	src := newFaultySource(t, faultSpec(63))
	srv := StartServer(t, WithEnv(src.env...), WithArgs("--import-workers", "8"))
	c := srv.Client("us-east-1")
	timed := func(name string) (time.Duration, int64) {
		store := aws.ToString(create(t, c, name, longestRetention).EventDataStoreArn)
		before, began := src.proxy.Requests(), time.Now()
		wantExactImport(t, name, srv, c, startImport(t, c, store, "s3://trail"), store, src.truth)
		return time.Since(began), src.proxy.Requests() - before
	}
	fast, _ := timed("full-speed")
	const delay = 100 * time.Millisecond
	src.proxy.Slow(delay)
	slow, requests := timed("slow")
	serial := fast + time.Duration(requests)*delay
	t.Logf("full speed %v; every answer %v slower: %v for %d requests (%v if the waits did not overlap)",
		fast.Round(time.Millisecond), delay, slow.Round(time.Millisecond), requests, serial.Round(time.Millisecond))
	if slow > fast+(serial-fast)/2 {
		t.Errorf("the slow import took %v, want < %v: the waits for a slow source are not overlapped", slow, fast+(serial-fast)/2)
	}
}

// waitFor polls cond for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
