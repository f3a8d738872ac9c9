package e2e

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake/trailgen"
)

// These tests run the ctlake binary as the command-line client of a test
// server (ctlake stores, import, imports, import-status, failures, query),
// the way a person types it, and check what it prints against the ground
// truth: the shared dataset's README and raw files, or the generator's
// Truth. Output goes to pipes, as in a script, except in the test of the
// live progress display, which runs the CLI on a pseudo-terminal.

// ctlakeCLI runs `ctlake <command>` against a test server, signing with the
// test key and reading no configuration of the machine's user.
type ctlakeCLI struct {
	t   *testing.T
	srv *Server
	env []string
	dir string // working folder
}

func newCtlakeCLI(t *testing.T, srv *Server) *ctlakeCLI {
	home := t.TempDir()
	env := clientEnv(home, "HOME="+home, "AWS_REGION=us-east-1")
	return &ctlakeCLI{t: t, srv: srv, env: env, dir: home}
}

// ctlakeRun is what one CLI run printed and its exit status.
type ctlakeRun struct {
	stdout, stderr string
	code           int
}

func (r ctlakeRun) String() string {
	return "exit " + strconv.Itoa(r.code) + "\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// run runs the CLI with args, the server's --endpoint and stdin.
func (c *ctlakeCLI) run(stdin string, args ...string) ctlakeRun {
	c.t.Helper()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, binary, append(args, "--endpoint", c.srv.URL)...)
	cmd.Env, cmd.Dir = c.env, c.dir
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := ctlakeRun{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		c.t.Fatalf("ctlake %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// ok runs the CLI and fails the test unless it exits 0.
func (c *ctlakeCLI) ok(args ...string) ctlakeRun {
	c.t.Helper()
	r := c.run("", args...)
	if r.code != 0 {
		c.t.Fatalf("ctlake %s: %s", strings.Join(args, " "), r)
	}
	return r
}

// fails runs the CLI and checks its exit status and that stderr holds want.
func (c *ctlakeCLI) fails(code int, want string, args ...string) ctlakeRun {
	c.t.Helper()
	r := c.run("", args...)
	if r.code != code || !strings.Contains(r.stderr, want) {
		c.t.Errorf("ctlake %s: want exit %d and stderr with %q; got %s", strings.Join(args, " "), code, want, r)
	}
	return r
}

// ctlTableRows splits a table printed off a terminal into rows of cells. Cells
// are separated by two or more spaces; no value of these tests holds two
// spaces in a row.
func ctlTableRows(out string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		rows = append(rows, regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), -1))
	}
	return rows
}

// ctlRowWith returns the first table row whose first cell is key.
func ctlRowWith(rows [][]string, key string) []string {
	for _, r := range rows {
		if len(r) > 0 && r[0] == key {
			return r
		}
	}
	return nil
}

// ctlWantFields checks "Label:  value" lines of a summary.
func ctlWantFields(t *testing.T, what, out string, fields map[string]string) {
	t.Helper()
	for label, value := range fields {
		re := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(label) + `:\s+` + regexp.QuoteMeta(value) + `( \(.*\))?$`)
		if !re.MatchString(out) {
			t.Errorf("%s: no line %q with %q in:\n%s", what, label, value, out)
		}
	}
}

