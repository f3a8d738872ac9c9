package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests drive ctlake with the real AWS CLI (awscli v1, botocore). Every
// expected value comes from the behaviour spec (shared/spec/cloudtrail-api.md);
// the section is named next to each check. Each `aws` call costs about half a
// second of Python start-up, so the calls are few and each one checks a lot.

const cliRegion = "us-east-1"

// awsCLI runs `aws ... cloudtrail <op>` against a test server, signing with
// the test key and reading no configuration of the machine's user.
type awsCLI struct {
	t   *testing.T
	bin string
	srv *Server // its URL changes on every restart, so it is read per call
	env []string
}

func newAWSCLI(t *testing.T, srv *Server) *awsCLI {
	t.Helper()
	bin := need(t, "aws", "install the AWS CLI v1 (pip install awscli)")
	env := clientEnv(t.TempDir(), "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard", "AWS_PAGER=")
	return &awsCLI{t: t, bin: bin, srv: srv, env: env}
}

// clientEnv is the environment of an AWS client run as a process (the AWS
// CLI, a boto3 script, the ctlake CLI): the test's key, and no config or
// credentials file of the machine's user (dir is where they are not), so
// nothing but the test decides what the client does.
func clientEnv(dir string, more ...string) []string {
	return append(append(cleanEnv(),
		"AWS_ACCESS_KEY_ID="+testAccessKey,
		"AWS_SECRET_ACCESS_KEY="+testSecretKey,
		"AWS_CONFIG_FILE="+filepath.Join(dir, "no-such-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "no-such-credentials"),
	), more...)
}

// withConfig returns a CLI that reads the given config file content.
func (c *awsCLI) withConfig(content string) *awsCLI {
	c.t.Helper()
	path := filepath.Join(c.t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
	env := slices.DeleteFunc(slices.Clone(c.env), func(kv string) bool { return strings.HasPrefix(kv, "AWS_CONFIG_FILE=") })
	return &awsCLI{t: c.t, bin: c.bin, srv: c.srv, env: append(env, "AWS_CONFIG_FILE="+path)}
}

// cliResult is the outcome of one CLI call: its JSON output, or the AWS error
// it printed.
type cliResult struct {
	Stdout  []byte
	Code    string // the error code when the call failed on an API error
	Op      string
	Message string
}

// cliErrorPattern matches the CLI's report of an API error, e.g.
// "An error occurred (EventDataStoreNotFoundException) when calling the
// GetEventDataStore operation (reached max retries: 0): The event ...".
var cliErrorPattern = regexp.MustCompile(`(?s)An error occurred \(([^)]*)\) when calling the (\w+) operation(?: \([^)]*\))?: ?(.*)`)

// run runs one cloudtrail CLI command. A failure that is not an API error
// (parameter validation, a crash, a timeout) fails the test.
func (c *awsCLI) run(args ...string) cliResult {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	full := append([]string{"--endpoint-url", c.srv.URL, "--region", cliRegion, "--output", "json", "cloudtrail"}, args...)
	cmd := exec.CommandContext(ctx, c.bin, full...)
	cmd.Env = c.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return cliResult{Stdout: stdout.Bytes()}
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		c.t.Fatalf("aws %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr.String())
	}
	m := cliErrorPattern.FindStringSubmatch(stderr.String())
	if m == nil {
		c.t.Fatalf("aws %s failed (%v) without an API error:\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return cliResult{Code: m[1], Op: m[2], Message: strings.TrimSpace(m[3])}
}

// ok runs a command that must succeed and decodes its JSON output into out
// (which may be nil for operations that answer {}).
func (c *awsCLI) ok(out any, args ...string) {
	c.t.Helper()
	r := c.run(args...)
	if r.Code != "" {
		c.t.Fatalf("aws cloudtrail %s: unexpected error %s: %s", strings.Join(args, " "), r.Code, r.Message)
	}
	if out == nil {
		// Empty-output operations answer {} (spec §1.6): the CLI prints
		// nothing, or an empty object.
		if s := strings.TrimSpace(string(r.Stdout)); s != "" && s != "{}" {
			c.t.Errorf("aws cloudtrail %s: want empty output, got %s", strings.Join(args, " "), s)
		}
		return
	}
	// Start from zero, so that a member the response lacks is not
	// mistaken for one an earlier response into the same variable had.
	reflect.ValueOf(out).Elem().SetZero()
	if err := json.Unmarshal(r.Stdout, out); err != nil {
		c.t.Fatalf("aws cloudtrail %s: output is not the expected JSON: %v\n%s", strings.Join(args, " "), err, r.Stdout)
	}
}

// fails runs a command that must fail with the AWS error code, and checks
// that the error carries a message (spec §1.7).
func (c *awsCLI) fails(code string, args ...string) {
	c.t.Helper()
	r := c.run(args...)
	switch {
	case r.Code == "":
		c.t.Errorf("aws cloudtrail %s: succeeded, want %s\n%s", strings.Join(args, " "), code, r.Stdout)
	case r.Code != code:
		c.t.Errorf("aws cloudtrail %s: error %s (%s), want %s", strings.Join(args, " "), r.Code, r.Message, code)
	case r.Message == "":
		c.t.Errorf("aws cloudtrail %s: error %s has no message", strings.Join(args, " "), r.Code)
	}
}

// cliStore is a store description as the CLI prints it (Create, Get, Update
// and Restore responses, spec A.6, A.7, A.9, A.11). Pointers tell an absent
// member from a false or zero one.
type cliStore struct {
	EventDataStoreArn            string
	Name                         string
	Status                       string
	AdvancedEventSelectors       []cliSelector
	MultiRegionEnabled           *bool
	OrganizationEnabled          *bool
	RetentionPeriod              *int
	TerminationProtectionEnabled *bool
	TagsList                     []cliTag
	CreatedTimestamp             json.RawMessage
	UpdatedTimestamp             json.RawMessage
	KmsKeyId                     string
	BillingMode                  string
}

type cliSelector struct {
	Name           string
	FieldSelectors []cliFieldSelector
}

type cliFieldSelector struct {
	Field                                                               string
	Equals, StartsWith, EndsWith, NotEquals, NotStartsWith, NotEndsWith []string
}

type cliTag struct {
	Key   string
	Value *string
}

type cliList struct {
	EventDataStores []struct{ EventDataStoreArn, Name string }
	NextToken       *string
}

type cliTagList struct {
	ResourceTagList []struct {
		ResourceId string
		TagsList   []cliTag
	}
}

// cliDefaultSelectors is the selector a store gets when created without one
// (spec §5.2).
var cliDefaultSelectors = []cliSelector{{
	Name:           "Default management events",
	FieldSelectors: []cliFieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}},
}}

// cliStoreARNPattern is the ARN of a store in the CLI's region and the test
// account; the id is a lower-case UUID (spec §2).
var cliStoreARNPattern = regexp.MustCompile(`^arn:aws:cloudtrail:` + cliRegion + `:` + testAccount + `:eventdatastore/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// cliStoreID returns the id at the end of a store ARN, failing the test unless
// the ARN has the spec's form.
func cliStoreID(t *testing.T, arn string) string {
	t.Helper()
	m := cliStoreARNPattern.FindStringSubmatch(arn)
	if m == nil {
		t.Fatalf("EventDataStoreArn %q is not arn:aws:cloudtrail:%s:%s:eventdatastore/<lower-case uuid>", arn, cliRegion, testAccount)
	}
	return m[1]
}

// cliWant describes the expected configuration of a store; zero members are not
// checked.
type cliWant struct {
	Name                string
	Status              string
	Retention           int
	TerminationProtect  *bool
	MultiRegion         *bool
	Organization        *bool
	BillingMode         string
	Selectors           []cliSelector
	ARN                 string
	CreatedTimestampRaw json.RawMessage
}

func cliTrue() *bool  { b := true; return &b }
func cliFalse() *bool { b := false; return &b }

// checkCLIStore compares a store description with w.
func checkCLIStore(t *testing.T, what string, got cliStore, w cliWant) {
	t.Helper()
	if w.ARN != "" && got.EventDataStoreArn != w.ARN {
		t.Errorf("%s: EventDataStoreArn = %q, want %q", what, got.EventDataStoreArn, w.ARN)
	}
	if w.Name != "" && got.Name != w.Name {
		t.Errorf("%s: Name = %q, want %q", what, got.Name, w.Name)
	}
	if w.Status != "" && got.Status != w.Status {
		t.Errorf("%s: Status = %q, want %q", what, got.Status, w.Status)
	}
	if w.Retention != 0 && (got.RetentionPeriod == nil || *got.RetentionPeriod != w.Retention) {
		t.Errorf("%s: RetentionPeriod = %s, want %d", what, cliFmt(got.RetentionPeriod), w.Retention)
	}
	for _, b := range []struct {
		name      string
		got, want *bool
	}{
		{"TerminationProtectionEnabled", got.TerminationProtectionEnabled, w.TerminationProtect},
		{"MultiRegionEnabled", got.MultiRegionEnabled, w.MultiRegion},
		{"OrganizationEnabled", got.OrganizationEnabled, w.Organization},
	} {
		if b.want != nil && (b.got == nil || *b.got != *b.want) {
			t.Errorf("%s: %s = %s, want %v", what, b.name, cliFmt(b.got), *b.want)
		}
	}
	if w.BillingMode != "" && got.BillingMode != w.BillingMode {
		t.Errorf("%s: BillingMode = %q, want %q", what, got.BillingMode, w.BillingMode)
	}
	if w.Selectors != nil && !reflect.DeepEqual(got.AdvancedEventSelectors, w.Selectors) {
		t.Errorf("%s: AdvancedEventSelectors = %+v, want %+v", what, got.AdvancedEventSelectors, w.Selectors)
	}
	if w.CreatedTimestampRaw != nil && !bytes.Equal(got.CreatedTimestamp, w.CreatedTimestampRaw) {
		t.Errorf("%s: CreatedTimestamp = %s, want %s (the creation time does not change)", what, got.CreatedTimestamp, w.CreatedTimestampRaw)
	}
}

// cliDefaults is the configuration of a store created without options (spec
// §5.2); status and name are added by the caller.
func cliDefaults(w cliWant) cliWant {
	w.Retention = 366
	w.TerminationProtect = cliTrue()
	w.MultiRegion = cliTrue()
	w.Organization = cliFalse()
	w.BillingMode = "EXTENDABLE_RETENTION_PRICING"
	w.Selectors = cliDefaultSelectors
	return w
}

func cliFmt[T any](p *T) string {
	if p == nil {
		return "absent"
	}
	return fmt.Sprint(*p)
}

// cliEpochSeconds parses a timestamp as the CLI prints it with its default
// cli_timestamp_format (none: the value as received). The wire format is
// epoch seconds as a JSON number (spec §1.5), so it must be a number.
func cliEpochSeconds(t *testing.T, what string, raw json.RawMessage) time.Time {
	t.Helper()
	s := strings.TrimSpace(string(raw))
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s = %s: want epoch seconds as a JSON number (spec §1.5)", what, s)
	}
	sec, frac := int64(f), f-float64(int64(f))
	return time.Unix(sec, int64(frac*1e9))
}

// checkCLITimestamps checks that both timestamps are JSON numbers, that
// CreatedTimestamp lies in [from, to] and that UpdatedTimestamp is not before
// it.
func checkCLITimestamps(t *testing.T, what string, s cliStore, from, to time.Time) {
	t.Helper()
	created := cliEpochSeconds(t, what+" CreatedTimestamp", s.CreatedTimestamp)
	updated := cliEpochSeconds(t, what+" UpdatedTimestamp", s.UpdatedTimestamp)
	// Timestamps carry at most millisecond precision; allow a second.
	if created.Before(from.Add(-time.Second)) || created.After(to.Add(time.Second)) {
		t.Errorf("%s: CreatedTimestamp %v is not the time of the call (%v .. %v)", what, created, from, to)
	}
	if updated.Before(created) {
		t.Errorf("%s: UpdatedTimestamp %v is before CreatedTimestamp %v", what, updated, created)
	}
}

// cliTagStrings renders tags as sorted "key=value" (or "key" for a tag without
// a value, which AWS keeps, spec §3.18), so that lists compare regardless of
// order.
func cliTagStrings(tags []cliTag) []string {
	out := make([]string, 0, len(tags))
	for _, tg := range tags {
		if tg.Value == nil {
			out = append(out, tg.Key)
		} else {
			out = append(out, tg.Key+"="+*tg.Value)
		}
	}
	slices.Sort(out)
	return out
}

// listNames returns the stores of one ListEventDataStores call as name → ARN.
func (c *awsCLI) listNames() map[string]string {
	c.t.Helper()
	var l cliList
	c.ok(&l, "list-event-data-stores")
	if l.NextToken != nil {
		c.t.Errorf("list-event-data-stores without --max-results: NextToken %q on a list of %d", *l.NextToken, len(l.EventDataStores))
	}
	names := map[string]string{}
	for _, s := range l.EventDataStores {
		names[s.Name] = s.EventDataStoreArn
	}
	return names
}

func (c *awsCLI) checkTags(arns []string, want map[string][]string) {
	c.t.Helper()
	var got cliTagList
	c.ok(&got, append([]string{"list-tags", "--resource-id-list"}, arns...)...)
	if len(got.ResourceTagList) != len(arns) {
		c.t.Errorf("list-tags of %d stores: %d entries in ResourceTagList: %+v", len(arns), len(got.ResourceTagList), got.ResourceTagList)
	}
	for _, rt := range got.ResourceTagList {
		w, known := want[rt.ResourceId]
		if !known {
			c.t.Errorf("list-tags: ResourceId %q was not asked for", rt.ResourceId)
			continue
		}
		if g := cliTagStrings(rt.TagsList); !slices.Equal(g, w) {
			c.t.Errorf("list-tags: tags of %s = %q, want %q", rt.ResourceId, g, w)
		}
	}
}

// TestCLIEventDataStoreLifecycleAcrossRestarts is the acceptance
// scenario: the AWS CLI creates, lists, updates, tags, deletes and restores
// stores against a server restarted in between, and every earlier change is
// still there after each restart.
func TestCLIEventDataStoreLifecycleAcrossRestarts(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	aws := newAWSCLI(t, srv)

	// 1. Create two stores: one with every default, one stopped, with a
	// short retention and tags.
	before := time.Now()
	var alpha cliStore
	aws.ok(&alpha, "create-event-data-store", "--name", "cli-alpha")
	after := time.Now()
	alphaID := cliStoreID(t, alpha.EventDataStoreArn)
	// §5.1/§5.2: the create response shows CREATED and the defaults.
	checkCLIStore(t, "create cli-alpha", alpha, cliDefaults(cliWant{Name: "cli-alpha", Status: "CREATED"}))
	checkCLITimestamps(t, "create cli-alpha", alpha, before, after)

	var beta cliStore
	aws.ok(&beta, "create-event-data-store", "--name", "cli-beta", "--no-start-ingestion", "--retention-period", "30",
		"--tags-list", "Key=team,Value=security", "Key=oncall")
	cliStoreID(t, beta.EventDataStoreArn)
	checkCLIStore(t, "create cli-beta", beta, cliWant{Name: "cli-beta", Status: "CREATED", Retention: 30, TerminationProtect: cliTrue()})
	// §5.2: the response includes TagsList when tags were given.
	if g, w := cliTagStrings(beta.TagsList), []string{"oncall", "team=security"}; !slices.Equal(g, w) {
		t.Errorf("create cli-beta: TagsList = %q, want %q", g, w)
	}
	// §5.2, §3.10: termination protection is on by default, so delete fails.
	aws.fails("EventDataStoreTerminationProtectedException", "delete-event-data-store", "--event-data-store", alpha.EventDataStoreArn)

	srv.Restart()

	// 2. Both stores are there, as created; then update, tag and start.
	var got cliStore
	aws.ok(&got, "get-event-data-store", "--event-data-store", alphaID) // by id (spec §2)
	// §5.1: CREATED is short-lived; a started store is ENABLED.
	checkCLIStore(t, "restart 1: get cli-alpha", got, cliDefaults(cliWant{Name: "cli-alpha", Status: "ENABLED", ARN: alpha.EventDataStoreArn, CreatedTimestampRaw: alpha.CreatedTimestamp}))
	aws.ok(&got, "get-event-data-store", "--event-data-store", beta.EventDataStoreArn) // by ARN
	// §5.1: StartIngestion=false leaves the store STOPPED_INGESTION.
	checkCLIStore(t, "restart 1: get cli-beta", got, cliWant{Name: "cli-beta", Status: "STOPPED_INGESTION", Retention: 30, ARN: beta.EventDataStoreArn, CreatedTimestampRaw: beta.CreatedTimestamp})
	if names := aws.listNames(); !reflect.DeepEqual(names, map[string]string{"cli-alpha": alpha.EventDataStoreArn, "cli-beta": beta.EventDataStoreArn}) {
		t.Errorf("restart 1: list-event-data-stores = %v, want cli-alpha and cli-beta", names)
	}
	aws.checkTags([]string{beta.EventDataStoreArn}, map[string][]string{beta.EventDataStoreArn: {"oncall", "team=security"}})

	aws.ok(&got, "update-event-data-store", "--event-data-store", alpha.EventDataStoreArn,
		"--name", "cli-alpha-renamed", "--retention-period", "90", "--no-termination-protection-enabled")
	// §3.9: the response is the full description; the status is unchanged.
	checkCLIStore(t, "update cli-alpha", got, cliWant{Name: "cli-alpha-renamed", Status: "ENABLED", Retention: 90, TerminationProtect: cliFalse(),
		MultiRegion: cliTrue(), Organization: cliFalse(), BillingMode: "EXTENDABLE_RETENTION_PRICING", Selectors: cliDefaultSelectors,
		ARN: alpha.EventDataStoreArn, CreatedTimestampRaw: alpha.CreatedTimestamp})
	aws.ok(nil, "add-tags", "--resource-id", alpha.EventDataStoreArn, "--tags-list", "Key=env,Value=prod", "Key=owner,Value=alice")
	aws.ok(nil, "start-event-data-store-ingestion", "--event-data-store", beta.EventDataStoreArn)

	srv.Restart()

	// 3. The update, the tags and the started ingestion survived; remove a
	// tag and delete the renamed store.
	renamed := cliWant{Name: "cli-alpha-renamed", Retention: 90, TerminationProtect: cliFalse(), MultiRegion: cliTrue(), Organization: cliFalse(),
		BillingMode: "EXTENDABLE_RETENTION_PRICING", Selectors: cliDefaultSelectors, ARN: alpha.EventDataStoreArn, CreatedTimestampRaw: alpha.CreatedTimestamp}
	withStatus := func(w cliWant, status string) cliWant { w.Status = status; return w }
	aws.ok(&got, "get-event-data-store", "--event-data-store", alpha.EventDataStoreArn)
	checkCLIStore(t, "restart 2: get cli-alpha-renamed", got, withStatus(renamed, "ENABLED"))
	aws.ok(&got, "get-event-data-store", "--event-data-store", beta.EventDataStoreArn)
	// §3.12: StartEventDataStoreIngestion ends in ENABLED.
	checkCLIStore(t, "restart 2: get cli-beta", got, cliWant{Name: "cli-beta", Status: "ENABLED", Retention: 30})
	aws.checkTags([]string{alpha.EventDataStoreArn, beta.EventDataStoreArn}, map[string][]string{
		alpha.EventDataStoreArn: {"env=prod", "owner=alice"},
		beta.EventDataStoreArn:  {"oncall", "team=security"},
	})
	if names := aws.listNames(); !reflect.DeepEqual(names, map[string]string{"cli-alpha-renamed": alpha.EventDataStoreArn, "cli-beta": beta.EventDataStoreArn}) {
		t.Errorf("restart 2: list-event-data-stores = %v, want cli-alpha-renamed and cli-beta", names)
	}
	aws.ok(nil, "remove-tags", "--resource-id", alpha.EventDataStoreArn, "--tags-list", "Key=owner")
	aws.ok(nil, "delete-event-data-store", "--event-data-store", alpha.EventDataStoreArn)
	// §3.7: Get works during PENDING_DELETION.
	aws.ok(&got, "get-event-data-store", "--event-data-store", alpha.EventDataStoreArn)
	checkCLIStore(t, "get after delete", got, withStatus(renamed, "PENDING_DELETION"))

	srv.Restart()

	// 4. Still pending deletion after the restart; restore it.
	aws.ok(&got, "get-event-data-store", "--event-data-store", alphaID)
	checkCLIStore(t, "restart 3: get deleted store", got, withStatus(renamed, "PENDING_DELETION"))
	aws.ok(&got, "get-event-data-store", "--event-data-store", beta.EventDataStoreArn)
	checkCLIStore(t, "restart 3: get cli-beta", got, cliWant{Name: "cli-beta", Status: "ENABLED", Retention: 30})
	aws.checkTags([]string{beta.EventDataStoreArn}, map[string][]string{beta.EventDataStoreArn: {"oncall", "team=security"}})
	aws.ok(&got, "restore-event-data-store", "--event-data-store", alpha.EventDataStoreArn)
	// §3.11, §5.1: a restored store is ENABLED, configuration intact.
	checkCLIStore(t, "restore", got, withStatus(renamed, "ENABLED"))

	srv.Restart()

	// 5. The restore survived, and so did everything before it.
	aws.ok(&got, "get-event-data-store", "--event-data-store", alpha.EventDataStoreArn)
	checkCLIStore(t, "restart 4: get restored store", got, withStatus(renamed, "ENABLED"))
	aws.ok(&got, "get-event-data-store", "--event-data-store", beta.EventDataStoreArn)
	checkCLIStore(t, "restart 4: get cli-beta", got, cliWant{Name: "cli-beta", Status: "ENABLED", Retention: 30, ARN: beta.EventDataStoreArn, CreatedTimestampRaw: beta.CreatedTimestamp})
	aws.checkTags([]string{alpha.EventDataStoreArn, beta.EventDataStoreArn}, map[string][]string{
		alpha.EventDataStoreArn: {"env=prod"},
		beta.EventDataStoreArn:  {"oncall", "team=security"},
	})
	if names := aws.listNames(); !reflect.DeepEqual(names, map[string]string{"cli-alpha-renamed": alpha.EventDataStoreArn, "cli-beta": beta.EventDataStoreArn}) {
		t.Errorf("restart 4: list-event-data-stores = %v, want cli-alpha-renamed and cli-beta", names)
	}
}

// TestCLIEventDataStoreOperations covers, through the CLI, billing-mode
// defaults, paging, ingestion control, timestamp rendering and the error
// codes of bad requests.
func TestCLIEventDataStoreOperations(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	aws := newAWSCLI(t, srv)

	// Five stores, enough for three pages of two.
	stores := map[string]cliStore{}
	for _, name := range []string{"cli-p1", "cli-p2", "cli-p3", "cli-p4", "cli-p5"} {
		args := []string{"create-event-data-store", "--name", name}
		if name == "cli-p2" {
			args = append(args, "--billing-mode", "FIXED_RETENTION_PRICING")
		}
		var s cliStore
		aws.ok(&s, args...)
		cliStoreID(t, s.EventDataStoreArn)
		stores[name] = s
	}
	// §5.2: fixed pricing defaults to 2557 days of retention.
	checkCLIStore(t, "create cli-p2 with fixed pricing", stores["cli-p2"], cliWant{Status: "CREATED", BillingMode: "FIXED_RETENTION_PRICING", Retention: 2557})

	// §3.6, §2: bad creates.
	aws.fails("EventDataStoreAlreadyExistsException", "create-event-data-store", "--name", "cli-p1")
	aws.fails("InvalidParameterException", "create-event-data-store", "--name", "a b")
	aws.fails("InvalidParameterException", "create-event-data-store", "--name", "cli-bad-retention", "--retention-period", "3654")
	aws.fails("InvalidParameterException", "create-event-data-store", "--name", "cli-bad-fixed", "--billing-mode", "FIXED_RETENTION_PRICING", "--retention-period", "2558")

	// §3.7, §1.8: unknown and malformed store references.
	aws.fails("EventDataStoreNotFoundException", "get-event-data-store", "--event-data-store", "0f2c4b1e-8d3a-4c5b-9e6f-7a8b9c0d1e2f")
	aws.fails("EventDataStoreARNInvalidException", "get-event-data-store", "--event-data-store", "not-a-store")

	// §1.9, §3.8: the CLI does not auto-paginate ListEventDataStores, so
	// page by hand. Tokens are at least 4 characters; the last page has none.
	seen := map[string]int{}
	token := ""
	for page, wantLen := range []int{2, 2, 1} {
		args := []string{"list-event-data-stores", "--max-results", "2"}
		if token != "" {
			args = append(args, "--next-token", token)
		}
		var l cliList
		aws.ok(&l, args...)
		if len(l.EventDataStores) != wantLen {
			t.Errorf("list page %d: %d stores, want %d", page+1, len(l.EventDataStores), wantLen)
		}
		for _, s := range l.EventDataStores {
			seen[s.Name]++
			if w := stores[s.Name].EventDataStoreArn; s.EventDataStoreArn != w {
				t.Errorf("list page %d: %s has ARN %q, want %q", page+1, s.Name, s.EventDataStoreArn, w)
			}
		}
		last := page == 2
		switch {
		case last && l.NextToken != nil:
			t.Errorf("list page %d (last): NextToken %q, want none", page+1, *l.NextToken)
		case !last && l.NextToken == nil:
			t.Fatalf("list page %d: no NextToken, want one", page+1)
		case !last && (len(*l.NextToken) < 4 || *l.NextToken == token):
			t.Fatalf("list page %d: NextToken %q: want a new token of at least 4 characters", page+1, *l.NextToken)
		case !last:
			token = *l.NextToken
		}
	}
	for name := range stores {
		if seen[name] != 1 {
			t.Errorf("paging listed %s %d times, want once", name, seen[name])
		}
	}
	if len(seen) != len(stores) {
		t.Errorf("paging listed %v, want exactly the 5 stores", seen)
	}
	aws.fails("InvalidNextTokenException", "list-event-data-stores", "--next-token", "abcdefgh")
	// §1.8: botocore does not check maximums, so the server must.
	aws.fails("InvalidMaxResultsException", "list-event-data-stores", "--max-results", "1001")

	// §3.12: ingestion control and its status checks.
	p1 := stores["cli-p1"].EventDataStoreArn
	aws.fails("InvalidEventDataStoreStatusException", "start-event-data-store-ingestion", "--event-data-store", p1)
	aws.ok(nil, "stop-event-data-store-ingestion", "--event-data-store", p1)
	aws.fails("InvalidEventDataStoreStatusException", "stop-event-data-store-ingestion", "--event-data-store", p1)
	// §1.5: timestamps travel as epoch numbers; with cli_timestamp_format
	// iso8601 the CLI renders them as ISO-8601 text, e.g.
	// "2023-11-09T17:08:20.705000+00:00".
	iso := aws.withConfig("[default]\ncli_timestamp_format = iso8601\n")
	var rendered struct {
		Status                             string
		CreatedTimestamp, UpdatedTimestamp string
	}
	iso.ok(&rendered, "get-event-data-store", "--event-data-store", p1)
	if rendered.Status != "STOPPED_INGESTION" {
		t.Errorf("get after stop-event-data-store-ingestion: Status %q, want STOPPED_INGESTION", rendered.Status)
	}
	created := cliEpochSeconds(t, "create cli-p1 CreatedTimestamp", stores["cli-p1"].CreatedTimestamp)
	for name, v := range map[string]string{"CreatedTimestamp": rendered.CreatedTimestamp, "UpdatedTimestamp": rendered.UpdatedTimestamp} {
		ts, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Errorf("iso8601 rendering of %s = %q: %v", name, v, err)
			continue
		}
		if name == "CreatedTimestamp" && ts.Sub(created).Abs() > time.Millisecond {
			t.Errorf("iso8601 rendering of CreatedTimestamp = %v, want the create response's %v", ts, created)
		}
	}
	aws.ok(nil, "start-event-data-store-ingestion", "--event-data-store", p1)
	var s cliStore
	aws.ok(&s, "get-event-data-store", "--event-data-store", p1)
	checkCLIStore(t, "get after start-event-data-store-ingestion", s, cliWant{Status: "ENABLED"})

	// §3.9: an update needs a member besides the store.
	aws.fails("InvalidParameterException", "update-event-data-store", "--event-data-store", stores["cli-p3"].EventDataStoreArn)
	// §3.11: only a store pending deletion can be restored.
	aws.fails("InvalidEventDataStoreStatusException", "restore-event-data-store", "--event-data-store", stores["cli-p4"].EventDataStoreArn)
}
