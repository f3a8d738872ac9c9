package trailgen_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/trailgen"
)

// Every check here decodes the files with the standard library, independently
// of how trailgen wrote them.

var allBroken = []string{
	trailgen.BrokenNotGzip, trailgen.BrokenTruncatedGzip, trailgen.BrokenNotJSON, trailgen.BrokenNoRecords,
	trailgen.BrokenRecordsNotArray, trailgen.BrokenBadEventTime, trailgen.BrokenMissingEventTime,
	trailgen.BrokenUncompressedJSON, trailgen.BrokenZeroBytes, trailgen.BrokenNonUTF8, trailgen.BrokenDigestAsLog,
}

// fullSpec uses every option.
var fullSpec = trailgen.Spec{
	Accounts: 2, Regions: []string{"us-east-1", "eu-west-1"},
	Start: time.Date(2024, 2, 28, 0, 0, 0, 0, time.UTC), Days: 3, // across 29 February
	FilesPerRegionDay: 6, MinEventsPerFile: 1, MaxEventsPerFile: 40, Seed: 20240229,
	Layout: trailgen.LayoutOrganization, KeyPrefix: "org-trail/",
	Digest: true, Insights: true, LateEvents: true,
	Broken: append(slices.Clone(allBroken), trailgen.BrokenNotGzip),
}

func generate(t testing.TB, spec trailgen.Spec) (string, trailgen.Truth) {
	t.Helper()
	dir := t.TempDir()
	truth, err := trailgen.Generate(dir, spec)
	if err != nil {
		t.Fatal(err)
	}
	return dir, truth
}

func TestDeterminism(t *testing.T) {
	dirA, a := generate(t, fullSpec)
	dirB, b := generate(t, fullSpec)
	filesA, filesB := readTree(t, dirA), readTree(t, dirB)
	if !slices.Equal(slices.Sorted(maps.Keys(filesA)), slices.Sorted(maps.Keys(filesB))) {
		t.Fatal("same spec, different file names")
	}
	for k, data := range filesA {
		if !bytes.Equal(data, filesB[k]) {
			t.Errorf("same spec, different bytes in %s", k)
		}
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Error("same spec, different truth")
	}

	other := fullSpec
	other.Seed++
	dirC, _ := generate(t, other)
	if filesC := readTree(t, dirC); slices.Equal(slices.Sorted(maps.Keys(filesA)), slices.Sorted(maps.Keys(filesC))) {
		t.Error("another seed gave the same file names")
	}
}