func TestCtlakeCLIStores(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	sdk := srv.Client("us-east-1")
	cli := newCtlakeCLI(t, srv)

	r := cli.ok("help")
	for _, cmd := range []string{"serve", "stores", "import", "imports", "import-status", "failures", "stop-import", "query"} {
		if !strings.Contains(r.stdout, "ctlake "+cmd+" ") {
			t.Errorf("ctlake help does not list %s:\n%s", cmd, r.stdout)
		}
	}
	if r := cli.run("", "stores", "-h"); r.code != 0 || !strings.Contains(r.stderr, "Usage: ctlake stores") {
		t.Errorf("stores -h: %s", r)
	}
	cli.fails(2, "takes one argument", "stores", "create")
	cli.fails(2, "unknown command", "no-such-command")
	if r := cli.ok("stores"); r.stdout != "" || !strings.Contains(r.stderr, "No event data stores") {
		t.Errorf("stores on an empty server: %s", r)
	}

	cli.ok("stores", "create", "audit")
	r = cli.ok("stores", "create", "guarded", "--retention-days", "30", "--termination-protection")
	ctlWantFields(t, "create guarded", r.stdout, map[string]string{"Name": "guarded", "Retention": "30 days", "Termination protection": "yes"})
	ids := map[string]string{} // name → id, from the SDK
	for _, name := range []string{"audit", "guarded"} {
		list, err := sdk.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list.EventDataStores {
			if aws.ToString(s.Name) == name {
				ids[name] = idOf(aws.ToString(s.EventDataStoreArn))
			}
		}
	}
	rows := ctlTableRows(cli.ok("stores").stdout)
	if want := []string{"NAME", "ID", "STATUS", "RETENTION", "PROTECTED", "CREATED"}; !slices.Equal(rows[0], want) {
		t.Errorf("stores header %q, want %q", rows[0], want)
	}
	if g := ctlRowWith(rows, "guarded"); len(g) != 6 || g[1] != ids["guarded"] || g[2] != "ENABLED" || g[3] != "30 days" || g[4] != "yes" {
		t.Errorf("stores row of guarded: %q (id %s)", g, ids["guarded"])
	}
	if a := ctlRowWith(rows, "audit"); len(a) != 6 || a[1] != ids["audit"] || a[2] != "ENABLED" || a[4] != "no" {
		t.Errorf("stores row of audit: %q (id %s)", a, ids["audit"])
	}

	status := func(id string) types.EventDataStoreStatus {
		t.Helper()
		return get(t, sdk, id).Status
	}
	// Protected: the API's error, as CODE: message, exit status 1.
	cli.fails(1, "EventDataStoreTerminationProtectedException: ", "stores", "delete", "guarded")
	// By name, by id, by ARN.
	cli.ok("stores", "delete", "audit")
	if s := status(ids["audit"]); s != types.EventDataStoreStatusPendingDeletion {
		t.Errorf("after stores delete: %s", s)
	}
	if a := ctlRowWith(ctlTableRows(cli.ok("stores").stdout), "audit"); len(a) < 3 || a[2] != "PENDING_DELETION" {
		t.Errorf("stores row of a deleted store: %q", a)
	}
	cli.ok("stores", "restore", ids["audit"])
	if s := status(ids["audit"]); s != types.EventDataStoreStatusEnabled {
		t.Errorf("after stores restore: %s", s)
	}
	arn := "arn:aws:cloudtrail:us-east-1:" + testAccount + ":eventdatastore/" + ids["audit"]
	ctlWantFields(t, "stop-ingestion", cli.ok("stores", "stop-ingestion", arn).stdout, map[string]string{"Status": "STOPPED_INGESTION"})
	if s := status(ids["audit"]); s != types.EventDataStoreStatusStoppedIngestion {
		t.Errorf("after stores stop-ingestion: %s", s)
	}
	cli.ok("stores", "start-ingestion", "audit")
	if s := status(ids["audit"]); s != types.EventDataStoreStatusEnabled {
		t.Errorf("after stores start-ingestion: %s", s)
	}
	// An unknown name is refused before any call that changes anything.
	cli.fails(1, `no event data store is named "nosuch" in region us-east-1`, "stores", "delete", "nosuch")
	cli.fails(1, "EventDataStoreNotFoundException: ", "stores", "show", "00000000-0000-4000-8000-000000000000")
	cli.fails(2, "applies to `ctlake stores create` only", "stores", "delete", "audit", "--retention-days", "9")
}

