package e2e

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"
	"github.com/ctlake/ctlake/trailgen"
)

// TestImportNotes: an import that finds nothing to import says what it
// passed over and why, in `ctlake import`'s summary and in the answer of
// GetImportNotes (the ctlake extension): folders older than the store's
// retention, and a folder under AWSLogs/ that is no account or
// organization id. The summary's Window line shows the retention cut-off.
func TestImportNotes(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	cli := newCtlakeCLI(t, srv)
	create(t, c, "short", func(in *cloudtrail.CreateEventDataStoreInput) { in.RetentionPeriod = aws.Int32(30) })

	old := t.TempDir()
	if _, err := trailgen.Generate(old, trailgen.Spec{Regions: []string{"us-east-1"}, Days: 2, FilesPerRegionDay: 2, Seed: 5,
		Start: time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	r := cli.ok("import", "file://"+old+"/", "--store", "short")
	const retention = "1 date folder(s) of 2023-01-01 to 2023-12-31 older than the event data store's retention period (30 days: events before "
	if !strings.Contains(r.stdout, "Skipped:\n  - "+retention) ||
		!strings.Contains(r.stdout, "raise it with UpdateEventDataStore --retention-period (aws cloudtrail update-event-data-store --event-data-store short --retention-period DAYS)") {
		t.Errorf("ctlake import: no retention note in:\n%s", r.stdout)
	}
	cutoff := time.Now().UTC().AddDate(0, 0, -30)
	window := regexp.MustCompile(`(?m)^\s*Window:\s+events since (\S+ \S+) \(the store's retention cut-off\)$`).FindStringSubmatch(r.stdout)
	if window == nil {
		t.Fatalf("ctlake import: no Window line with the retention cut-off in:\n%s", r.stdout)
	}
	if at, err := time.Parse("2006-01-02 15:04:05Z", window[1]); err != nil || at.Sub(cutoff).Abs() > time.Hour {
		t.Errorf("Window starts at %s (%v), want about %s", window[1], err, cutoff)
	}

	id := regexp.MustCompile(`\(import ([0-9a-f-]{36})\)`).FindStringSubmatch(r.stdout)
	if id == nil {
		t.Fatalf("no import id in:\n%s", r.stdout)
	}
	a := srv.call(t, rawCall{target: longTarget + "GetImportNotes", body: `{"ImportId":"` + id[1] + `"}`})
	notes, _ := a.body["Notes"].([]any)
	if a.status != 200 || a.body["ImportId"] != id[1] || len(notes) != 1 || !strings.HasPrefix(notes[0].(string), retention) || a.body["RetentionCutoff"] == nil {
		t.Errorf("GetImportNotes: HTTP %d %s", a.status, a.raw)
	}
	a = srv.call(t, rawCall{target: longTarget + "GetImportNotes", body: `{"ImportId":"00000000-0000-0000-0000-000000000000"}`})
	wantCode(t, "GetImportNotes of an unknown import", a, 400, "ImportNotFoundException")

	bad := t.TempDir()
	day := filepath.Join(bad, "AWSLogs", "o-abc123", "CloudTrail", "us-east-1", "2025", "01", "02")
	if err := os.MkdirAll(day, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(day, "f.json.gz"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = cli.ok("import", "file://"+bad+"/", "--store", "short")
	if want := "  - No CloudTrail folder under file://" + bad + ": found AWSLogs/o-abc123/, expected AWSLogs/<account-id>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/ or AWSLogs/<o-organization-id>/<account-id>/CloudTrail/"; !strings.Contains(r.stdout, want) {
		t.Errorf("ctlake import: no line %q in:\n%s", want, r.stdout)
	}
	if !strings.Contains(srv.Log(), `"msg":"import skipped data"`) {
		t.Error("the server logged no note")
	}
}

// TestImportRoots: file:// imports read only inside --import-root: another
// folder is refused at StartImport, and links out of the root (to
// /etc/passwd, to /proc/self) are failures with their reason, never
// followed, while the tree's own files import exactly.
func TestImportRoots(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	srv := StartServer(t, WithArgs("--import-root", root))
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "rooted").EventDataStoreArn)

	outside := t.TempDir()
	_, err := c.StartImport(ctx, &cloudtrail.StartImportInput{Destinations: []string{store}, ImportSource: &types.ImportSource{S3: &types.S3ImportSource{
		S3LocationUri: aws.String("file://" + outside + "/"), S3BucketRegion: aws.String("us-east-1"), S3BucketAccessRoleArn: aws.String(testRole)}}})
	var ae smithy.APIError
	want := "The import source file://" + outside + "/ cannot be read: " + outside + " is outside the folders this server may import from (" + root +
		"); start the server with --import-root " + outside + " (the flag may be repeated) to allow it"
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidImportSourceException" || ae.ErrorMessage() != want {
		t.Errorf("StartImport outside the roots: %v; want InvalidImportSourceException: %s", err, want)
	}

	truth, err := trailgen.Generate(root, trailgen.Spec{Regions: []string{"us-east-1"}, Days: 1, FilesPerRegionDay: 3, Seed: 9,
		Start: time.Now().UTC().AddDate(0, 0, -2).Truncate(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	dayDir := filepath.Join(root, filepath.FromSlash(truth.DayPrefixes[0]))
	links := map[string]string{"passwd.json.gz": "/etc/passwd", "proc": "/proc/self"}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dayDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	// Below the account level every object is taken, links included.
	uri := "file://" + root + "/" + strings.Join(strings.Split(truth.DayPrefixes[0], "/")[:3], "/") + "/"
	done := waitImport(t, c, startImport(t, c, store, uri))
	wantStats(t, "import with links out of the root", done.ImportStatistics, int64(len(truth.DayPrefixes)), int64(len(truth.DayPrefixes)), int64(truth.Files), int64(truth.Events), 2)
	out, err := c.ListImportFailures(ctx, &cloudtrail.ListImportFailuresInput{ImportId: done.ImportId})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Failures) != 2 {
		t.Fatalf("failures %+v, want one per link", out.Failures)
	}
	for _, f := range out.Failures {
		loc := aws.ToString(f.Location)
		want := loc + " is behind a symbolic link that leads outside the import folder " + root + " (or loops); ctlake does not follow it"
		if aws.ToString(f.ErrorType) != "AccessDenied" || aws.ToString(f.ErrorMessage) != want || !strings.HasPrefix(loc, "file://"+dayDir+"/") {
			t.Errorf("failure %s: %s: %s; want AccessDenied: %s", loc, aws.ToString(f.ErrorType), aws.ToString(f.ErrorMessage), want)
		}
		if strings.Contains(aws.ToString(f.ErrorMessage), "root:") {
			t.Errorf("the message quotes the linked file: %s", aws.ToString(f.ErrorMessage))
		}
	}
}
