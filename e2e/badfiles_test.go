package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/ctlaketest"
	"github.com/ctlake/ctlake/trailgen"
)

// maxImportRSS bounds the server's peak resident memory while it imports
// the bad-file corpus, gzip bomb included. The race detector multiplies a
// Go program's memory, so the bound is looser under -race.
func maxImportRSS() int64 {
	if raceEnabled {
		return 600 << 20
	}
	return 400 << 20
}

// TestBadFiles imports a trail tree that holds every kind of bad input
// beside good logs, from a folder and from versitygw: each bad file is
// exactly one failure entry of the right type, every good file is imported
// (keys with spaces and non-ASCII characters included), and a 1 GB gzip
// bomb (zeros, or one endless record) is refused without being inflated
// into memory.
func TestBadFiles(t *testing.T) {
	for _, kind := range []string{"file", "s3"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			testBadFiles(t, kind)
		})
	}
}

// extraFile is a file the test adds to a generated tree, with what the
// import must make of it.
type extraFile struct {
	key         string
	failureType string // "" for a good file
	events      int    // records of a good file
}

func testBadFiles(t *testing.T, kind string) {
	var broken []string
	for k := range trailgen.BrokenKinds {
		broken = append(broken, k)
	}
	sort.Strings(broken)
	spec := trailgen.Spec{Regions: []string{"us-east-1", "eu-west-1"}, Days: 2, FilesPerRegionDay: 4, Seed: 71,
		Start: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), Broken: broken, Digest: true, Insights: true}

	var (
		dir, uri string
		location func(key string) string
		opts     []ServerOption
		vgw      *ctlaketest.Versity
	)
	switch kind {
	case "s3":
		vgw = ctlaketest.StartVersity(t)
		vgw.CreateBucket(t, "trail")
		dir, uri = vgw.BucketDir("trail"), "s3://trail"
		location = func(k string) string { return "s3://trail/" + k }
		opts = append(opts, WithEnv(vgw.Env()...))
	default:
		dir = t.TempDir()
		uri = "file://" + dir + "/"
		location = func(k string) string { return "file://" + filepath.Join(dir, k) }
	}
	truth, err := trailgen.Generate(dir, spec)
	if err != nil {
		t.Fatal(err)
	}

	// The kinds trailgen does not make: too big to generate each time, or
	// only possible in S3, or good logs under unusual keys.
	day := truth.DayPrefixes[0]
	extras := []extraFile{
		{key: day + "bomb.json.gz", failureType: ctlake.FailureInvalidFileFormat},
		{key: day + "giant-record.json.gz", failureType: ctlake.FailureInvalidFileFormat},
		{key: day + "too-large.json.gz", failureType: ctlake.FailureFileTooLarge},
		{key: day + "log with spaces.json.gz", events: 3},
		{key: day + "journal-été_日本語_ü.json.gz", events: 2},
	}
	// 1 GB of zeros; and a record with a 1 GB string, valid JSON that
	// must be held to be read, where only a bound on one record helps.
	writeGzipBomb(t, filepath.Join(dir, filepath.FromSlash(extras[0].key)), "", 0, 1<<30, "")
	writeGzipBomb(t, filepath.Join(dir, filepath.FromSlash(extras[1].key)),
		`{"Records":[{"eventTime":"`+spec.Start.Add(10*time.Minute).Format(time.RFC3339)+`","eventName":"`, 'A', 1<<30, `"}]}`)
	writeSparse(t, filepath.Join(dir, filepath.FromSlash(extras[2].key)), ctlake.MaxTrailFileBytes+1)
	for i, e := range extras[3:] {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(e.key)), gzipped(t, goodLog(truth.DayPrefixes[0], e.events, i)))
	}
	if kind == "s3" {
		// A "folder" made in the S3 console: an empty object whose key ends
		// in "/", among the logs.
		marker := extraFile{key: day + "folder/", failureType: ctlake.FailureInvalidFileFormat}
		vgw.PutObject(t, "trail", marker.key, nil)
		extras = append(extras, marker)
	}

	srv := StartServer(t, opts...)
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "bad-files", longestRetention).EventDataStoreArn)
	id := startImport(t, c, store, uri)
	done := waitImport(t, c, id)
	if done.ImportStatus != types.ImportStatusFailed {
		t.Errorf("status %s, want FAILED (the tree holds bad files)", done.ImportStatus)
	}

	var want []string
	goodFiles, goodEvents := truth.Files, truth.Events
	for _, b := range truth.Broken {
		want = append(want, location(b.Key)+" "+b.FailureType)
	}
	for _, e := range extras {
		if e.failureType != "" {
			want = append(want, location(e.key)+" "+e.failureType)
		} else {
			goodFiles++
			goodEvents += e.events
		}
	}
	n := int64(len(truth.DayPrefixes))
	wantStats(t, kind, done.ImportStatistics, n, n, int64(goodFiles), int64(goodEvents), int64(len(want)))
	wantFailureSet(t, allFailures(t, c, id), want)
	if rows, distinct := storedEvents(t, srv, idOf(store)); rows != int64(goodEvents) || distinct != int64(goodEvents) {
		t.Errorf("stored %d events, %d distinct ids; want %d of each", rows, distinct, goodEvents)
	}
	hwm := peakRSS(t, srv)
	t.Logf("%s: %d failure entries, %d good files, %d events; server peak RSS %d MB", kind, len(want), goodFiles, goodEvents, hwm>>20)
	if hwm > maxImportRSS() {
		t.Errorf("the server's peak RSS is %d MB, over %d MB: a bad file was inflated into memory", hwm>>20, maxImportRSS()>>20)
	}

	// Digest and Insights files where logs were expected: an import
	// pointed at their trees finds only files that are not trail logs.
	for _, tree := range []struct {
		name  string
		files []string
	}{{"CloudTrail-Digest", truth.DigestFiles}, {"CloudTrail-Insight", truth.InsightsFiles}} {
		if len(tree.files) == 0 {
			t.Fatalf("the generator wrote no %s files", tree.name)
		}
		root := tree.files[0][:strings.Index(tree.files[0], "/"+tree.name+"/")+len(tree.name)+2]
		treeURI := uri + root
		if kind == "s3" {
			treeURI = uri + "/" + root
		}
		store := aws.ToString(create(t, c, "not-logs-"+strings.ToLower(tree.name), longestRetention).EventDataStoreArn)
		id := startImport(t, c, store, treeURI)
		done := waitImport(t, c, id)
		var want []string
		for _, k := range tree.files {
			if strings.HasPrefix(k, root) {
				want = append(want, location(k)+" "+ctlake.FailureNotTrailLog)
			}
		}
		if done.ImportStatus != types.ImportStatusFailed || aws.ToInt64(done.ImportStatistics.EventsCompleted) != 0 {
			t.Errorf("%s: %s with %d events, want FAILED with none", treeURI, done.ImportStatus, aws.ToInt64(done.ImportStatistics.EventsCompleted))
		}
		wantFailureSet(t, allFailures(t, c, id), want)
	}
}