var (
	logName    = regexp.MustCompile(`^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$`)
	digestName = regexp.MustCompile(`^(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_management-events_us-east-1_\d{8}T\d{6}Z\.json\.gz$`)
	insightNm  = regexp.MustCompile(`^(\d{12})_CloudTrail-Insight_([a-z0-9-]+)_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$`)
	// [prefix/]AWSLogs/o-…/account/tree/region/YYYY/MM/DD/
	folderRe = regexp.MustCompile(`^org-trail/AWSLogs/(o-[a-z0-9]{10})/(\d{12})/(CloudTrail|CloudTrail-Digest|CloudTrail-Insight)/([a-z0-9-]+)/(\d{4}/\d{2}/\d{2})/$`)
	uuidRe   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

type record = map[string]any

// TestTruthMatchesFiles re-reads the whole tree and recounts every figure of
// the truth.
func TestTruthMatchesFiles(t *testing.T) {
	dir, truth := generate(t, fullSpec)
	files := readTree(t, dir)

	broken := map[string]trailgen.BrokenFile{}
	for _, b := range truth.Broken {
		broken[b.Key] = b
	}
	digests := setOf(truth.DigestFiles)
	insights := setOf(truth.InsightsFiles)

	var (
		nFiles, nEvents, late int
		perFile               = map[string]int{}
		perDay                = map[string]int{}
		perPrefix             = map[string]int{}
		filesPerPrefix        = map[string]int{}
		ids                   = map[string]bool{}
		times                 []time.Time
		seen                  = map[string]int{} // facts about the records
		content               = map[string][]byte{}
		digestDocs            []map[string]any
	)
	for key, data := range files {
		folder, name := key[:strings.LastIndex(key, "/")+1], key[strings.LastIndex(key, "/")+1:]
		m := folderRe.FindStringSubmatch(folder)
		if m == nil {
			t.Errorf("%s: not in a trail folder", key)
			continue
		}
		account, tree, region, folderDay := m[2], m[3], m[4], strings.ReplaceAll(m[5], "/", "-")
		if _, ok := broken[key]; ok {
			continue // checked in TestBrokenFiles
		}
		switch tree {
		case "CloudTrail-Digest":
			if !digests[key] || !digestName.MatchString(name) {
				t.Errorf("%s: unexpected digest file", key)
			}
			var doc map[string]any
			if err := json.Unmarshal(gunzip(t, key, data), &doc); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			digestDocs = append(digestDocs, doc)
			continue
		case "CloudTrail-Insight":
			if !insights[key] || !insightNm.MatchString(name) {
				t.Errorf("%s: unexpected Insights file", key)
			}
			recs := decodeRecords(t, key, gunzip(t, key, data))
			for _, r := range recs {
				if r["eventCategory"] != "Insight" || r["eventType"] != "AwsCloudTrailInsight" || r["insightDetails"] == nil {
					t.Errorf("%s: not an Insights record: %v", key, r)
				}
			}
			continue
		}

		n := logName.FindStringSubmatch(name)
		if n == nil || n[1] != account || n[2] != region {
			t.Errorf("%s: not a log file name of its folder", key)
			continue
		}
		delivery, err := time.Parse("20060102T1504Z", n[3])
		if err != nil || delivery.Format("2006-01-02") != folderDay {
			t.Errorf("%s: delivery stamp %s not in the folder's day", key, n[3])
		}
		plain := gunzip(t, key, data)
		content[key] = plain
		recs := decodeRecords(t, key, plain)
		nFiles++
		nEvents += len(recs)
		perFile[key] = len(recs)
		perPrefix[folder] += len(recs)
		filesPerPrefix[folder]++
		for _, r := range recs {
			et, err := time.Parse(time.RFC3339, str(r["eventTime"]))
			if err != nil {
				t.Fatalf("%s: eventTime %v: %v", key, r["eventTime"], err)
			}
			// Delivered after it happened, within MaxDeliveryLag.
			if !et.Before(delivery) || et.Before(delivery.Add(-trailgen.MaxDeliveryLag)) {
				t.Errorf("%s: eventTime %v outside the delivery window before %v", key, et, delivery)
			}
			day := et.Format("2006-01-02")
			perDay[day]++
			if day != folderDay {
				late++
			}
			times = append(times, et)
			id := str(r["eventID"])
			if !uuidRe.MatchString(id) {
				t.Errorf("%s: eventID %q is not a UUID", key, id)
			}
			if ids[id] {
				t.Errorf("%s: duplicate eventID %s", key, id)
			}
			ids[id] = true
			if r["awsRegion"] != region || r["recipientAccountId"] != account {
				t.Errorf("%s: record of %v/%v in the folder of %s/%s", key, r["recipientAccountId"], r["awsRegion"], account, region)
			}
			checkRecord(t, key, r, seen)
		}
	}

	// The truth, recounted.
	check := func(what string, got, want any) {
		t.Helper()
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if !bytes.Equal(gj, wj) {
			t.Errorf("%s: files say %s, truth says %s", what, clip(gj), clip(wj))
		}
	}
	check("log files", nFiles, truth.Files)
	check("events", nEvents, truth.Events)
	check("distinct eventIDs", len(ids), truth.EventIDs)
	check("events per file", perFile, truth.EventsPerFile)
	check("events per day", perDay, truth.EventsPerDay)
	check("events per prefix", perPrefix, truth.EventsPerPrefix)
	check("files per prefix", filesPerPrefix, truth.FilesPerPrefix)
	check("day prefixes", slices.Sorted(maps.Keys(filesPerPrefix)), truth.DayPrefixes)
	check("late events", late, truth.LateEvents)
	slices.SortFunc(times, time.Time.Compare)
	check("first eventTime", times[0], truth.MinEventTime)
	check("last eventTime", times[len(times)-1], truth.MaxEventTime)
	if want := fullSpec.Accounts * len(fullSpec.Regions) * fullSpec.Days * fullSpec.FilesPerRegionDay; nFiles != want {
		t.Errorf("%d log files, want accounts × regions × days × files = %d", nFiles, want)
	}
	if late == 0 {
		t.Error("LateEvents: no event of a day before its folder's")
	}
	if perDay["2024-02-29"] == 0 {
		t.Error("no events on 29 February")
	}

	// Realism: every kind of thing the decoder must meet shows up.
	for _, fact := range []string{
		"IAMUser", "AssumedRole", "Root", "AWSService", "no type", "sessionContext", "invokedBy",
		"errorCode", "errorMessage", "resources", "tlsDetails", "nested requestParameters", "null requestParameters",
		"responseElements", "additionalEventData", "readOnly true", "readOnly false", "Data", "Management",
		"AwsApiCall", "AwsConsoleSignIn", "AwsServiceEvent", "sharedEventID", "serviceEventDetails",
	} {
		if seen[fact] == 0 {
			t.Errorf("no record shows %s", fact)
		}
	}
	if seen["eventName"] < 20 || seen["eventSource"] < 8 {
		t.Errorf("only %d event names from %d sources", seen["eventName"], seen["eventSource"])
	}

	// Digests: each log file listed once, with the hash of its content.
	listed := map[string]int{}
	for _, doc := range digestDocs {
		for _, lf := range doc["logFiles"].([]any) {
			f := lf.(map[string]any)
			key := str(f["s3Object"])
			listed[key]++
			sum := sha256.Sum256(content[key])
			if f["hashValue"] != hex.EncodeToString(sum[:]) || f["hashAlgorithm"] != "SHA-256" {
				t.Errorf("digest entry for %s: hash %v does not match the file", key, f["hashValue"])
			}
		}
		for _, k := range []string{"awsAccountId", "digestStartTime", "digestEndTime", "digestS3Bucket", "digestS3Object", "digestSignatureAlgorithm", "previousDigestSignature"} {
			if _, ok := doc[k]; !ok {
				t.Errorf("digest %v lacks %s", doc["digestS3Object"], k)
			}
		}
	}
	for key := range perFile {
		if listed[key] != 1 {
			t.Errorf("%s listed in %d digests, want 1", key, listed[key])
		}
	}
	if want := fullSpec.Accounts * len(fullSpec.Regions) * fullSpec.Days * 24; len(digestDocs) != want {
		t.Errorf("%d digest files, want one per account, region and hour: %d", len(digestDocs), want)
	}
	if want := fullSpec.Accounts * len(fullSpec.Regions) * fullSpec.Days; len(truth.InsightsFiles) != want {
		t.Errorf("%d Insights files, want one per region-day: %d", len(truth.InsightsFiles), want)
	}

	// EventsBetween against a count over the records, on windows that
	// start and end on event times, between them, and outside.
	r := rand.New(rand.NewPCG(1, 2))
	count := func(a, b time.Time) int {
		n := 0
		for _, x := range times {
			if !x.Before(a) && !x.After(b) {
				n++
			}
		}
		return n
	}
	for range 200 {
		a, b := times[r.IntN(len(times))], times[r.IntN(len(times))]
		switch r.IntN(3) {
		case 1:
			a, b = a.Add(-time.Duration(r.IntN(3600))*time.Second), b.Add(500*time.Millisecond)
		case 2:
			a = a.Add(time.Nanosecond)
		}
		if got, want := truth.EventsBetween(a, b), count(a, b); got != want {
			t.Errorf("EventsBetween(%v, %v) = %d, records say %d", a, b, got, want)
		}
	}
	if got := truth.EventsBetween(truth.MinEventTime, truth.MaxEventTime); got != truth.Events {
		t.Errorf("EventsBetween(min, max) = %d, want all %d", got, truth.Events)
	}
	if got := truth.EventsBetween(truth.MaxEventTime.Add(time.Second), truth.MaxEventTime.Add(time.Hour)); got != 0 {
		t.Errorf("EventsBetween after the last event = %d", got)
	}

	// The truth survives a trip through truth.json.
	path := filepath.Join(t.TempDir(), "truth.json")
	if err := truth.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := trailgen.ReadTruth(path)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(truth)
	jb, _ := json.Marshal(back)
	if !bytes.Equal(ja, jb) || back.EventsBetween(times[10], times[len(times)-10]) != count(times[10], times[len(times)-10]) {
		t.Error("truth.json does not read back to the same truth")
	}
}

// checkRecord checks the members every CloudTrail record has and notes the
// facts it shows.
func checkRecord(t *testing.T, key string, r record, seen map[string]int) {
	t.Helper()
	for _, k := range []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "requestID", "eventID", "readOnly", "eventType", "managementEvent", "recipientAccountId", "eventCategory"} {
		if _, ok := r[k]; !ok {
			t.Errorf("%s: record %v lacks %s", key, r["eventID"], k)
		}
	}
	seenOnce := func(fact string) { seen[fact]++ }
	id, _ := r["userIdentity"].(map[string]any)
	if typ, ok := id["type"].(string); ok {
		seenOnce(typ)
	} else {
		seenOnce("no type")
	}
	if id["sessionContext"] != nil {
		seenOnce("sessionContext")
	}
	if id["invokedBy"] != nil {
		seenOnce("invokedBy")
	}
	for _, k := range []string{"errorCode", "errorMessage", "resources", "tlsDetails", "additionalEventData", "sharedEventID", "serviceEventDetails"} {
		if _, ok := r[k]; ok {
			seenOnce(k)
		}
	}
	switch rp := r["requestParameters"].(type) {
	case nil:
		seenOnce("null requestParameters")
	case map[string]any:
		for _, v := range rp {
			switch v.(type) {
			case map[string]any, []any:
				seenOnce("nested requestParameters")
			}
		}
	default:
		t.Errorf("%s: requestParameters %T", key, rp)
	}
	if r["responseElements"] != nil {
		seenOnce("responseElements")
	}
	if r["readOnly"] == true {
		seenOnce("readOnly true")
	} else {
		seenOnce("readOnly false")
	}
	seenOnce(str(r["eventCategory"]))
	seenOnce(str(r["eventType"]))
	if seen["name:"+str(r["eventName"])] == 0 {
		seenOnce("eventName")
	}
	seenOnce("name:" + str(r["eventName"]))
	if seen["source:"+str(r["eventSource"])] == 0 {
		seenOnce("eventSource")
	}
	seenOnce("source:" + str(r["eventSource"]))
}