// invictusConsoleLogins reads the ConsoleLogin events of the shared dataset from its
// raw files, as the rows a query of eventTime, userIdentity.arn,
// sourceIPAddress and errorCode must give, in eventTime order.
func invictusConsoleLogins(t *testing.T, dir string) [][]*string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "AWSLogs", "*", "CloudTrail", "*", "*", "*", "*", "*.json.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no trail files under %s: %v", dir, err)
	}
	var rows [][]*string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatal(err)
		}
		var log struct {
			Records []struct {
				EventName       string
				EventTime       string
				SourceIPAddress string
				ErrorCode       *string
				UserIdentity    struct{ ARN *string }
			}
		}
		if err := json.NewDecoder(zr).Decode(&log); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		fh.Close()
		for _, r := range log.Records {
			if r.EventName != "ConsoleLogin" {
				continue
			}
			ts, err := time.Parse(time.RFC3339, r.EventTime)
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, []*string{aws.String(ts.UTC().Format("2006-01-02 15:04:05.000")), r.UserIdentity.ARN, aws.String(r.SourceIPAddress), r.ErrorCode})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return *rows[i][0] < *rows[j][0] })
	return rows
}

func ctlOrNull(p *string) string {
	if p == nil {
		return "NULL"
	}
	return *p
}

