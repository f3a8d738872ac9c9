package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/ctlake/ctlake/ctlaketest"
)

// TestConsole drives the web console in headless Chromium: sign in (a wrong
// secret first), create a store, import the invictus dataset from a real
// S3 server, watch the import finish, query the console logins, and check
// the table, the chart, sorting and the CSV download against figures taken
// from the raw trail files. A screenshot of each page goes to artefacts.
func TestConsole(t *testing.T) {
	chrome := need(t, "chromium", "install Debian's chromium: apt-get install chromium")
	dir := invictusDir(t)
	truth := readInvictus(t, dir)
	vgw := ctlaketest.StartVersity(t)
	vgw.CreateBucket(t, "trail-bucket")
	copyTree(t, filepath.Join(dir, "AWSLogs"), filepath.Join(vgw.BucketDir("trail-bucket"), "AWSLogs"))
	srv := StartServer(t, WithEnv(vgw.Env()...))
	shots := artefactsDir(t)
	b := startBrowser(t, chrome)

	// Sign in: a wrong secret is refused with a message, the right one opens
	// the stores page.
	b.do(chromedp.Navigate(srv.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#signin")),
		chromedp.SendKeys(chromedp.CSS("#access-key-id"), testAccessKey),
		chromedp.SendKeys(chromedp.CSS("#secret-access-key"), "not-the-secret-key"),
		chromedp.Click(chromedp.CSS("#signin-submit")))
	refusal := b.poll(`document.querySelector('#signin-error').textContent`, 10*time.Second)
	if !strings.Contains(refusal, "not the pair the server accepts") {
		t.Errorf("a wrong secret is refused with %q", refusal)
	}
	if shown := b.poll(`String(document.querySelector('#top').checkVisibility())`, time.Second); shown != "false" {
		t.Errorf("the page header shows before sign-in")
	}
	b.screenshot(shots, "console-signin.png")
	b.do(chromedp.SendKeys(chromedp.CSS("#secret-access-key"), testSecretKey), chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#create-store")))

	// Create a store reaching back to 2023, without termination protection.
	b.do(chromedp.SendKeys(chromedp.CSS("#store-name"), "console-invictus"),
		chromedp.SetValue(chromedp.CSS("#store-retention"), "3653"),
		chromedp.Click(chromedp.CSS("#store-protection")),
		chromedp.Click(chromedp.CSS("#create-store-submit")))
	storeID := b.poll(`[...document.querySelectorAll('#stores-table tbody tr')].filter(r => r.cells[0].textContent === 'console-invictus').map(r => r.dataset.storeId)[0]`, 10*time.Second)
	c := srv.Client("us-east-1")
	got, err := c.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(storeID)})
	if err != nil {
		t.Fatalf("the store the console made: %v", err)
	}
	if aws.ToInt32(got.RetentionPeriod) != 3653 || aws.ToBool(got.TerminationProtectionEnabled) || aws.ToString(got.Name) != "console-invictus" {
		t.Errorf("the console made %s with retention %d, protection %v", aws.ToString(got.Name), aws.ToInt32(got.RetentionPeriod), aws.ToBool(got.TerminationProtectionEnabled))
	}
	b.screenshot(shots, "console-stores.png")

	// Import from versitygw; a MutationObserver records every state the row
	// shows, so the test sees the progress the page showed, not just the end.
	b.do(chromedp.Click(chromedp.CSS("#nav-imports")), chromedp.WaitVisible(chromedp.CSS("#start-import")))
	b.poll(`document.querySelector('#import-destination').options.length > 0`, 10*time.Second)
	b.eval(`window.seen = [];
		new MutationObserver(() => {
			for (const r of document.querySelectorAll('#imports-table tbody tr[data-import-id]')) {
				const s = r.dataset.status + ' ' + r.querySelector('.files').textContent + ' ' + r.querySelector('.events').textContent;
				if (window.seen[window.seen.length - 1] !== s) window.seen.push(s);
			}
		}).observe(document.querySelector('#imports-table tbody'), {subtree: true, childList: true, characterData: true, attributes: true});`)
	b.do(chromedp.SendKeys(chromedp.CSS("#import-uri"), "s3://trail-bucket"), chromedp.Click(chromedp.CSS("#start-import-submit")))
	b.poll(`!!document.querySelector('#imports-table tbody tr[data-status="COMPLETED"], #imports-table tbody tr[data-status="FAILED"]')`, 90*time.Second)
	var row struct {
		Status, Files, Events, Failed, Prefixes string
		Value, Max                              float64
		Seen                                    []string
	}
	b.evalInto(`(() => { const r = document.querySelector('#imports-table tbody tr[data-import-id]'); const p = r.querySelector('progress');
		return {Status: r.dataset.status, Files: r.querySelector('.files').textContent, Events: r.querySelector('.events').textContent,
			Failed: r.querySelector('.failed').textContent, Prefixes: r.querySelector('.prefixes').textContent, Value: p.value, Max: p.max, Seen: window.seen}; })()`, &row)
	t.Logf("the import row showed: %q", row.Seen)
	// The dataset's README: 55 files, 2,900 events, one region-day prefix.
	if row.Status != "COMPLETED" || row.Files != "55" || row.Events != "2,900" || row.Failed != "0" || !strings.Contains(row.Prefixes, "1 / 1") {
		t.Errorf("the import row shows %+v; want COMPLETED, 55 files, 2,900 events, 0 failed, prefixes 1 / 1", row)
	}
	if row.Max != 1 || row.Value != row.Max {
		t.Errorf("the progress bar ends at %v of %v, want full", row.Value, row.Max)
	}
	if len(row.Seen) == 0 || !strings.HasPrefix(row.Seen[len(row.Seen)-1], "COMPLETED 55 2,900") {
		t.Errorf("the row never showed the finished import: %q", row.Seen)
	}
	b.do(chromedp.Click(chromedp.CSS(".failures-button")))
	if msg := b.poll(`[...document.querySelectorAll('#failures p')].map(p => p.textContent).find(t => t !== 'Loading…')`, 10*time.Second); msg != "This import has no failures." {
		t.Errorf("the failures of the import show %q", msg)
	}

	// A folder whose one log file is not gzip: the import fails, and its
	// failure shows as a row of the failures table.
	badDir := filepath.Join(t.TempDir(), "bad-trail")
	badFile := filepath.Join(badDir, "AWSLogs", testAccount, "CloudTrail", "us-east-1", "2023", "07", "10", testAccount+"_CloudTrail_us-east-1_20230710T1200Z_bad.json.gz")
	if err := os.MkdirAll(filepath.Dir(badFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(badFile, []byte(`{"Records": []} (not gzip)`), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.SetValue(chromedp.CSS("#import-kind"), "file"), chromedp.SetValue(chromedp.CSS("#import-uri"), "file://"+badDir+"/"),
		chromedp.Click(chromedp.CSS("#start-import-submit")))
	failedRow := `#imports-table tbody tr[data-status="FAILED"]`
	b.poll(`!!document.querySelector('`+failedRow+`')`, 60*time.Second)
	b.do(chromedp.Click(chromedp.CSS(failedRow + " .failures-button")))
	var failures [][]string
	b.poll(`document.querySelectorAll('#failures-table tbody tr').length > 0`, 10*time.Second)
	b.evalInto(`[...document.querySelectorAll('#failures-table tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))`, &failures)
	if len(failures) != 1 || failures[0][0] != "file://"+badFile || failures[0][1] != "FAILED" || failures[0][2] != "InvalidFileFormat" {
		t.Errorf("the failures table shows %q; want one InvalidFileFormat failure of %s", failures, badFile)
	}
	b.screenshot(shots, "console-imports.png")

	// Query the console logins per user.
	b.do(chromedp.Click(chromedp.CSS("#nav-query")), chromedp.WaitVisible(chromedp.CSS("#query-sql")))
	if sel := b.poll(`document.querySelector('#query-store').value`, 10*time.Second); sel != storeID {
		t.Errorf("the store picker holds %q, want %s", sel, storeID)
	}
	// The schema lists the 34 Lake columns of spec §6.2 (the console
	// package checks them against a segment file).
	b.poll(`document.querySelectorAll('aside.schema li').length > 0`, 10*time.Second)
	var columns []string
	b.evalInto(`[...document.querySelectorAll('aside.schema > ul > li > code')].map(c => c.textContent)`, &columns)
	if len(columns) != 34 || columns[0] != "eventVersion" || !slices.Contains(columns, "userIdentity") || !slices.Contains(columns, "eventTime") {
		t.Errorf("the schema beside the editor lists %d columns: %q", len(columns), columns)
	}
	table := b.runQuery(fmt.Sprintf("SELECT userIdentity.arn, count(*) AS logins FROM %s WHERE eventName = 'ConsoleLogin' GROUP BY 1 ORDER BY 2 DESC", storeID))
	if !slices.Equal(table.Columns, []string{"arn", "logins"}) {
		t.Errorf("the result's columns are %q, want arn, logins", table.Columns)
	}
	logins := truth.consoleLogins
	if len(table.Rows) != len(logins) {
		t.Errorf("the result has %d rows, the trail files %d users with console logins", len(table.Rows), len(logins))
	}
	for _, r := range table.Rows {
		if want := fmt.Sprint(logins[r[0]]); r[1] != want {
			t.Errorf("%s: the table shows %s logins, the trail files %s", r[0], r[1], want)
		}
	}
	if bars := b.poll(`String(document.querySelectorAll('#query-chart svg rect.bar').length)`, 5*time.Second); bars != fmt.Sprint(len(logins)) {
		t.Errorf("the bar chart has %s bars, want %d", bars, len(logins))
	}

	// Sort by arn with the mouse (ascending), then with the keyboard
	// (descending).
	arns := make([]string, 0, len(logins))
	for arn := range logins {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	b.do(chromedp.Click(chromedp.CSS("#result-table thead th:nth-child(1) button")))
	if got := b.column(0); !slices.Equal(got, arns) {
		t.Errorf("sorted by arn the table shows %q, want %q", got, arns)
	}
	b.do(chromedp.Focus(chromedp.CSS("#result-table thead th:nth-child(1) button")), chromedp.KeyEvent("\r"))
	slices.Reverse(arns)
	if got := b.column(0); !slices.Equal(got, arns) {
		t.Errorf("sorted by arn descending (keyboard) the table shows %q, want %q", got, arns)
	}
	if s := b.poll(`document.querySelector('#result-table thead th:nth-child(1)').getAttribute('aria-sort')`, time.Second); s != "descending" {
		t.Errorf("aria-sort is %q after the second sort", s)
	}
	b.screenshot(shots, "console-query.png")

	// The CSV download holds the same rows.
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads, EventsEnabled: aws.Bool(true)}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	b.do(chromedp.Click(chromedp.CSS("#query-csv")))
	records := readDownloadedCSV(t, downloads)
	if len(records) != len(logins)+1 || !slices.Equal(records[0], []string{"arn", "logins"}) {
		t.Errorf("the CSV holds %q", records)
	}
	for _, r := range records[1:] {
		if want := fmt.Sprint(logins[r[0]]); r[1] != want {
			t.Errorf("CSV: %s has %s logins, want %s", r[0], r[1], want)
		}
	}

	// The most frequent event names of the dataset's README, as a bar chart.
	top := b.runQuery(fmt.Sprintf("SELECT eventName, count(*) AS n FROM %s GROUP BY eventName ORDER BY n DESC LIMIT 3", storeID))
	wantTop := [][]string{{"Decrypt", "178"}, {"DescribeRouteTables", "163"}, {"GetUser", "130"}}
	if !slices.EqualFunc(top.Rows, wantTop, slices.Equal[[]string]) {
		t.Errorf("the top event names are %q, want %q (README)", top.Rows, wantTop)
	}
	// Events per minute, as a time chart with one point per minute.
	b.runQuery(fmt.Sprintf("SELECT date_trunc('minute', eventTime) AS minute, count(*) AS events FROM %s GROUP BY 1 ORDER BY 1", storeID))
	if points := b.poll(`String(document.querySelectorAll('#query-chart svg.time-chart circle.point').length)`, 5*time.Second); points != fmt.Sprint(truth.minutes) {
		t.Errorf("the time chart has %s points, the trail files have events in %d minutes", points, truth.minutes)
	}
	b.screenshot(shots, "console-query-time-chart.png")
	if n := b.poll(`String(document.querySelectorAll('#query-history li').length)`, time.Second); n != "3" {
		t.Errorf("the history lists %s queries, want 3", n)
	}

	// Stop and start ingestion, delete and restore, on the stores page.
	b.do(chromedp.Click(chromedp.CSS("#nav-stores")), chromedp.WaitVisible(chromedp.CSS("#create-store")))
	storeRow := fmt.Sprintf(`#stores-table tbody tr[data-store-id=%q]`, storeID)
	for _, step := range []struct{ button, status string }{
		{"stop-ingestion", "STOPPED_INGESTION"}, {"start-ingestion", "ENABLED"}, {"delete", ""}, {"delete", "PENDING_DELETION"}, {"restore", "ENABLED"},
	} {
		b.do(chromedp.Click(chromedp.CSS(storeRow + ` button[data-action=` + step.button + `]`)))
		if step.status == "" {
			continue // the first click on Delete only arms it
		}
		b.poll(fmt.Sprintf(`document.querySelector(%q)?.cells[2].textContent === %q`, storeRow, step.status), 10*time.Second)
		got, err := c.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(storeID)})
		if err != nil || string(got.Status) != step.status {
			t.Errorf("after %s the page shows %s, the SDK %v (%v)", step.button, step.status, got.Status, err)
		}
	}

	// The secret is nowhere the page keeps things, nor in the server's log.
	var kept struct{ HTML, Session, Local, URL string }
	b.evalInto(`({HTML: document.documentElement.outerHTML, Session: JSON.stringify(sessionStorage), Local: JSON.stringify(localStorage), URL: location.href})`, &kept)
	for what, v := range map[string]string{"page": kept.HTML, "sessionStorage": kept.Session, "localStorage": kept.Local, "URL": kept.URL} {
		if strings.Contains(v, testSecretKey) {
			t.Errorf("the secret is in the %s", what)
		}
	}
	if strings.Contains(srv.Log(), testSecretKey) {
		t.Errorf("the secret is in the server's log")
	}

	// Signing out returns to the sign-in form, and the session is gone.
	b.do(chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#signin")))
	after := b.poll(`fetch('/console/session').then(r => r.json()).then(s => String(s.signedIn))`, 5*time.Second)
	if after != "false" {
		t.Errorf("after signing out the session answers signedIn=%s", after)
	}
	b.checkPageErrors()
}

// invictusTruth holds figures computed from the raw trail files.
type invictusTruth struct {
	consoleLogins map[string]int // userIdentity.arn → ConsoleLogin events
	minutes       int            // distinct minutes with events
}

func readInvictus(t *testing.T, dir string) invictusTruth {
	t.Helper()
	truth := invictusTruth{consoleLogins: map[string]int{}}
	minutes := map[string]bool{}
	files, err := filepath.Glob(filepath.Join(dir, "AWSLogs", "*", "CloudTrail", "*", "*", "*", "*", "*.json.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no trail files in %s (%v)", dir, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var doc struct {
			Records []struct {
				EventName    string `json:"eventName"`
				EventTime    string `json:"eventTime"`
				UserIdentity struct {
					ARN string `json:"arn"`
				} `json:"userIdentity"`
			}
		}
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range doc.Records {
			if r.EventName == "ConsoleLogin" {
				truth.consoleLogins[r.UserIdentity.ARN]++
			}
			minutes[r.EventTime[:16]] = true // 2023-07-10T11:42
		}
	}
	if len(files) != 55 || len(truth.consoleLogins) == 0 {
		t.Fatalf("read %d trail files with %d console login users; the README says 55 files", len(files), len(truth.consoleLogins))
	}
	truth.minutes = len(minutes)
	return truth
}

// artefactsDir is where screenshots go: $CTLAKE_ARTEFACTS, or e2e/artefacts
// (ignored by git), kept after the test.
func artefactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CTLAKE_ARTEFACTS")
	if dir == "" {
		dir = "artefacts"
	}
	dir, err := filepath.Abs(dir)
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatalf("artefacts folder: %v", err)
	}
	return dir
}