// TestBrokenFiles checks that each planted file is broken the way its kind
// says, and no more.
func TestBrokenFiles(t *testing.T) {
	dir, truth := generate(t, fullSpec)
	kinds := map[string]int{}
	for _, b := range truth.Broken {
		kinds[b.Kind]++
		want := ctlake.FailureInvalidFileFormat
		switch b.Kind {
		case trailgen.BrokenBadEventTime, trailgen.BrokenMissingEventTime:
			want = ctlake.FailureInvalidEventRecord
		case trailgen.BrokenDigestAsLog:
			want = ctlake.FailureNotTrailLog
		}
		if b.FailureType != want {
			t.Errorf("%s: failure type %s, want %s", b.Kind, b.FailureType, want)
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(b.Key)))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.Key, "/CloudTrail/") || !slices.Contains(truth.DayPrefixes, b.Key[:strings.LastIndex(b.Key, "/")+1]) {
			t.Errorf("%s: %s not hidden in a region-day folder of the logs", b.Kind, b.Key)
		}
		isGzip := len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
		var plain []byte
		var gzErr error
		if isGzip {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				gzErr = err
			} else {
				plain, gzErr = io.ReadAll(zr)
			}
		}
		var doc map[string]json.RawMessage
		jsonErr := json.Unmarshal(plain, &doc)

		switch b.Kind {
		case trailgen.BrokenZeroBytes:
			if len(data) != 0 {
				t.Errorf("zero-bytes: %d bytes", len(data))
			}
		case trailgen.BrokenNotGzip:
			if _, err := gzip.NewReader(bytes.NewReader(data)); err == nil || len(data) == 0 {
				t.Errorf("not-gzip: opens as gzip")
			}
		case trailgen.BrokenTruncatedGzip:
			if !isGzip || !errors.Is(gzErr, io.ErrUnexpectedEOF) {
				t.Errorf("truncated-gzip: reading gives %v, want unexpected EOF", gzErr)
			}
		case trailgen.BrokenNotJSON:
			if !isGzip || gzErr != nil || json.Valid(plain) {
				t.Errorf("not-json: gzip %v, %v, valid JSON %v", isGzip, gzErr, json.Valid(plain))
			}
		case trailgen.BrokenNoRecords:
			if gzErr != nil || jsonErr != nil || doc["Records"] != nil || doc["eventID"] == nil {
				t.Errorf("no-records: want a bare event object without Records (%v, %v)", gzErr, jsonErr)
			}
			for k := range doc {
				if strings.EqualFold(k, "records") {
					t.Errorf("no-records: has a member %q", k)
				}
			}
		case trailgen.BrokenRecordsNotArray:
			if gzErr != nil || jsonErr != nil || len(doc["Records"]) == 0 || doc["Records"][0] != '{' {
				t.Errorf("records-not-array: Records = %.40s", doc["Records"])
			}
		case trailgen.BrokenBadEventTime, trailgen.BrokenMissingEventTime:
			recs := decodeRecords(t, b.Key, plain)
			bad := 0
			for _, r := range recs {
				v, ok := r["eventTime"]
				if _, err := time.Parse(time.RFC3339, str(v)); err != nil {
					bad++
					if ok != (b.Kind == trailgen.BrokenBadEventTime) {
						t.Errorf("%s: eventTime present %v", b.Kind, ok)
					}
				}
			}
			if bad != 1 || b.ValidEvents != len(recs)-1 {
				t.Errorf("%s: %d bad records of %d, valid %d; want 1 bad", b.Kind, bad, len(recs), b.ValidEvents)
			}
		case trailgen.BrokenNonUTF8:
			if !isGzip || gzErr != nil || utf8.Valid(plain) || !json.Valid(bytes.ToValidUTF8(plain, []byte("?"))) {
				t.Errorf("non-utf8: want gzip of JSON that is valid but for its bytes (gzip %v, %v, utf8 %v)", isGzip, gzErr, utf8.Valid(plain))
			}
		case trailgen.BrokenDigestAsLog:
			if gzErr != nil || jsonErr != nil || doc["digestStartTime"] == nil || doc["logFiles"] == nil || doc["Records"] != nil {
				t.Errorf("digest-as-log: want a digest document (%v, %v)", gzErr, jsonErr)
			}
		case trailgen.BrokenUncompressedJSON:
			if isGzip || !strings.HasSuffix(b.Key, ".json") || len(decodeRecords(t, b.Key, data)) == 0 {
				t.Errorf("uncompressed-json: want a good log, plain, named .json")
			}
		default:
			t.Errorf("unknown kind %s", b.Kind)
		}
		if b.Kind != trailgen.BrokenBadEventTime && b.Kind != trailgen.BrokenMissingEventTime && b.ValidEvents != 0 {
			t.Errorf("%s: %d valid events, want 0", b.Kind, b.ValidEvents)
		}
		if _, counted := truth.EventsPerFile[b.Key]; counted {
			t.Errorf("%s: broken file counted as a log file", b.Key)
		}
	}
	for _, k := range allBroken {
		if kinds[k] == 0 {
			t.Errorf("no %s file", k)
		}
	}
	if kinds[trailgen.BrokenNotGzip] != 2 || len(truth.Broken) != len(fullSpec.Broken) {
		t.Errorf("%d broken files for %d asked", len(truth.Broken), len(fullSpec.Broken))
	}
}