func TestCtlakeCLIImportAndQueryInvictus(t *testing.T) {
	t.Parallel()
	dir := invictusDir(t)
	srv := StartServer(t)
	cli := newCtlakeCLI(t, srv)
	cli.ok("stores", "create", "invictus", "--retention-days", "3653")

	// The import, to a pipe: no redraws, then the summary with the
	// README's figures (55 files, 2,900 events, one region-day folder).
	r := cli.ok("import", "file://"+dir+"/", "--store", "invictus")
	if strings.ContainsAny(r.stdout+r.stderr, "\r\x1b") {
		t.Errorf("output to a pipe holds carriage returns or escapes: %q", r.stdout+r.stderr)
	}
	ctlWantFields(t, "import summary", r.stdout, map[string]string{
		"Status": "COMPLETED", "Prefixes": "1 of 1 completed", "Files": "55 completed", "Failed entries": "0",
	})
	if !regexp.MustCompile(`(?m)^\s*Events:\s+2,900 completed \([\d,]+/s\)$`).MatchString(r.stdout) || !strings.Contains(r.stdout, "No failures.") {
		t.Errorf("import summary lacks 2,900 events or 'No failures.':\n%s", r.stdout)
	}
	m := regexp.MustCompile(`\(import ([0-9a-f-]{36})\)`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no import id in:\n%s", r.stdout)
	}
	id := m[1]

	rows := ctlTableRows(cli.ok("imports").stdout)
	if want := []string{"ID", "STATUS", "DESTINATION", "CREATED", "EVENTS"}; !slices.Equal(rows[0], want) {
		t.Errorf("imports header %q, want %q", rows[0], want)
	}
	if row := ctlRowWith(rows, id); len(row) != 5 || row[1] != "COMPLETED" || row[2] != "invictus" || row[4] != "2,900" {
		t.Errorf("imports row: %q", row)
	}
	status := cli.ok("import-status", id).stdout
	ctlWantFields(t, "import-status", status, map[string]string{"Status": "COMPLETED", "Files": "55 completed"})
	// No window was asked for: the store's retention cut-off is the only bound.
	if !regexp.MustCompile(`(?m)^\s*Window:\s+events since \S+ \S+ \(the store's retention cut-off\)$`).MatchString(status) {
		t.Errorf("import-status: no Window line with the retention cut-off in:\n%s", status)
	}
	if !strings.Contains(status, "file://"+dir+"/") {
		t.Errorf("import-status does not show the source:\n%s", status)
	}
	if r := cli.ok("failures", id); strings.TrimSpace(r.stdout) != "No failures." {
		t.Errorf("failures of a clean import: %s", r)
	}
	cli.fails(1, "ImportNotFoundException: ", "import-status", "00000000-0000-4000-8000-000000000000")
	cli.fails(1, "ImportNotFoundException: ", "stop-import", "00000000-0000-4000-8000-000000000000")

	// The console logins, in each format. The store is named in the SQL;
	// --store turns the name into its id.
	want := invictusConsoleLogins(t, dir)
	if len(want) == 0 {
		t.Fatal("the dataset holds no ConsoleLogin event")
	}
	const sql = `SELECT eventTime, userIdentity.arn, sourceIPAddress, errorCode FROM invictus WHERE eventName = 'ConsoleLogin' ORDER BY eventTime`
	header := []string{"eventTime", "arn", "sourceIPAddress", "errorCode"}

	r = cli.ok("query", sql, "--store", "invictus")
	rows = ctlTableRows(r.stdout)
	if !slices.Equal(rows[0], header) || len(rows) != len(want)+1 {
		t.Fatalf("query table:\n%s\nwant %d rows under %q", r.stdout, len(want), header)
	}
	for i, w := range want {
		if wantRow := []string{*w[0], ctlOrNull(w[1]), *w[2], ctlOrNull(w[3])}; !slices.Equal(rows[i+1], wantRow) {
			t.Errorf("query table row %d: %q, want %q", i, rows[i+1], wantRow)
		}
	}
	if !regexp.MustCompile(`^` + strconv.Itoa(len(want)) + ` rows; 2,900 events scanned, ` + strconv.Itoa(len(want)) + ` matched, .* query [0-9a-f-]{36}\n$`).MatchString(r.stderr) {
		t.Errorf("query statistics on stderr: %q", r.stderr)
	}

	r = cli.ok("query", sql, "--store", "invictus", "--format", "csv")
	records, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(records) != len(want)+1 || !slices.Equal(records[0], header) {
		t.Fatalf("query csv (%v):\n%s", err, r.stdout)
	}
	for i, w := range want {
		nullAsEmpty := func(p *string) string { return aws.ToString(p) }
		if wantRow := []string{*w[0], nullAsEmpty(w[1]), *w[2], nullAsEmpty(w[3])}; !slices.Equal(records[i+1], wantRow) {
			t.Errorf("query csv row %d: %q, want %q", i, records[i+1], wantRow)
		}
	}

	r = cli.ok("query", sql, "--store", "invictus", "--format", "json")
	var objects []map[string]*string
	if err := json.Unmarshal([]byte(r.stdout), &objects); err != nil || len(objects) != len(want) {
		t.Fatalf("query json (%v):\n%s", err, r.stdout)
	}
	for i, w := range want {
		o := objects[i]
		if len(o) != 4 || aws.ToString(o["eventTime"]) != *w[0] || aws.ToString(o["arn"]) != aws.ToString(w[1]) ||
			aws.ToString(o["sourceIPAddress"]) != *w[2] || (o["errorCode"] == nil) != (w[3] == nil) {
			t.Errorf("query json row %d: %v, want %q", i, o, []string{*w[0], ctlOrNull(w[1]), *w[2], ctlOrNull(w[3])})
		}
	}
	if k := strings.Index(r.stdout, `"eventTime"`); k < 0 || k > strings.Index(r.stdout, `"arn"`) {
		t.Errorf("json keys are not in SELECT order:\n%s", r.stdout)
	}

	// SQL from stdin, with the $store placeholder.
	r = cli.run("SELECT count(*) AS n FROM $store WHERE eventName = 'ConsoleLogin'\n", "query", "-", "--store", "invictus", "--format", "csv")
	if r.code != 0 || r.stdout != "n\n"+strconv.Itoa(len(want))+"\n" {
		t.Errorf("query from stdin: %s", r)
	}

	// Errors: a bad statement (the API's code and message), an unknown store
	// name, --store that the SQL does not use.
	r = cli.fails(1, "InvalidQueryStatementException: ", "query", "SELECT eventName FROM invictus WHERE", "--store", "invictus")
	if r.stdout != "" {
		t.Errorf("a refused query printed on stdout: %q", r.stdout)
	}
	cli.fails(1, `no event data store is named "nosuch"`, "query", "SELECT 1 FROM nosuch", "--store", "nosuch")
	cli.fails(2, "names neither $store nor invictus", "query", "SELECT 1 FROM other", "--store", "invictus")
}

