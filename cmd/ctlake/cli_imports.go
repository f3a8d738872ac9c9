package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// The subcommands that look at imports once started: imports,
// import-status, failures and stop-import.

// allFailures lists an import's failures, all pages.
func (c *cli) allFailures(ctx context.Context, id string) ([]types.ImportFailureListItem, error) {
	var out []types.ImportFailureListItem
	var token *string
	for {
		page, err := c.ct.ListImportFailures(ctx, &cloudtrail.ListImportFailuresInput{ImportId: &id, NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("list the failures of import %s: %w", id, err)
		}
		out = append(out, page.Failures...)
		if token = page.NextToken; token == nil {
			return out, nil
		}
	}
}

// writeFailures prints an import's failures as a table; with heading, a
// line before it says how many there are (or that there are none).
func (c *cli) writeFailures(ctx context.Context, id string, heading bool) error {
	failures, err := c.allFailures(ctx, id)
	if err != nil {
		return err
	}
	if len(failures) == 0 {
		fmt.Fprintln(c.stdout, "No failures.")
		return nil
	}
	if heading {
		fmt.Fprintf(c.stdout, "\nFailures (%d):\n", len(failures))
	}
	tb := &table{header: []string{"LOCATION", "TYPE", "STATUS", "TIME", "MESSAGE"}}
	for _, f := range failures {
		tb.rows = append(tb.rows, []string{aws.ToString(f.Location), aws.ToString(f.ErrorType), string(f.Status),
			timeText(f.LastUpdatedTime), aws.ToString(f.ErrorMessage)})
	}
	tb.style = func(_, col int, v string) string {
		if col == 2 {
			return statusStyle(v)
		}
		return ""
	}
	return tb.write(c.stdout, c.out)
}

func importsCommand() *clientCommand {
	var store, status string
	return &clientCommand{
		name:    "imports",
		args:    "[--store NAME|ID|ARN] [--status STATUS]",
		summary: "Lists imports, newest first: id, status, destination, creation time and events imported.",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&store, "store", "", "only imports into this event data store")
			fs.StringVar(&status, "status", "", "only imports in this status: INITIALIZING, IN_PROGRESS, FAILED, STOPPED or COMPLETED")
		},
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
			if err := wantArgs(fs, args, 0, "no arguments"); err != nil {
				return err
			}
			if err := c.connect(ctx); err != nil {
				return err
			}
			in := &cloudtrail.ListImportsInput{ImportStatus: types.ImportStatus(strings.ToUpper(status))}
			if store != "" {
				ref, err := c.resolveStore(ctx, store)
				if err != nil {
					return err
				}
				in.Destination = &ref
			}
			return c.listImports(ctx, in)
		},
	}
}

func (c *cli) listImports(ctx context.Context, in *cloudtrail.ListImportsInput) error {
	var imports []types.ImportsListItem
	for {
		page, err := c.ct.ListImports(ctx, in)
		if err != nil {
			return fmt.Errorf("list imports: %w", err)
		}
		imports = append(imports, page.Imports...)
		if in.NextToken = page.NextToken; in.NextToken == nil {
			break
		}
	}
	if len(imports) == 0 {
		fmt.Fprintf(c.stderr, "No imports in region %s.\n", c.region)
		return nil
	}
	// Destinations are ARNs; people know stores by name.
	names := map[string]string{}
	if stores, err := c.allStores(ctx); err == nil {
		for _, s := range stores {
			names[aws.ToString(s.EventDataStoreArn)] = aws.ToString(s.Name)
		}
	}
	tb := &table{header: []string{"ID", "STATUS", "DESTINATION", "CREATED", "EVENTS"}}
	for _, im := range imports {
		var dest []string
		for _, d := range im.Destinations {
			if n, ok := names[d]; ok {
				d = n
			}
			dest = append(dest, d)
		}
		// The list has no statistics: one GetImport each.
		events := "—"
		if got, err := c.ct.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: im.ImportId}); err == nil {
			events = groupDigits(snapshotOf(got).events)
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
		tb.rows = append(tb.rows, []string{aws.ToString(im.ImportId), string(im.ImportStatus), strings.Join(dest, ", "),
			timeText(im.CreatedTimestamp), events})
	}
	tb.style = func(_, col int, v string) string {
		if col == 1 {
			return statusStyle(v)
		}
		return ""
	}
	return tb.write(c.stdout, c.out)
}

func importStatusCommand() *clientCommand {
	var watch bool
	return &clientCommand{
		name:    "import-status",
		args:    "IMPORT_ID [--watch]",
		summary: "Shows an import: status, statistics, source, time window, destinations, times.",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&watch, "watch", false, "follow the import with a live progress line until it ends, then show its failures")
		},
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
			if err := wantArgs(fs, args, 1, "one IMPORT_ID"); err != nil {
				return err
			}
			if err := c.connect(ctx); err != nil {
				return err
			}
			out, err := c.ct.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: &args[0]})
			if err != nil {
				return err
			}
			if watch && snapshotOf(out).running() {
				return c.followToEnd(ctx, args[0], out.CreatedTimestamp)
			}
			return c.writeImport(ctx, out, false)
		},
	}
}

func failuresCommand() *clientCommand {
	return &clientCommand{
		name:    "failures",
		args:    "IMPORT_ID",
		summary: "Lists the files an import could not import: location, error type, status, time, message.",
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
			if err := wantArgs(fs, args, 1, "one IMPORT_ID"); err != nil {
				return err
			}
			if err := c.connect(ctx); err != nil {
				return err
			}
			return c.writeFailures(ctx, args[0], false)
		},
	}
}

func stopImportCommand() *clientCommand {
	return &clientCommand{
		name:    "stop-import",
		args:    "IMPORT_ID",
		summary: "Stops a running import; what it imported so far stays in the store.",
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
			if err := wantArgs(fs, args, 1, "one IMPORT_ID"); err != nil {
				return err
			}
			if err := c.connect(ctx); err != nil {
				return err
			}
			out, err := c.ct.StopImport(ctx, &cloudtrail.StopImportInput{ImportId: &args[0]})
			if err != nil {
				return err
			}
			return c.writeImport(ctx, &cloudtrail.GetImportOutput{
				ImportId: out.ImportId, ImportStatus: out.ImportStatus, ImportSource: out.ImportSource, Destinations: out.Destinations,
				StartEventTime: out.StartEventTime, EndEventTime: out.EndEventTime, ImportStatistics: out.ImportStatistics,
				CreatedTimestamp: out.CreatedTimestamp, UpdatedTimestamp: out.UpdatedTimestamp,
			}, false)
		},
	}
}