func TestNoLateEvents(t *testing.T) {
	spec := trailgen.Spec{Days: 3, FilesPerRegionDay: 50, Seed: 3}
	dir, truth := generate(t, spec)
	if truth.LateEvents != 0 {
		t.Errorf("%d late events without LateEvents", truth.LateEvents)
	}
	for key, data := range readTree(t, dir) {
		folderDay := strings.Join(strings.Split(key, "/")[4:7], "-")
		for _, r := range decodeRecords(t, key, gunzip(t, key, data)) {
			if !strings.HasPrefix(str(r["eventTime"]), folderDay) {
				t.Errorf("%s: event of %v", key, r["eventTime"])
			}
		}
	}
	if !strings.HasPrefix(truth.DayPrefixes[0], "AWSLogs/") || len(truth.DayPrefixes) != 3 {
		t.Errorf("account layout without prefix: %q", truth.DayPrefixes)
	}
}

func TestSpecErrors(t *testing.T) {
	for name, spec := range map[string]trailgen.Spec{
		"unknown broken kind": {Broken: []string{"half-baked"}},
		"min above max":       {MinEventsPerFile: 10, MaxEventsPerFile: 5},
		"unknown layout":      {Layout: "flat"},
		"negative days":       {Days: -1},
		"bad region":          {Regions: []string{"../etc"}},
	} {
		if _, err := trailgen.Generate(t.TempDir(), spec); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// BenchmarkGenerate reports the speed of generation in events per second.
func BenchmarkGenerate(b *testing.B) {
	spec := trailgen.Spec{Accounts: 2, Regions: []string{"us-east-1", "eu-west-1"}, Days: 5, FilesPerRegionDay: 50, MinEventsPerFile: 1, MaxEventsPerFile: 199}
	var events, bytes int64
	for i := 0; b.Loop(); i++ {
		spec.Seed = int64(i)
		dir := b.TempDir()
		truth, err := trailgen.Generate(dir, spec)
		if err != nil {
			b.Fatal(err)
		}
		events += int64(truth.Events)
		filepath.WalkDir(dir, func(_ string, d fs.DirEntry, _ error) error {
			if fi, err := d.Info(); err == nil && !d.IsDir() {
				bytes += fi.Size()
			}
			return nil
		})
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(bytes)/float64(events), "gz-bytes/event")
}

// readTree returns every file under dir by slash-separated key.
func readTree(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func gunzip(t *testing.T, key string, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return plain
}

func decodeRecords(t *testing.T, key string, plain []byte) []record {
	t.Helper()
	var doc struct{ Records []record }
	dec := json.NewDecoder(bytes.NewReader(plain))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	if dec.More() {
		t.Fatalf("%s: data after the JSON object", key)
	}
	return doc.Records
}

func setOf(s []string) map[string]bool {
	m := map[string]bool{}
	for _, k := range s {
		m[k] = true
	}
	return m
}

func str(v any) string { s, _ := v.(string); return s }

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
