package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake/lakesql"
)

// queryPollMax is the longest wait between two DescribeQuery calls; the
// first waits are shorter, since most queries end within a second.
const queryPollMax = time.Second

type queryFlags struct {
	store    string
	file     string
	format   string
	delivery string
}

func queryCommand() *clientCommand {
	var f queryFlags
	return &clientCommand{
		name: "query",
		args: `"SQL" | - | --file F  [--store NAME|ID|ARN] [--format table|csv|json]`,
		summary: "Runs a CloudTrail Lake SQL query, waits for it and prints its result (all pages).\n" +
			"The SQL names stores by id, as on AWS; with --store, it may also name that store as\n" +
			"$store or by the store's name right after FROM or JOIN, and the CLI puts in its id.\n" +
			"Statistics go to stderr. Ctrl-C cancels the query. The exit status is 1 unless it FINISHED.",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.store, "store", "", "the store that $store (or its name after FROM/JOIN) stands for")
			fs.StringVar(&f.file, "file", "", "read the SQL from this file")
			fs.StringVar(&f.format, "format", "table", "output: table (cut to the terminal's width), csv or json (an array of objects, NULL as null)")
			fs.StringVar(&f.delivery, "delivery-s3-uri", "", "also have the server write the result to this s3:// URI as CSV")
		},
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
			switch f.format {
			case "table", "csv", "json":
			default:
				return usageErrorf("--format %q: give table, csv or json", f.format)
			}
			sql, err := c.readSQL(fs, args, f.file)
			if err != nil {
				return err
			}
			if err := c.connect(ctx); err != nil {
				return err
			}
			if f.store != "" {
				ref, err := c.resolveStore(ctx, f.store)
				if err != nil {
					return err
				}
				if sql, err = bindStoreRef(sql, f.store, storeID(ref)); err != nil {
					return err
				}
			}
			return c.runQuery(ctx, sql, f)
		},
	}
}

// readSQL takes the SQL from the argument, stdin ("-") or --file.
func (c *cli) readSQL(fs *flag.FlagSet, args []string, file string) (string, error) {
	var b []byte
	var err error
	switch {
	case file != "" && len(args) == 0:
		b, err = os.ReadFile(file)
	case file == "" && len(args) == 1 && args[0] == "-":
		b, err = io.ReadAll(c.stdin)
	case file == "" && len(args) == 1:
		return args[0], nil
	default:
		fs.Usage()
		return "", usageErrorf("give the SQL as one argument, - (stdin) or --file F")
	}
	if err != nil {
		return "", fmt.Errorf("read the SQL: %w", err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", usageErrorf("the SQL is empty")
	}
	return string(b), nil
}

func (c *cli) runQuery(ctx context.Context, sql string, f queryFlags) error {
	in := &cloudtrail.StartQueryInput{QueryStatement: aws.String(sql)}
	if f.delivery != "" {
		in.DeliveryS3Uri = aws.String(f.delivery)
	}
	start, err := c.ct.StartQuery(ctx, in)
	if err != nil {
		return err
	}
	id := aws.ToString(start.QueryId)
	d, err := c.waitQuery(ctx, id)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		// Ctrl-C: the query would otherwise keep a worker busy for nothing.
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, cerr := c.ct.CancelQuery(cctx, &cloudtrail.CancelQueryInput{QueryId: &id}); cerr != nil {
			fmt.Fprintf(c.stderr, "\nInterrupted; cancelling query %s failed: %s\n", id, describeError(cerr))
		} else {
			fmt.Fprintf(c.stderr, "\nCancelled query %s.\n", id)
		}
		return &exitError{code: exitInterrupted}
	}
	if err != nil {
		return err
	}
	if d.QueryStatus != types.QueryStatusFinished {
		msg := aws.ToString(d.ErrorMessage)
		if msg == "" {
			msg = "no message"
		}
		fmt.Fprintf(c.stderr, "Query %s %s: %s\n", id, d.QueryStatus, msg)
		return &exitError{code: 1}
	}
	rows, err := c.queryRows(ctx, id)
	if err != nil {
		return err
	}
	switch f.format {
	case "csv":
		err = writeRowsCSV(c.stdout, rows)
	case "json":
		err = writeRowsJSON(c.stdout, rows)
	default:
		err = writeRowsTable(c.stdout, c.out, rows)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stderr, queryStatsText(id, len(rows), d.QueryStatistics))
	return nil
}