// tab is a headless Chromium tab and the errors its pages raised.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu     sync.Mutex
	errors []string
}

// startBrowser starts Chromium on a fresh profile, stopped when the test
// ends.
func startBrowser(t *testing.T, path string) *tab {
	t.Helper()
	profile, err := os.MkdirTemp("", "ctlake-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1400, 1000))
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancel := context.WithTimeout(tabCtx, 3*time.Minute)
	t.Cleanup(func() {
		cancel()
		cancelTab()
		cancelAlloc()
		// Chromium's children may still write in the profile for a moment.
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	b := &tab{t: t, ctx: ctx}
	// Script errors and console messages (a CSP violation is one) of the
	// pages are collected and fail the test at its end.
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	entries := chromedp.Events(ctx, cdplog.EntryAdded)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			b.addError("exception: " + ev.ExceptionDetails.Text + " " + describe(ev.ExceptionDetails.Exception))
		}
	}()
	go func() {
		for ev, err := range entries {
			if err != nil {
				return
			}
			if ev.Entry.Level == cdplog.EntryLevelError || strings.Contains(ev.Entry.Text, "Content Security Policy") {
				b.addError(fmt.Sprintf("%s %s: %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text))
			}
		}
	}()
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return b
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	return o.Description
}

func (b *tab) addError(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, s)
}

// checkPageErrors fails the test for each error the pages raised, but the
// sign-in refusal, which the browser logs as a failed request (401).
func (b *tab) checkPageErrors() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		if strings.Contains(e, "401 (Unauthorized)") {
			continue
		}
		b.t.Errorf("the page raised: %s", e)
	}
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// poll waits until the expression is truthy and returns it as text.
func (b *tab) poll(expr string, timeout time.Duration) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Poll[any](expr, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		b.t.Fatalf("waiting for %s: %v", expr, err)
	}
	return fmt.Sprint(v)
}