// TestCtlakeCLIProgressOnTerminal runs an import on a pseudo-terminal (with
// script(1)) and checks that the progress line is redrawn in place.
func TestCtlakeCLIProgressOnTerminal(t *testing.T) {
	t.Parallel()
	dir := invictusDir(t)
	script := need(t, "script", "install util-linux's script (apt-get install bsdutils)")
	// One worker keeps the import running for a few polls.
	srv := StartServer(t, WithArgs("--import-workers", "1"))
	cli := newCtlakeCLI(t, srv)
	cli.ok("stores", "create", "invictus", "--retention-days", "3653")

	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	line := strings.Join([]string{quote(binary), "import", quote("file://" + dir + "/"), "--store", "invictus", "--endpoint", quote(srv.URL)}, " ")
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, script, "-qec", line, "/dev/null")
	cmd.Env, cmd.Dir = append(cli.env, "TERM=xterm", "COLUMNS=200"), cli.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ctlake import on a terminal: %v\n%q", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "\r\x1b[K") || !regexp.MustCompile(`\r\x1b\[K\S* ?(\x1b\[\d+m)?(INITIALIZING|IN_PROGRESS)`).MatchString(s) {
		t.Errorf("no progress line redrawn in place (\\r, clear line, status):\n%q", s)
	}
	if !regexp.MustCompile(`\r\x1b\[K(\x1b\[\d+m)?COMPLETED(\x1b\[0m)? \d+:\d\d · prefixes 1/1 · files 55 · events 2,900 `).MatchString(s) {
		t.Errorf("the last redraw does not show the final figures:\n%q", s)
	}
	if !strings.Contains(s, "\x1b[32mCOMPLETED\x1b[0m") {
		t.Errorf("no colour on a terminal:\n%q", s)
	}
}

func TestCtlakeCLIImportFailuresAndDetach(t *testing.T) {
	t.Parallel()
	broken := []string{trailgen.BrokenNotGzip, trailgen.BrokenNoRecords, trailgen.BrokenBadEventTime}
	src, truth := generate(t, "file", trailgen.Spec{
		Regions: []string{"us-east-1", "eu-west-1"}, Days: 2, FilesPerRegionDay: 2,
		Start: time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC), Seed: 7, Broken: broken,
	})
	srv := StartServer(t)
	cli := newCtlakeCLI(t, srv)
	cli.ok("stores", "create", "generated", "--retention-days", "3653")

	// A failed import: exit status 1, its summary, then the failures table
	// with each broken file of the ground truth and its error type.
	r := cli.run("", "import", src.uri, "--store", "generated")
	if r.code != 1 {
		t.Fatalf("import of a tree with broken files: want exit 1, got %s", r)
	}
	n := len(truth.DayPrefixes)
	ctlWantFields(t, "failed import", r.stdout, map[string]string{
		"Status": "FAILED", "Prefixes": strconv.Itoa(n) + " of " + strconv.Itoa(n) + " completed", "Files": strconv.Itoa(truth.Files) + " completed",
		"Failed entries": strconv.Itoa(len(truth.Broken)),
	})
	if !strings.Contains(r.stdout, "Failures ("+strconv.Itoa(len(truth.Broken))+"):") {
		t.Errorf("no failures heading:\n%s", r.stdout)
	}
	checkFailureTable := func(what, out string) {
		t.Helper()
		rows := ctlTableRows(out)
		var header []string
		for i, row := range rows {
			if len(row) > 0 && row[0] == "LOCATION" {
				header, rows = row, rows[i+1:]
				break
			}
		}
		if want := []string{"LOCATION", "TYPE", "STATUS", "TIME", "MESSAGE"}; !slices.Equal(header, want) {
			t.Fatalf("%s: no failures table (header %q):\n%s", what, header, out)
		}
		var got, wantRows []string
		for _, row := range rows {
			if len(row) != 5 || len(row[4]) < 20 {
				t.Errorf("%s: row without a useful message: %q", what, row)
				continue
			}
			got = append(got, row[0]+" "+row[1]+" "+row[2])
		}
		for _, b := range truth.Broken {
			wantRows = append(wantRows, src.location(b.Key)+" "+b.FailureType+" FAILED")
		}
		sort.Strings(got)
		sort.Strings(wantRows)
		if !slices.Equal(got, wantRows) {
			t.Errorf("%s: failures\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(wantRows, "\n"))
		}
	}
	checkFailureTable("import", r.stdout)
	id := regexp.MustCompile(`\(import ([0-9a-f-]{36})\)`).FindStringSubmatch(r.stdout)
	if id == nil {
		t.Fatalf("no import id in:\n%s", r.stdout)
	}
	checkFailureTable("failures", cli.ok("failures", id[1]).stdout)

	// --detach prints the id alone and returns while the import runs on.
	cli.ok("stores", "create", "detached", "--retention-days", "3653")
	r = cli.ok("import", src.uri, "--store", "detached", "--detach")
	detached := strings.TrimSpace(r.stdout)
	if !isLowerUUID(detached) || r.stdout != detached+"\n" {
		t.Fatalf("import --detach printed %q, want an import id alone", r.stdout)
	}
	if !strings.Contains(r.stderr, "ctlake import-status "+detached+" --watch") {
		t.Errorf("import --detach does not say how to follow it: %q", r.stderr)
	}
	done := waitImport(t, srv.Client("us-east-1"), detached)
	if done.ImportStatus != types.ImportStatusFailed {
		t.Errorf("detached import ended %s", done.ImportStatus)
	}
	ctlWantFields(t, "import-status", cli.ok("import-status", detached).stdout, map[string]string{
		"Status": "FAILED", "Events": ctlGroupThousands(truth.Events) + " completed", "Failed entries": strconv.Itoa(len(truth.Broken)),
	})
	rows := ctlTableRows(cli.ok("imports").stdout)
	if len(rows) != 3 || ctlRowWith(rows, detached) == nil || ctlRowWith(rows, id[1]) == nil {
		t.Errorf("imports lists %q, want the two imports", rows)
	}
	if row := ctlRowWith(rows, detached); len(row) != 5 || row[1] != "FAILED" || row[2] != "detached" || row[4] != ctlGroupThousands(truth.Events) {
		t.Errorf("imports row of the detached import: %q", row)
	}
}