// waitQuery polls DescribeQuery until the query ends. On a terminal,
// stderr shows a spinner with the status and the time waited.
func (c *cli) waitQuery(ctx context.Context, id string) (*cloudtrail.DescribeQueryOutput, error) {
	began := time.Now()
	wait := 50 * time.Millisecond
	drawn := false
	for frame := 0; ; frame++ {
		d, err := c.ct.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: &id})
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return nil, err
		}
		if d.QueryStatus != types.QueryStatusQueued && d.QueryStatus != types.QueryStatusRunning {
			if drawn {
				fmt.Fprint(c.stderr, "\r\x1b[K")
			}
			return d, nil
		}
		if c.errOut.tty && time.Since(began) > time.Second {
			status := string(d.QueryStatus)
			fmt.Fprint(c.stderr, redraw(spinnerFrames[frame%len(spinnerFrames)]+" "+c.errOut.paint(statusStyle(status), status)+
				"  "+clockText(time.Since(began))+"  query "+id+" (Ctrl-C cancels it)", c.errOut))
			drawn = true
		}
		select {
		case <-ctx.Done():
			if drawn {
				fmt.Fprint(c.stderr, "\r\x1b[K")
			}
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, queryPollMax)
	}
}

func queryStatsText(id string, rows int, st *types.QueryStatisticsForDescribeQuery) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s row", groupDigits(int64(rows)))
	if rows != 1 {
		b.WriteByte('s')
	}
	if st != nil {
		fmt.Fprintf(&b, "; %s events scanned, %s matched, %s scanned, %s",
			groupDigits(aws.ToInt64(st.EventsScanned)), groupDigits(aws.ToInt64(st.EventsMatched)),
			bytesText(aws.ToInt64(st.BytesScanned)), durationText(time.Duration(aws.ToInt32(st.ExecutionTimeInMillis))*time.Millisecond))
	}
	fmt.Fprintf(&b, "; query %s", id)
	return b.String()
}

// bytesText shows a byte count in binary units.
func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// bindStoreRef binds --store name (whose id is id) in sql: $store and the
// name after FROM or JOIN become the id. A statement that names the store
// by its id already needs nothing; one that names it no way at all is
// refused, since --store then has no effect and was likely a mistake. A
// statement that the front end cannot read to the end, or that it refuses
// but that holds the id, is left to the server, whose message says what is
// wrong with it.
func bindStoreRef(sql, name, id string) (string, error) {
	bound, n, err := bindStore(sql, name, id)
	if n > 0 || err != nil {
		return bound, nil
	}
	id = strings.ToLower(id)
	st, err := lakesql.Translate(sql)
	if err == nil && slices.Contains(st.Stores, id) || err != nil && strings.Contains(strings.ToLower(sql), id) {
		return sql, nil
	}
	return "", usageErrorf("--store %s: the SQL names neither $store nor %s after FROM or JOIN, nor the store's id %s "+
		"(in a double-quoted shell string, write \\$store, or the name)", name, name, id)
}

// bindStore puts id where the SQL names the store as $store, or by name
// right after FROM or JOIN, outside string literals, quoted identifiers
// and comments, reading the SQL with the front end's own tokens. It returns
// the SQL and the number of replacements. A statement the front end cannot
// read to the end is bound up to its fault, and the error is the fault's.
func bindStore(sql, name, id string) (string, int, error) {
	toks, err := lakesql.Tokens(sql)
	var b strings.Builder
	last, n := 0, 0
	bind := func(pos, end int) {
		b.WriteString(sql[last:pos])
		b.WriteString(id)
		last, n = end, n+1
	}
	for k, t := range toks {
		if t.Kind == lakesql.Variable && sql[t.Pos:t.End] == "$store" {
			bind(t.Pos, t.End)
		} else if k > 0 && isFromOrJoin(sql, toks[k-1]) && t.Pos >= last {
			if end, ok := nameAt(sql, toks[k:], name); ok {
				bind(t.Pos, end)
			}
		}
	}
	b.WriteString(sql[last:])
	return b.String(), n, err
}

func isFromOrJoin(sql string, t lakesql.Token) bool {
	w := sql[t.Pos:t.End]
	return t.Kind == lakesql.Word && (strings.EqualFold(w, "from") || strings.EqualFold(w, "join"))
}

// nameAt returns the end of name when toks, from the first, spell it with
// nothing between them (a store name such as my-store.v2 is several
// tokens) and the name goes on no further (demo-2 is not demo).
func nameAt(sql string, toks []lakesql.Token, name string) (int, bool) {
	start := toks[0].Pos
	if !strings.HasPrefix(sql[start:], name) {
		return 0, false
	}
	end := start
	for i, t := range toks {
		if t.Pos != end || t.Kind == lakesql.Quoted {
			return 0, false
		}
		end = t.End
		switch {
		case end-start > len(name):
			return 0, false
		case end-start == len(name):
			if i+1 < len(toks) && toks[i+1].Pos == end && isNameByte(sql[end]) {
				return 0, false
			}
			return end, true
		}
	}
	return 0, false
}

// isNameByte reports whether c may be part of a store name (letters,
// digits, _ . -).
func isNameByte(c byte) bool {
	return c == '_' || c == '.' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