func (b *tab) eval(expr string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](expr)); err != nil {
		b.t.Fatalf("evaluate: %v", err)
	}
}

func (b *tab) evalInto(expr string, v any) {
	b.t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]byte](expr))
	if err == nil {
		err = json.Unmarshal(raw, v)
	}
	if err != nil {
		b.t.Fatalf("evaluate: %v", err)
	}
}

func (b *tab) screenshot(dir, name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name), png, 0o644)
	}
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot: %s", filepath.Join(dir, name))
}

// resultTable is what the results table shows.
type resultTable struct {
	Columns []string
	Rows    [][]string
}

// runQuery types the statement into the editor, runs it and returns the
// table once it shows.
func (b *tab) runQuery(sql string) resultTable {
	b.t.Helper()
	b.do(chromedp.SetValue(chromedp.CSS("#query-sql"), sql), chromedp.Click(chromedp.CSS("#query-run")))
	status := b.poll(`(() => { const s = document.querySelector('#query-status').textContent;
		return /^FINISHED:|^The query ended|Exception/.test(s) && document.querySelector('#query-run').disabled === false ? s : ''; })()`, 60*time.Second)
	if !strings.HasPrefix(status, "FINISHED:") {
		b.t.Fatalf("the query %s: %s", sql, status)
	}
	var r resultTable
	b.evalInto(`({Columns: [...document.querySelectorAll('#result-table thead th')].map(th => th.textContent),
		Rows: [...document.querySelectorAll('#result-table tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))})`, &r)
	return r
}