// ctlGroupThousands writes n as the CLI does: 12345 → "12,345".
func ctlGroupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestCtlakeCLIUsesLocalServerKey runs the CLI with no AWS credentials
// beside the data folder of a server that made its own key: the CLI signs
// with that key and says so.
func TestCtlakeCLIUsesLocalServerKey(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	srv := StartServer(t, WithoutEnvCredentials(), WithArgs("--data", filepath.Join(work, "ctlake-data")))
	cli := newCtlakeCLI(t, srv)
	cli.env = slices.DeleteFunc(cli.env, func(kv string) bool {
		return strings.HasPrefix(kv, "AWS_ACCESS_KEY_ID=") || strings.HasPrefix(kv, "AWS_SECRET_ACCESS_KEY=")
	})
	cli.dir = work
	r := cli.ok("stores", "create", "keyed")
	if !strings.Contains(r.stderr, "signing with the key in ctlake-data/credentials.env") {
		t.Errorf("the CLI did not say which key it used: %q", r.stderr)
	}
	// Elsewhere, with no key at all, it says what to do.
	cli.dir = t.TempDir()
	cli.fails(1, "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", "stores")
}

// TestCtlakeCLIInterrupt sends Ctrl-C (SIGINT) to the CLI while it follows
// an import (it detaches; the import runs on until stop-import) and while
// it waits for a query (it cancels the query).
func TestCtlakeCLIInterrupt(t *testing.T) {
	t.Parallel()
	small, _ := generate(t, "file", trailgen.Spec{Days: 1, FilesPerRegionDay: 4, MinEventsPerFile: 40, MaxEventsPerFile: 50,
		Start: time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC), Seed: 11})
	big, _ := generate(t, "file", trailgen.Spec{Regions: []string{"us-east-1", "eu-west-1"}, Days: 10, FilesPerRegionDay: 20,
		Start: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Seed: 12})
	// One worker makes the big import last long enough to be interrupted.
	srv := StartServer(t, WithArgs("--import-workers", "1"))
	sdk := srv.Client("us-east-1")
	cli := newCtlakeCLI(t, srv)
	cli.ok("stores", "create", "small", "--retention-days", "3653")
	cli.ok("stores", "create", "big", "--retention-days", "3653")
	smallImport := regexp.MustCompile(`\(import ([0-9a-f-]{36})\)`).FindStringSubmatch(cli.ok("import", small.uri, "--store", "small").stdout)
	if smallImport == nil {
		t.Fatal("no import id in the output of ctlake import")
	}

	// start runs the CLI in the background; ready says when to interrupt.
	start := func(args ...string) (cmd *exec.Cmd, stdout, stderr *strings.Builder) {
		cmd = exec.Command(binary, append(args, "--endpoint", srv.URL)...)
		cmd.Env, cmd.Dir = cli.env, cli.dir
		stdout, stderr = &strings.Builder{}, &strings.Builder{}
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, stdout, stderr
	}
	interrupt := func(cmd *exec.Cmd) int {
		t.Helper()
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				return exit.ExitCode()
			}
			return 0
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("the CLI did not end within 30s of Ctrl-C")
		}
		return -1
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within a minute", what)
			}
		}
	}

	// The import: Ctrl-C once it is running detaches; the import goes on.
	imports := func() []types.ImportsListItem {
		out, err := sdk.ListImports(ctx, &cloudtrail.ListImportsInput{ImportStatus: types.ImportStatusInProgress})
		if err != nil {
			t.Fatal(err)
		}
		return out.Imports
	}
	cmd, _, stderr := start("import", big.uri, "--store", "big")
	waitFor("a running import", func() bool { return len(imports()) == 1 })
	id := aws.ToString(imports()[0].ImportId)
	if code := interrupt(cmd); code != 130 {
		t.Errorf("Ctrl-C during an import: exit %d, want 130; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr.String(), "Detached: import "+id+" keeps running") || !strings.Contains(stderr.String(), "ctlake stop-import "+id) {
		t.Errorf("Ctrl-C during an import does not say how to follow or stop it:\n%s", stderr)
	}
	if got, err := sdk.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: &id}); err != nil || got.ImportStatus != types.ImportStatusInProgress {
		t.Errorf("after the CLI detached, the import is %v (%v), want IN_PROGRESS", got.ImportStatus, err)
	}
	ctlWantFields(t, "stop-import", cli.ok("stop-import", id).stdout, map[string]string{"Status": "STOPPED"})
	cli.fails(1, "OperationNotPermittedException: ", "stop-import", smallImport[1])

	// The query: a cross join of ~200 events five times over runs for
	// hours; Ctrl-C cancels it.
	running := func() []types.Query {
		out, err := sdk.ListQueries(ctx, &cloudtrail.ListQueriesInput{EventDataStore: aws.String(ctlStoreARN(t, sdk, "small")), QueryStatus: types.QueryStatusRunning})
		if err != nil {
			t.Fatal(err)
		}
		return out.Queries
	}
	cmd, stdout, stderr := start("query", `SELECT count(*) FROM $store a CROSS JOIN $store b CROSS JOIN $store c CROSS JOIN $store d CROSS JOIN $store e`, "--store", "small")
	waitFor("a running query", func() bool { return len(running()) == 1 })
	qid := aws.ToString(running()[0].QueryId)
	if code := interrupt(cmd); code != 130 || stdout.Len() != 0 {
		t.Errorf("Ctrl-C during a query: exit %d, want 130, and no result; stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr.String(), "Cancelled query "+qid) {
		t.Errorf("Ctrl-C during a query does not say it cancelled it:\n%s", stderr)
	}
	d, err := sdk.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: &qid})
	if err != nil || d.QueryStatus != types.QueryStatusCancelled {
		t.Errorf("after Ctrl-C the query is %v (%v), want CANCELLED", d.QueryStatus, err)
	}
}

// ctlStoreARN returns the ARN of the store called name.
func ctlStoreARN(t *testing.T, sdk *cloudtrail.Client, name string) string {
	t.Helper()
	list, err := sdk.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list.EventDataStores {
		if aws.ToString(s.Name) == name {
			return aws.ToString(s.EventDataStoreArn)
		}
	}
	t.Fatalf("no store named %s", name)
	return ""
}
