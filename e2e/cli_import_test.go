package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/ctlake/ctlake/ctlaketest"
	"github.com/ctlake/ctlake/trailgen"
)

// The import cycle through the AWS CLI. Every figure asserted comes from
// trailgen's ground truth or from the spec (shared/spec/cloudtrail-api.md),
// whose sections are named next to the checks.

// clientTreeSpec is a small trail tree with every kind of broken file
// planted twice among its log files, and digest and Insights trees beside
// it (which an import must not read, spec §4.4). There are no late events,
// so that a time window cut at midnight splits the tree exactly (see
// clientWindowWant).
func clientTreeSpec(seed int64) trailgen.Spec {
	var broken []string
	for k := range trailgen.BrokenKinds {
		broken = append(broken, k, k)
	}
	sort.Strings(broken)
	return trailgen.Spec{Accounts: 2, Regions: []string{"us-east-1", "eu-west-1"}, Days: 3, FilesPerRegionDay: 3,
		Start: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), Seed: seed, Digest: true, Insights: true, Broken: broken}
}

// clientBulkSpec is a tree without broken files, large enough that one import
// worker is busy with it for a good while.
func clientBulkSpec(seed int64) trailgen.Spec {
	return trailgen.Spec{Accounts: 1, Regions: []string{"us-east-1", "eu-west-1"}, Days: 4, FilesPerRegionDay: 300,
		MinEventsPerFile: 20, MaxEventsPerFile: 60, Start: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), Seed: seed}
}

// clientWant is what an import must report, from the ground truth.
type clientWant struct {
	prefixes, files, events int
	broken                  []trailgen.BrokenFile
}

func (w clientWant) status() string {
	if len(w.broken) > 0 {
		return "FAILED" // §4.1: COMPLETED only without failures
	}
	return "COMPLETED"
}

var clientTrailDayPattern = regexp.MustCompile(`/CloudTrail/[^/]+/(\d{4}/\d{2}/\d{2})/`)

