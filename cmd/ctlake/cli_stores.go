package main

import (
	"context"
	"flag"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// storeIDPattern is an event data store id (a UUID) as the API mints it.
var storeIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// storeFlags are the flags of `ctlake stores create`.
type storeFlags struct {
	retentionDays         int
	terminationProtection bool
	noStartIngestion      bool
}

func storesCommand() *clientCommand {
	var sf storeFlags
	return &clientCommand{
		name: "stores",
		args: "[list | show REF | create NAME | delete REF | restore REF | start-ingestion REF | stop-ingestion REF] [flags]",
		summary: "Lists and manages event data stores. REF is a store's name, id or ARN.\n" +
			"create takes --retention-days, --termination-protection and --no-start-ingestion.",
		flags: func(fs *flag.FlagSet) {
			fs.IntVar(&sf.retentionDays, "retention-days", 0, "create: days events are kept, 7 to 3653 (default: the API's, 2557)")
			fs.BoolVar(&sf.terminationProtection, "termination-protection", false, "create: refuse deletion until protection is turned off")
			fs.BoolVar(&sf.noStartIngestion, "no-start-ingestion", false, "create: make the store in STOPPED_INGESTION")
		},
		run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) error {
			verb := "list"
			if len(args) > 0 {
				verb, args = args[0], args[1:]
			}
			if verb != "create" {
				var misplaced []string
				fs.Visit(func(f *flag.Flag) {
					if strings.HasPrefix(f.Usage, "create:") {
						misplaced = append(misplaced, "--"+f.Name)
					}
				})
				if len(misplaced) > 0 {
					return usageErrorf("%s applies to `ctlake stores create` only", strings.Join(misplaced, ", "))
				}
			}
			var err error
			switch verb {
			case "list":
				err = wantArgs(fs, args, 0, "no argument after list")
			case "create":
				err = wantArgs(fs, args, 1, "one argument: the new store's NAME")
			case "show", "delete", "restore", "start-ingestion", "stop-ingestion":
				err = wantArgs(fs, args, 1, "one argument after "+verb+": the store's name, id or ARN")
			default:
				fs.Usage()
				err = usageErrorf("unknown stores action %q", verb)
			}
			if err != nil {
				return err
			}
			if err := c.connect(ctx); err != nil {
				return err
			}
			switch verb {
			case "list":
				return c.listStores(ctx)
			case "create":
				return c.createStore(ctx, args[0], sf)
			}
			return c.changeStore(ctx, verb, args[0])
		},
	}
}

// allStores lists the region's event data stores, all pages. The list
// holds names and ARNs only.
func (c *cli) allStores(ctx context.Context) ([]types.EventDataStore, error) {
	var out []types.EventDataStore
	var token *string
	for {
		page, err := c.ct.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("list event data stores: %w", err)
		}
		out = append(out, page.EventDataStores...)
		if token = page.NextToken; token == nil {
			return out, nil
		}
	}
}

// resolveStore turns a store reference into what the API takes: an ARN or
// an id as it is, a name by listing the stores of the region.
func (c *cli) resolveStore(ctx context.Context, ref string) (string, error) {
	if strings.HasPrefix(ref, "arn:") || storeIDPattern.MatchString(ref) {
		return ref, nil
	}
	stores, err := c.allStores(ctx)
	if err != nil {
		return "", err
	}
	var found []string
	for _, s := range stores {
		if aws.ToString(s.Name) == ref {
			found = append(found, aws.ToString(s.EventDataStoreArn))
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no event data store is named %q in region %s (`ctlake stores` lists them; a store may also be given by id or ARN)", ref, c.region)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%d event data stores are named %q; give one by id or ARN: %s", len(found), ref, strings.Join(found, ", "))
}

// storeID is the id at the end of a store ARN (or the id itself).
func storeID(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

func (c *cli) listStores(ctx context.Context) error {
	stores, err := c.allStores(ctx)
	if err != nil {
		return err
	}
	tb := &table{header: []string{"NAME", "ID", "STATUS", "RETENTION", "PROTECTED", "CREATED"}}
	// The list carries names and ARNs only; the rest is one Get per store
	// (at most 10 per region).
	for _, s := range stores {
		d, err := c.ct.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: s.EventDataStoreArn})
		if err != nil {
			return fmt.Errorf("get event data store %s: %w", aws.ToString(s.Name), err)
		}
		tb.rows = append(tb.rows, []string{
			aws.ToString(d.Name), storeID(aws.ToString(d.EventDataStoreArn)), string(d.Status),
			retentionText(d.RetentionPeriod), yesNo(aws.ToBool(d.TerminationProtectionEnabled)), timeText(d.CreatedTimestamp),
		})
	}
	if len(tb.rows) == 0 {
		fmt.Fprintf(c.stderr, "No event data stores in region %s. Make one with: ctlake stores create NAME\n", c.region)
		return nil
	}
	tb.style = func(_, col int, v string) string {
		if col == 2 {
			return statusStyle(v)
		}
		return ""
	}
	return tb.write(c.stdout, c.out)
}