// wantFailureSet checks that the failure entries are exactly want
// ("location type"), each FAILED once with a message a person can act on.
func wantFailureSet(t *testing.T, got []types.ImportFailureListItem, want []string) {
	t.Helper()
	var have []string
	for _, f := range got {
		have = append(have, aws.ToString(f.Location)+" "+aws.ToString(f.ErrorType))
		if f.Status != types.ImportFailureStatusFailed || len(aws.ToString(f.ErrorMessage)) < 20 {
			t.Errorf("failure %s: %s %q, want FAILED with a useful message", aws.ToString(f.Location), f.Status, aws.ToString(f.ErrorMessage))
		}
	}
	sort.Strings(have)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(have, want) {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
	}
}

// writeGzipBomb writes a gzip file that inflates to head, size bytes of
// fill (size a multiple of 1 MiB), then tail, in about size/1000 bytes:
// gzip members one after the other (which gzip(1) and every gzip reader
// inflate as one stream), each of 1 MiB of fill but the first and last.
// Compressing 1 MiB once instead of streaming 1 GiB through the compressor
// keeps the test fast under the race detector.
func writeGzipBomb(t *testing.T, name string, head string, fill byte, size int64, tail string) {
	t.Helper()
	member := func(data []byte) []byte {
		var b bytes.Buffer
		zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
		if err != nil {
			t.Fatal(err)
		}
		zw.Write(data)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	bw.Write(member([]byte(head)))
	chunk := member(bytes.Repeat([]byte{fill}, 1<<20))
	for range size >> 20 {
		bw.Write(chunk)
	}
	bw.Write(member([]byte(tail)))
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
}

// writeSparse writes a file of size bytes that takes no room on disk.
func writeSparse(t *testing.T, name string, size int64) {
	t.Helper()
	writeFile(t, name, nil)
	if err := os.Truncate(name, size); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// goodLog returns a trail log of n records delivered to the region-day
// folder prefix, with eventIDs no generated file uses (their first group
// is ffffffff, then the file number).
func goodLog(prefix string, n, file int) []byte {
	parts := strings.Split(strings.TrimSuffix(prefix, "/"), "/")
	day, err := time.Parse("2006/01/02", strings.Join(parts[len(parts)-3:], "/"))
	if err != nil {
		panic("goodLog: " + prefix + " is not a region-day folder")
	}
	region, account := parts[len(parts)-4], parts[len(parts)-6]
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","accountId":%q,"userName":"odd-keys"},`+
			`"eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":%q,"sourceIPAddress":"192.0.2.7",`+
			`"userAgent":"aws-cli/2.15","requestParameters":null,"responseElements":null,"requestID":"R%d-%d",`+
			`"eventID":"ffffffff-%04x-4000-8000-%012x","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,`+
			`"recipientAccountId":%q,"eventCategory":"Management"}`,
			account, day.Add(time.Duration(10+i)*time.Minute).Format(time.RFC3339), region, file, i, file, i, account)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// peakRSS returns the server process's peak resident set size (VmHWM).
func peakRSS(t *testing.T, srv *Server) int64 {
	t.Helper()
	n, err := ctlaketest.ProcStatusBytes(srv.cmd.Process.Pid, "VmHWM")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no /proc to read the server's memory from: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}