// column returns the values of column i of the results table, in order.
func (b *tab) column(i int) []string {
	b.t.Helper()
	var v []string
	b.evalInto(fmt.Sprintf(`[...document.querySelectorAll('#result-table tbody tr')].map(tr => tr.cells[%d].textContent)`, i), &v)
	return v
}

// readDownloadedCSV waits for the one file a download writes in dir.
func readDownloadedCSV(t *testing.T, dir string) [][]string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 1 {
			f, err := os.Open(files[0])
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			records, err := csv.NewReader(f).ReadAll()
			if err != nil {
				t.Fatalf("the downloaded CSV: %v", err)
			}
			t.Logf("downloaded %s", filepath.Base(files[0]))
			return records
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(dir)
			t.Fatalf("no CSV downloaded within 20s (%d files in the folder)", len(entries))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// consoleClient is a Go HTTP client of the console, holding its session.
type consoleClient struct {
	t      *testing.T
	base   string
	cookie string
	csrf   string
}

func (c *consoleClient) send(method, path string, header map[string]string, body string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "ctlake_console" {
			c.cookie = ck.Name + "=" + ck.Value
		}
	}
	return resp.StatusCode, string(b)
}

func (c *consoleClient) signIn(secret string) (int, string) {
	c.t.Helper()
	status, body := c.send("POST", "/console/session", map[string]string{"Content-Type": "application/json"},
		`{"accessKeyId":"`+testAccessKey+`","secretAccessKey":"`+secret+`"}`)
	var st struct{ CSRFToken string }
	if status == 200 && json.Unmarshal([]byte(body), &st) == nil {
		c.csrf = st.CSRFToken
	}
	return status, body
}