// clientTrailDay returns the date of the region-day folder a key lies in.
func clientTrailDay(t *testing.T, key string) time.Time {
	t.Helper()
	m := clientTrailDayPattern.FindStringSubmatch("/" + key)
	if m == nil {
		t.Fatalf("key %q is not in a region-day folder", key)
	}
	d, err := time.Parse("2006/01/02", m[1])
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// clientWindowWant is what an import of the whole tree with the window
// [start, end] finds, for a window that begins and ends at midnight UTC and
// a tree without late events. Then every log file of a day inside the
// window holds only events of the window and every other file holds none:
// the day folders before the window are not scanned (spec §4.6 rule 1), the
// files of the days inside it are read whole, and the events imported are
// exactly the truth's events between start and end. The broken files of
// those days fail again.
func clientWindowWant(t *testing.T, truth trailgen.Truth, start, end time.Time) clientWant {
	t.Helper()
	if !start.Equal(start.Truncate(24*time.Hour)) || !end.Equal(end.Truncate(24*time.Hour)) || truth.LateEvents != 0 {
		t.Fatalf("clientWindowWant needs a window cut at midnight and a tree without late events")
	}
	inside := func(key string) bool { d := clientTrailDay(t, key); return !d.Before(start) && d.Before(end) }
	var w clientWant
	for _, p := range truth.DayPrefixes {
		if inside(p) {
			w.prefixes++
			w.files += truth.FilesPerPrefix[p]
		}
	}
	for _, b := range truth.Broken {
		if inside(b.Key) {
			w.broken = append(w.broken, b)
		}
	}
	w.events = truth.EventsBetween(start, end)
	return w
}

// clientWholeWant is what an import of the whole tree finds.
func clientWholeWant(truth trailgen.Truth) clientWant {
	return clientWant{prefixes: len(truth.DayPrefixes), files: truth.Files, events: truth.Events, broken: truth.Broken}
}

// cliImport is an import as the CLI prints StartImport, GetImport and
// StopImport responses (spec A.1, A.2, A.4).
type cliImport struct {
	ImportId                           string
	Destinations                       []string
	ImportSource                       *cliImportSource
	ImportStatus                       string
	StartEventTime, EndEventTime       json.RawMessage
	CreatedTimestamp, UpdatedTimestamp json.RawMessage
	ImportStatistics                   *cliImportStatistics
}

type cliImportSource struct {
	S3 struct{ S3LocationUri, S3BucketRegion, S3BucketAccessRoleArn string }
}

type cliImportStatistics struct {
	PrefixesFound, PrefixesCompleted, FilesCompleted, EventsCompleted, FailedEntries *int64
}

// values returns the five figures in the order of the model (spec A.2),
// or nil when one is missing: GetImport and StopImport return all five
// (spec §4.8).
func (s *cliImportStatistics) values() []int64 {
	if s == nil {
		return nil
	}
	var v []int64
	for _, p := range []*int64{s.PrefixesFound, s.PrefixesCompleted, s.FilesCompleted, s.EventsCompleted, s.FailedEntries} {
		if p == nil {
			return nil
		}
		v = append(v, *p)
	}
	return v
}

func (s *cliImportStatistics) String() string {
	if s == nil {
		return "no ImportStatistics"
	}
	return fmt.Sprintf("PrefixesFound %s, PrefixesCompleted %s, FilesCompleted %s, EventsCompleted %s, FailedEntries %s",
		cliFmt(s.PrefixesFound), cliFmt(s.PrefixesCompleted), cliFmt(s.FilesCompleted), cliFmt(s.EventsCompleted), cliFmt(s.FailedEntries))
}

// cliImportItem is an item of ListImports (spec §3.3, A.3): no statistics,
// no source.
type cliImportItem struct {
	ImportId                           string
	ImportStatus                       string
	Destinations                       []string
	CreatedTimestamp, UpdatedTimestamp json.RawMessage
	ImportStatistics, ImportSource     json.RawMessage
}

// cliImportFailure is an item of ListImportFailures (spec §3.5, A.5).
type cliImportFailure struct {
	Location, Status, ErrorType, ErrorMessage string
	LastUpdatedTime                           json.RawMessage
}

// cliImportSourceJSON is the --import-source argument for uri.
func cliImportSourceJSON(uri string) string {
	return fmt.Sprintf(`{"S3":{"S3LocationUri":%q,"S3BucketRegion":"us-east-1","S3BucketAccessRoleArn":%q}}`, uri, testRole)
}

// cliImportLowerUUID matches import ids (spec §2: lower-case only).
var cliImportLowerUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// checkCLIImportRecord checks the members every import description carries
// (spec §3.1, A.1): the id, the one destination and the source as given.
func checkCLIImportRecord(t *testing.T, what string, got cliImport, id, store, uri string) {
	t.Helper()
	if !cliImportLowerUUID.MatchString(got.ImportId) || id != "" && got.ImportId != id {
		want := id
		if want == "" {
			want = "a new id"
		}
		t.Errorf("%s: ImportId %q, want %s (a lower-case UUID, spec §2)", what, got.ImportId, want)
	}
	if !slices.Equal(got.Destinations, []string{store}) {
		t.Errorf("%s: Destinations %q, want [%s]", what, got.Destinations, store)
	}
	if s := got.ImportSource; s == nil || s.S3.S3LocationUri != uri || s.S3.S3BucketRegion != "us-east-1" || s.S3.S3BucketAccessRoleArn != testRole {
		t.Errorf("%s: ImportSource %+v, want the source as given (%s, us-east-1, %s)", what, s, uri, testRole)
	}
	created := cliEpochSeconds(t, what+" CreatedTimestamp", got.CreatedTimestamp)
	if updated := cliEpochSeconds(t, what+" UpdatedTimestamp", got.UpdatedTimestamp); updated.Before(created) {
		t.Errorf("%s: UpdatedTimestamp %v before CreatedTimestamp %v", what, updated, created)
	}
}

// startCLIImport starts an import of uri into store and checks the answer
// (spec §3.1): INITIALIZING, a new lower-case id, the destination and source
// echoed, and the window echoed when one is given.
func (c *awsCLI) startCLIImport(store, uri string, window ...time.Time) string {
	c.t.Helper()
	args := []string{"start-import", "--destinations", store, "--import-source", cliImportSourceJSON(uri)}
	if len(window) == 2 {
		args = append(args, "--start-event-time", window[0].Format(time.RFC3339), "--end-event-time", window[1].Format(time.RFC3339))
	}
	var out cliImport
	before := time.Now()
	c.ok(&out, args...)
	after := time.Now()
	what := "start-import of " + uri
	checkCLIImportRecord(c.t, what, out, "", store, uri)
	if out.ImportStatus != "INITIALIZING" {
		c.t.Errorf("%s: ImportStatus %q, want INITIALIZING (spec §4.1)", what, out.ImportStatus)
	}
	if created := cliEpochSeconds(c.t, what+" CreatedTimestamp", out.CreatedTimestamp); created.Before(before.Add(-time.Second)) || created.After(after.Add(time.Second)) {
		c.t.Errorf("%s: CreatedTimestamp %v is not the time of the call (%v .. %v)", what, created, before, after)
	}
	checkCLIWindow(c.t, what, out, window...)
	return out.ImportId
}

// checkCLIWindow checks the window's echo: absent when none was given
// (spec §3.1), else the times given.
func checkCLIWindow(t *testing.T, what string, got cliImport, window ...time.Time) {
	t.Helper()
	if len(window) != 2 {
		if got.StartEventTime != nil || got.EndEventTime != nil {
			t.Errorf("%s: StartEventTime %s, EndEventTime %s; want neither, as none was given", what, got.StartEventTime, got.EndEventTime)
		}
		return
	}
	for i, raw := range []json.RawMessage{got.StartEventTime, got.EndEventTime} {
		if raw == nil {
			t.Errorf("%s: the window is not echoed: StartEventTime %s, EndEventTime %s", what, got.StartEventTime, got.EndEventTime)
			return
		}
		if ts := cliEpochSeconds(t, what+" window", raw); !ts.Equal(window[i]) {
			t.Errorf("%s: window member %d is %v, want %v", what, i, ts.UTC(), window[i])
		}
	}
}

// getCLIImport waits for an import to end, polling with the Go client
// (an aws call costs a second of Python start-up), then describes it with
// get-import.
func (c *awsCLI) getCLIImport(id string) cliImport {
	c.t.Helper()
	waitImport(c.t, c.srv.Client(cliRegion), id)
	var out cliImport
	c.ok(&out, "get-import", "--import-id", id)
	return out
}

// checkCLIImportEnd checks the final status and statistics of an import
// against the ground truth (spec §4.1, §4.8).
func checkCLIImportEnd(t *testing.T, what string, got cliImport, want clientWant) {
	t.Helper()
	if got.ImportStatus != want.status() {
		t.Errorf("%s: ImportStatus %s, want %s (%d broken files)", what, got.ImportStatus, want.status(), len(want.broken))
	}
	n, files, events, failed := int64(want.prefixes), int64(want.files), int64(want.events), int64(len(want.broken))
	if st := got.ImportStatistics; !slices.Equal(st.values(), []int64{n, n, files, events, failed}) {
		t.Errorf("%s: %s;\nwant PrefixesFound %d, PrefixesCompleted %d, FilesCompleted %d, EventsCompleted %d, FailedEntries %d",
			what, got.ImportStatistics, n, n, files, events, failed)
	}
}

// checkCLIFailures compares failure entries with the broken files of the
// ground truth: one entry per file, at s3://bucket/key, with the failure
// type of its kind, all in status, each with a message and a time at or
// after since (spec §4.9).
func checkCLIFailures(t *testing.T, what string, got []cliImportFailure, bucket string, want []trailgen.BrokenFile, status string, since time.Time) {
	t.Helper()
	var have, wanted []string
	for _, b := range want {
		wanted = append(wanted, "s3://"+bucket+"/"+b.Key+" "+trailgen.BrokenKinds[b.Kind]+" "+status)
	}
	for _, f := range got {
		have = append(have, f.Location+" "+f.ErrorType+" "+f.Status)
		if len(f.ErrorMessage) < 10 {
			t.Errorf("%s: failure at %s has no useful ErrorMessage: %q", what, f.Location, f.ErrorMessage)
		}
		if ts := cliEpochSeconds(t, what+" LastUpdatedTime", f.LastUpdatedTime); ts.Before(since.Add(-time.Second)) {
			t.Errorf("%s: failure at %s last updated %v, before %v", what, f.Location, ts, since)
		}
	}
	sort.Strings(have)
	sort.Strings(wanted)
	if !slices.Equal(have, wanted) {
		t.Errorf("%s: %d failures:\n  %s\nwant %d (the broken files of the tree):\n  %s", what, len(have),
			strings.Join(have, "\n  "), len(wanted), strings.Join(wanted, "\n  "))
	}
}

// listCLIFailures lists every failure of an import: the CLI follows the
// pages itself (spec §1.9).
func (c *awsCLI) listCLIFailures(id string, extra ...string) []cliImportFailure {
	c.t.Helper()
	var out struct {
		Failures  []cliImportFailure
		NextToken *string
	}
	c.ok(&out, append([]string{"list-import-failures", "--import-id", id}, extra...)...)
	if out.NextToken != nil && !slices.Contains(extra, "--max-items") {
		c.t.Errorf("list-import-failures %s: NextToken %q although the CLI followed every page", strings.Join(extra, " "), *out.NextToken)
	}
	return out.Failures
}

// listCLIImports lists the imports that match the filters, as id → item.
func (c *awsCLI) listCLIImports(args ...string) map[string]cliImportItem {
	c.t.Helper()
	var out struct {
		Imports   []cliImportItem
		NextToken *string
	}
	c.ok(&out, append([]string{"list-imports"}, args...)...)
	if out.NextToken != nil {
		c.t.Errorf("list-imports %s: NextToken %q although the CLI followed every page", strings.Join(args, " "), *out.NextToken)
	}
	items := map[string]cliImportItem{}
	for _, it := range out.Imports {
		if _, dup := items[it.ImportId]; dup {
			c.t.Errorf("list-imports %s: %s listed twice", strings.Join(args, " "), it.ImportId)
		}
		items[it.ImportId] = it
	}
	return items
}

// TestCLIImportCycle drives the whole import cycle with the AWS CLI against
// trail trees in versitygw: start, describe, failures page by page, list and
// filter, stop and retry, and the errors of each operation. Only the waits
// for an import to end poll with the Go client; every check reads the CLI's
// output.
func TestCLIImportCycle(t *testing.T) {
	t.Parallel()
	need(t, "aws", "install the AWS CLI v1 (pip install awscli)")
	began := time.Now()
	vgw := ctlaketest.StartVersity(t)
	vgw.CreateBucket(t, "trail")
	vgw.CreateBucket(t, "bulk")
	spec := clientTreeSpec(4242)
	truth, err := trailgen.Generate(vgw.BucketDir("trail"), spec)
	if err != nil {
		t.Fatal(err)
	}
	bulk, err := trailgen.Generate(vgw.BucketDir("bulk"), clientBulkSpec(4243))
	if err != nil {
		t.Fatal(err)
	}
	if len(truth.Broken) != 2*len(trailgen.BrokenKinds) {
		t.Fatalf("the tree has %d broken files, want two of each of the %d kinds", len(truth.Broken), len(trailgen.BrokenKinds))
	}
	// One import worker, so that the bulk tree keeps an import busy while
	// the CLI call of the ongoing-import check goes out.
	srv := StartServer(t, WithEnv(vgw.Env()...), WithArgs("--import-workers", "1"))
	aws := newAWSCLI(t, srv)
	t.Logf("trees of %d and %d files generated and the server started in %v", truth.Files, bulk.Files, time.Since(began).Round(time.Millisecond))

	// The events are from 2025: retention must reach back to them (§4.5).
	var storeA, storeB cliStore
	aws.ok(&storeA, "create-event-data-store", "--name", "cli-import-a", "--retention-period", "3653")
	aws.ok(&storeB, "create-event-data-store", "--name", "cli-import-b", "--retention-period", "3653")
	a, b := storeA.EventDataStoreArn, storeB.EventDataStoreArn
	cliStoreID(t, b)

	// Errors that need no import (§3.1, §3.2). The unknown ids are
	// well-formed lower-case UUIDs, so the CLI sends them.
	const unknownImport = "0b1c2d3e-4f50-4617-a8b9-cadbecfd0e1f"
	aws.fails("ImportNotFoundException", "start-import", "--import-id", unknownImport)
	aws.fails("ImportNotFoundException", "get-import", "--import-id", unknownImport)
	unknownStore := "arn:aws:cloudtrail:" + cliRegion + ":" + testAccount + ":eventdatastore/6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
	aws.fails("EventDataStoreNotFoundException", "start-import", "--destinations", unknownStore, "--import-source", cliImportSourceJSON("s3://trail"))

	// 1. Import the whole bucket into store A. The broken files fail it;
	// every good file is imported, digests and Insights files are not
	// read (§4.1, §4.4, §4.5, §4.8).
	whole := clientWholeWant(truth)
	first := aws.startCLIImport(a, "s3://trail")
	done := aws.getCLIImport(first)
	checkCLIImportRecord(t, "get-import", done, first, a, "s3://trail")
	checkCLIWindow(t, "get-import", done)
	checkCLIImportEnd(t, "import of s3://trail", done, whole)
	firstEnd := cliEpochSeconds(t, "UpdatedTimestamp", done.UpdatedTimestamp)

	// 2. Its failures, two a page: the CLI follows every page (§1.9) and
	// prints them all, each broken file once (§4.9).
	checkCLIFailures(t, "list-import-failures --page-size 2", aws.listCLIFailures(first, "--page-size", "2"), "trail", truth.Broken, "FAILED", time.Time{})
	// With --max-items the CLI stops early and prints its own NextToken;
	// --starting-token resumes from it, with no entry lost or repeated.
	var head struct {
		Failures  []cliImportFailure
		NextToken *string
	}
	aws.ok(&head, "list-import-failures", "--import-id", first, "--page-size", "2", "--max-items", "3")
	if len(head.Failures) != 3 || head.NextToken == nil || *head.NextToken == "" {
		t.Errorf("list-import-failures --max-items 3: %d failures, NextToken %s; want 3 and a token", len(head.Failures), cliFmt(head.NextToken))
	} else {
		rest := aws.listCLIFailures(first, "--page-size", "2", "--starting-token", *head.NextToken, "--max-items", "1000")
		checkCLIFailures(t, "--max-items 3, then --starting-token", append(head.Failures, rest...), "trail", truth.Broken, "FAILED", time.Time{})
	}

	// 3. A finished import cannot be stopped (§3.4).
	aws.fails("OperationNotPermittedException", "stop-import", "--import-id", first)

	// 4. Retry it (§4.2): ImportId alone. The broken files are read again
	// and fail again, so their entries pass through RETRY and end FAILED,
	// updated by the retry; the good files are not imported twice.
	var retry cliImport
	retried := time.Now()
	aws.ok(&retry, "start-import", "--import-id", first)
	checkCLIImportRecord(t, "start-import --import-id", retry, first, a, "s3://trail")
	if retry.ImportStatus != "INITIALIZING" {
		t.Errorf("start-import --import-id: ImportStatus %q, want INITIALIZING (§4.1)", retry.ImportStatus)
	}
	done = aws.getCLIImport(first)
	checkCLIImportEnd(t, "retry of the import", done, whole)
	if updated := cliEpochSeconds(t, "UpdatedTimestamp", done.UpdatedTimestamp); !updated.After(firstEnd) {
		t.Errorf("retry: UpdatedTimestamp %v did not move past the first end %v (§4.1)", updated, firstEnd)
	}
	checkCLIFailures(t, "list-import-failures after the retry", aws.listCLIFailures(first, "--page-size", "2"), "trail", truth.Broken, "FAILED", retried)
	if rows, distinct := storedEvents(t, srv, cliStoreID(t, a)); rows != int64(truth.Events) || distinct != int64(truth.EventIDs) {
		t.Errorf("after import and retry store A holds %d events (%d distinct ids); want %d and %d: a retry resumes, it does not import again (§4.2)",
			rows, distinct, truth.Events, truth.EventIDs)
	}

	// 5. A second import of the same bucket, into store B, limited to the
	// last two days (§4.6).
	start, end := spec.Start.AddDate(0, 0, 1), spec.Start.AddDate(0, 0, spec.Days)
	window := clientWindowWant(t, truth, start, end)
	second := aws.startCLIImport(b, "s3://trail", start, end)
	done = aws.getCLIImport(second)
	checkCLIWindow(t, "get-import of the windowed import", done, start, end)
	checkCLIImportEnd(t, "import of s3://trail with a window", done, window)

	// 6. A third one, of a single region-day folder of the bulk tree, which
	// has no broken file: COMPLETED (§4.1). A URI below AWSLogs/<account>
	// takes every object under it (§4.4).
	day := bulk.DayPrefixes[0]
	dayWant := clientWant{prefixes: 1, files: bulk.FilesPerPrefix[day], events: bulk.EventsPerPrefix[day]}
	third := aws.startCLIImport(b, "s3://bulk/"+day)
	checkCLIImportEnd(t, "import of s3://bulk/"+day, aws.getCLIImport(third), dayWant)

	// 7. List them, one a page: the CLI follows the pages (§1.9). Items
	// carry id, status, destinations and timestamps only (§3.3).
	statusOf := map[string]string{first: whole.status(), second: window.status(), third: "COMPLETED"}
	storeOf := map[string]string{first: a, second: b, third: b}
	checkList := func(what string, got map[string]cliImportItem, want ...string) {
		t.Helper()
		var ids []string
		for id := range got {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Errorf("%s: imports %q, want %q", what, ids, want)
		}
		for id, it := range got {
			if it.ImportStatus != statusOf[id] || !slices.Equal(it.Destinations, []string{storeOf[id]}) {
				t.Errorf("%s: %s is %s into %q, want %s into [%s]", what, id, it.ImportStatus, it.Destinations, statusOf[id], storeOf[id])
			}
			if it.ImportStatistics != nil || it.ImportSource != nil {
				t.Errorf("%s: item %s carries ImportStatistics or ImportSource, which ListImports items lack (§3.3)", what, id)
			}
			cliEpochSeconds(t, what+" CreatedTimestamp", it.CreatedTimestamp)
			cliEpochSeconds(t, what+" UpdatedTimestamp", it.UpdatedTimestamp)
		}
	}
	checkList("list-imports --page-size 1", aws.listCLIImports("--page-size", "1"), first, second, third)
	// Both filters at once: the imports into B that completed.
	var completed []string
	for id, s := range statusOf {
		if s == "COMPLETED" && storeOf[id] == b {
			completed = append(completed, id)
		}
	}
	checkList("list-imports --destination B --import-status COMPLETED",
		aws.listCLIImports("--destination", b, "--import-status", "COMPLETED", "--page-size", "1"), completed...)

	// 8. One import at a time per account (§3.1, §4.1): while the bulk tree
	// is being imported, no other import may start (the retry of an import
	// meanwhile is checked by the boto3 test). The Go client starts
	// and stops the bulk import around the CLI call; the stop tells
	// whether it was still running after the call.
	c := srv.Client(cliRegion)
	busy := startImport(t, c, a, "s3://bulk")
	r := aws.run("start-import", "--destinations", b, "--import-source", cliImportSourceJSON("s3://trail"))
	called := time.Now()
	stopOut, stopErr := c.StopImport(ctx, &cloudtrail.StopImportInput{ImportId: &busy})
	if stopErr != nil && r.Code != "AccountHasOngoingImportException" {
		// The bulk import ended on its own: if it ended before the call,
		// the check proves nothing.
		ended := waitImport(t, c, busy)
		if ended.UpdatedTimestamp != nil && ended.UpdatedTimestamp.Before(called) {
			t.Fatalf("the bulk import of %d files ended (%s) before the check; it needs a larger bulk tree", bulk.Files, ended.ImportStatus)
		}
	}
	if r.Code != "AccountHasOngoingImportException" {
		t.Errorf("start-import while another import runs: code %q (%s) output %s; want AccountHasOngoingImportException", r.Code, r.Message, r.Stdout)
	}
	if stopErr != nil {
		t.Fatalf("StopImport of the bulk import: %v (if it ended on its own, the check needs a larger bulk tree)", stopErr)
	}
	// Stopping it again through the CLI changes nothing: STOPPED, with
	// the statistics so far, short of the whole tree (§3.4, §4.3).
	var stopped cliImport
	aws.ok(&stopped, "stop-import", "--import-id", busy)
	checkCLIImportRecord(t, "stop-import", stopped, busy, a, "s3://bulk")
	so := stopOut.ImportStatistics
	if v := stopped.ImportStatistics.values(); stopped.ImportStatus != "STOPPED" || so == nil || !slices.Equal(v, []int64{
		*so.PrefixesFound, *so.PrefixesCompleted, *so.FilesCompleted, *so.EventsCompleted, *so.FailedEntries}) || v[2] >= int64(bulk.Files) {
		t.Errorf("stop-import of a stopped import: %s with %s; want STOPPED with the figures of the first stop (%+v), short of the %d files",
			stopped.ImportStatus, stopped.ImportStatistics, so, bulk.Files)
	} else {
		t.Logf("the bulk import was stopped after %d of %d files", v[2], bulk.Files)
	}
	statusOf[busy], storeOf[busy] = "STOPPED", a
	checkList("list-imports --import-status STOPPED", aws.listCLIImports("--import-status", "STOPPED"), busy)
	t.Logf("the CLI import cycle took %v", time.Since(began).Round(time.Millisecond))
}
