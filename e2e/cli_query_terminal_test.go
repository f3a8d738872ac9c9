package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCtlakeCLIQueryOnTerminal runs ctlake query on a pseudo-terminal
// (with script(1)), where stdout and stderr are the same terminal: the
// statistics line (stderr) must start on a line of its own after the
// table (stdout), not on the table's last line.
func TestCtlakeCLIQueryOnTerminal(t *testing.T) {
	t.Parallel()
	dir := invictusDir(t)
	script := need(t, "script", "install util-linux's script (apt-get install bsdutils)")
	srv := StartServer(t)
	cli := newCtlakeCLI(t, srv)
	cli.ok("stores", "create", "invictus", "--retention-days", "3653")
	cli.ok("import", "file://"+dir+"/", "--store", "invictus")

	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	// The README of the dataset: 2,900 events, the first at 2023-07-10
	// 11:42:18. On a terminal 200 columns wide the table fits; on one of
	// 30 its cells are cut to fit.
	sql := "SELECT count(*) AS events, min(eventTime) AS first, 'a long text that will not fit' AS note FROM $store"
	for _, c := range []struct {
		cols int
		row  string
	}{
		{200, "  2900  2023-07-10 11:42:18.000  a long text that will not fit"},
		{30, "  2900  2023-07-1…  a long te…"},
	} {
		line := fmt.Sprintf("stty cols %d; %s query %s --store invictus --endpoint %s", c.cols, quote(binary), quote(sql), quote(srv.URL))
		cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		cmd := exec.CommandContext(cctx, script, "-qec", line, "/dev/null")
		cmd.Env, cmd.Dir = append(cli.env, "TERM=xterm"), cli.dir
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("ctlake query on a terminal of %d columns: %v\n%q", c.cols, err, out)
		}
		s := stripStyles(string(out))
		if !strings.Contains(s, "\r\n"+c.row+"\r\n") {
			t.Errorf("%d columns: no table row %q on a line of its own:\n%q", c.cols, c.row, s)
		}
		if !regexp.MustCompile(`\r\n1 row; 2,900 events scanned, 1 matched, `).MatchString(s) {
			t.Errorf("%d columns: the statistics line does not start a line of its own:\n%q", c.cols, s)
		}
	}
}

// stripStyles removes ANSI colour escapes (ESC [ … m).
func stripStyles(s string) string {
	return regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(s, "")
}