func (c *cli) createStore(ctx context.Context, name string, sf storeFlags) error {
	in := &cloudtrail.CreateEventDataStoreInput{
		Name:                         aws.String(name),
		TerminationProtectionEnabled: aws.Bool(sf.terminationProtection),
		StartIngestion:               aws.Bool(!sf.noStartIngestion),
	}
	if sf.retentionDays != 0 {
		in.RetentionPeriod = aws.Int32(int32(sf.retentionDays))
	}
	out, err := c.ct.CreateEventDataStore(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Created event data store %s\n", name)
	return c.writeStore(&cloudtrail.GetEventDataStoreOutput{
		EventDataStoreArn: out.EventDataStoreArn, Name: out.Name, Status: out.Status, RetentionPeriod: out.RetentionPeriod,
		TerminationProtectionEnabled: out.TerminationProtectionEnabled, CreatedTimestamp: out.CreatedTimestamp,
	})
}

// changeStore runs one of the actions on an existing store, then shows the
// store as it is afterwards.
func (c *cli) changeStore(ctx context.Context, verb, ref string) error {
	arn, err := c.resolveStore(ctx, ref)
	if err != nil {
		return err
	}
	var done string
	switch verb {
	case "delete":
		_, err = c.ct.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: &arn})
		done = "Deleted; restorable for 7 days with: ctlake stores restore " + ref
	case "restore":
		_, err = c.ct.RestoreEventDataStore(ctx, &cloudtrail.RestoreEventDataStoreInput{EventDataStore: &arn})
		done = "Restored"
	case "start-ingestion":
		_, err = c.ct.StartEventDataStoreIngestion(ctx, &cloudtrail.StartEventDataStoreIngestionInput{EventDataStore: &arn})
		done = "Started ingestion"
	case "stop-ingestion":
		_, err = c.ct.StopEventDataStoreIngestion(ctx, &cloudtrail.StopEventDataStoreIngestionInput{EventDataStore: &arn})
		done = "Stopped ingestion"
	}
	if err != nil {
		return err
	}
	d, err := c.ct.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: &arn})
	if err != nil {
		return err
	}
	if done != "" {
		fmt.Fprintln(c.stdout, done)
	}
	return c.writeStore(d)
}

func (c *cli) writeStore(d *cloudtrail.GetEventDataStoreOutput) error {
	return writeFields(c.stdout, c.out, []field{
		{"Name", aws.ToString(d.Name), ""},
		{"ARN", aws.ToString(d.EventDataStoreArn), ""},
		{"Status", string(d.Status), statusStyle(string(d.Status))},
		{"Retention", retentionText(d.RetentionPeriod), ""},
		{"Termination protection", yesNo(aws.ToBool(d.TerminationProtectionEnabled)), ""},
		{"Created", timeText(d.CreatedTimestamp), ""},
		{"Updated", timeText(d.UpdatedTimestamp), ""},
	})
}

func retentionText(days *int32) string {
	if days == nil {
		return "—"
	}
	return strconv.Itoa(int(*days)) + " days"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// timeText shows a timestamp in UTC, to the second, as CloudTrail's
// console does; "—" when the API gave none.
func timeText(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}