// call runs an operation through POST /console/api; extra headers
// override the defaults ("" removes one).
func (c *consoleClient) call(op, body string, extra map[string]string) (int, string) {
	c.t.Helper()
	h := map[string]string{"X-Amz-Target": "CloudTrail_20131101." + op, "Content-Type": "application/x-amz-json-1.1",
		"X-Ctlake-Csrf": c.csrf, "Cookie": c.cookie, "Origin": c.base, "Sec-Fetch-Site": "same-origin"}
	for k, v := range extra {
		h[k] = v
	}
	for k, v := range h {
		if v == "" {
			delete(h, k)
		}
	}
	return c.send("POST", "/console/api", h, body)
}

func wantConsoleError(t *testing.T, what string, status int, body string, wantStatus int, code string) {
	t.Helper()
	if status != wantStatus || !strings.Contains(body, `"`+code+`"`) {
		t.Errorf("%s: %d %s; want %d %s", what, status, body, wantStatus, code)
	}
}

// TestConsoleHTTP checks the console's guards over plain HTTP against the
// built server: sessions, CSRF tokens, origins, expiry, and that the
// secret is in no page and no log line.
func TestConsoleHTTP(t *testing.T) {
	srv := StartServer(t, WithArgs("--console-idle-timeout", "1s"))
	c := &consoleClient{t: t, base: srv.URL}

	status, page := c.send("GET", "/console/", nil, "")
	if status != 200 || strings.Contains(page, testSecretKey) || strings.Contains(page, testAccessKey) {
		t.Errorf("GET /console/: %d, or the page names the key", status)
	}
	resp, err := http.Get(srv.URL + "/console/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
		resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("security headers of the page: %v", resp.Header)
	}

	status, body := c.call("ListEventDataStores", "{}", nil)
	wantConsoleError(t, "a call without a session", status, body, 403, "MissingAuthenticationTokenException")
	status, body = c.signIn("not-the-secret-key")
	wantConsoleError(t, "a wrong secret", status, body, 401, "UnrecognizedClientException")
	if status, body = c.signIn(testSecretKey); status != 200 || c.csrf == "" || c.cookie == "" || strings.Contains(body, testSecretKey) {
		t.Fatalf("sign-in: %d %s", status, body)
	}

	status, body = c.call("ListEventDataStores", "{}", map[string]string{"X-Ctlake-Csrf": ""})
	wantConsoleError(t, "a call without the CSRF token", status, body, 403, "InvalidCSRFTokenException")
	status, body = c.call("ListEventDataStores", "{}", map[string]string{"X-Ctlake-Csrf": c.csrf + "0"})
	wantConsoleError(t, "a call with a wrong CSRF token", status, body, 403, "InvalidCSRFTokenException")
	status, body = c.call("ListEventDataStores", "{}", map[string]string{"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"})
	wantConsoleError(t, "a call from another origin", status, body, 403, "AccessDeniedException")

	// A good call reaches the real API as the signed-in caller, in the
	// region the console names: the SDK sees the store in that region only.
	status, body = c.call("CreateEventDataStore", `{"Name":"from-console","TerminationProtectionEnabled":false}`, map[string]string{"X-Ctlake-Region": "eu-west-3"})
	if status != 200 || !strings.Contains(body, `"Name":"from-console"`) || !strings.Contains(body, "arn:aws:cloudtrail:eu-west-3:"+testAccount) {
		t.Fatalf("CreateEventDataStore through the console: %d %s", status, body)
	}
	list, err := srv.Client("eu-west-3").ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{})
	if err != nil || len(list.EventDataStores) != 1 || aws.ToString(list.EventDataStores[0].Name) != "from-console" {
		t.Errorf("the SDK in eu-west-3 lists %+v (%v)", list, err)
	}
	if list, err := srv.Client("us-east-1").ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{}); err != nil {
		t.Errorf("ListEventDataStores in us-east-1: %v", err)
	} else if len(list.EventDataStores) != 0 {
		t.Errorf("the console's store leaked into us-east-1")
	}
	// An API error comes back as the API wrote it.
	status, body = c.call("GetEventDataStore", `{"EventDataStore":"00000000-0000-4000-8000-000000000000"}`, nil)
	wantConsoleError(t, "a missing store", status, body, 400, "EventDataStoreNotFoundException")

	// Sessions end after the idle timeout (1 s here).
	time.Sleep(1500 * time.Millisecond)
	status, body = c.call("ListEventDataStores", "{}", nil)
	wantConsoleError(t, "a call after the idle timeout", status, body, 403, "MissingAuthenticationTokenException")

	log := srv.Log()
	if strings.Contains(log, testSecretKey) {
		t.Errorf("the secret is in the server's log")
	}
	if !strings.Contains(log, `"path":"/console/api"`) || !strings.Contains(log, `"operation":"CreateEventDataStore"`) {
		t.Errorf("console calls are not in the access log")
	}
	if strings.Contains(log, "from-console\\\"") || strings.Contains(log, `"Name":"from-console"`) {
		t.Errorf("a request body is in the log")
	}

	// Without authentication the console opens without signing in.
	open := StartServer(t, WithArgs("--no-auth"))
	oc := &consoleClient{t: t, base: open.URL}
	status, body = oc.send("GET", "/console/session", nil, "")
	var st struct {
		SignedIn, AuthRequired bool
		CSRFToken              string
	}
	if status != 200 || json.Unmarshal([]byte(body), &st) != nil || !st.SignedIn || st.AuthRequired || st.CSRFToken == "" {
		t.Fatalf("--no-auth session: %d %s", status, body)
	}
	oc.csrf = st.CSRFToken
	if status, body = oc.call("ListEventDataStores", "{}", nil); status != 200 {
		t.Errorf("--no-auth console call: %d %s", status, body)
	}
}
