package lakesql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/internal/sqlquote"
	"github.com/ctlake/ctlake/segment"
	_ "github.com/duckdb/duckdb-go/v2"
)

// The two event data stores of the execution tests.
const (
	storeA = "03543d1c-054c-4016-95ae-1f8faef24485"
	storeB = "5f1c3b1e-2a4d-4c6e-9f00-0123456789ab"
)

func ptr[T any](v T) *T { return &v }

func ts(t string) time.Time {
	tm, err := time.Parse("2006-01-02 15:04:05.000", t)
	if err != nil {
		panic(err)
	}
	return tm
}

// user is an IAM user's identity.
func user(name, principal string) *ctlake.UserIdentity {
	return &ctlake.UserIdentity{
		Type: ptr("IAMUser"), PrincipalID: ptr(principal), ARN: ptr("arn:aws:iam::111122223333:user/" + name),
		AccountID: ptr("111122223333"), AccessKeyID: ptr("AKIAEXAMPLE" + strings.ToUpper(name)), UserName: ptr(name),
	}
}

// role is an assumed role's identity.
func role(roleName, session string, mfa string) *ctlake.UserIdentity {
	created := ts("2023-01-22 09:00:00.000")
	return &ctlake.UserIdentity{
		Type: ptr("AssumedRole"), PrincipalID: ptr("AROAEXAMPLE:" + session),
		ARN:       ptr("arn:aws:sts::111122223333:assumed-role/" + roleName + "/" + session),
		AccountID: ptr("111122223333"), AccessKeyID: ptr("ASIAEXAMPLE"),
		SessionContext: &ctlake.SessionContext{
			Attributes: &ctlake.SessionAttributes{CreationDate: &created, MFAAuthenticated: ptr(mfa)},
			SessionIssuer: &ctlake.SessionIssuer{
				Type: ptr("Role"), PrincipalID: ptr("AROAEXAMPLE"), ARN: ptr("arn:aws:iam::111122223333:role/" + roleName),
				AccountID: ptr("111122223333"), UserName: ptr(roleName),
			},
		},
	}
}

// fixture returns the events of the two stores, by store id. Event ids are
// e1..e10 so that tests can pick events by id.
func fixture() map[string][]*ctlake.Event {
	ev := func(id, tm, source, name string, ui *ctlake.UserIdentity) *ctlake.Event {
		return &ctlake.Event{
			EventVersion: ptr("1.08"), UserIdentity: ui, EventTime: ts(tm),
			EventSource: ptr(source), EventName: ptr(name), AWSRegion: ptr("us-east-1"),
			SourceIPAddress: ptr("198.51.100.7"), UserAgent: ptr("aws-cli/2.13.5"),
			RequestID: ptr("req-" + id), EventID: ptr(id), ReadOnly: ptr(false),
			EventType: ptr("AwsApiCall"), ManagementEvent: ptr(true), RecipientAccountID: ptr("111122223333"),
			EventCategory: ptr("Management"),
			TLSDetails: &ctlake.TLSDetails{
				TLSVersion: ptr("TLSv1.3"), CipherSuite: ptr("TLS_AES_128_GCM_SHA256"), ClientProvidedHostHeader: ptr(source),
			},
		}
	}
	e1 := ev("e1", "2023-01-22 16:53:53.000", "signin.amazonaws.com", "ConsoleLogin", user("bob", "AIDAEXAMPLEBOB"))
	e1.EventType = ptr("AwsConsoleSignIn")
	e1.AdditionalEventData = map[string]string{"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs#/x"}
	e1.ResponseElements = map[string]string{"ConsoleLogin": "Success"}

	e2 := ev("e2", "2023-01-22 10:00:00.250", "s3.amazonaws.com", "CreateBucket", role("Admin", "alice", "true"))
	e2.RequestParameters = map[string]string{
		"bucketName":                     "acme-logs",
		"PublicAccessBlockConfiguration": `{"RestrictPublicBuckets":true,"BlockPublicPolicy":false,"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/"}`,
		"Host":                           "acme-logs.s3.amazonaws.com",
	}
	e2.Resources = []ctlake.Resource{{Type: ptr("AWS::S3::Bucket"), ARN: ptr("arn:aws:s3:::acme-logs")}}
	e2.SourceIPAddress = ptr("203.0.113.9")

	e3 := ev("e3", "2023-01-25 08:30:00.000", "cloudtrail.amazonaws.com", "StartQuery", user("bob", "AIDAEXAMPLEBOB"))
	e3.RequestParameters = map[string]string{"queryStatement": "select * from x limit 1;"}
	e3.ResponseElements = map[string]string{"queryId": "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/" + storeA}

	e4 := ev("e4", "2023-07-07 12:00:00.000", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", role("Admin", "alice", "false"))
	e4.RequestParameters = map[string]string{
		"groupId":       "sg-0123",
		"ipPermissions": `{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}`,
	}
	e4.AWSRegion = ptr("eu-west-1")

	e5 := ev("e5", "2023-03-01 00:00:01.000", "sts.amazonaws.com", "AssumeRole", role("Deployer", "self", "false"))
	e5.Resources = []ctlake.Resource{
		{AccountID: ptr("111122223333"), Type: ptr("AWS::IAM::Role"), ARN: ptr("arn:aws:iam::111122223333:role/Deployer")},
		{AccountID: ptr("444455556666"), Type: ptr("AWS::STS::AssumedRole"), ARN: ptr("arn:aws:sts::444455556666:assumed-role/Deployer/self")},
	}
	e5.ReadOnly = ptr(true)
	e5.RecipientAccountID = ptr("444455556666")

	e6 := ev("e6", "2023-01-03 11:11:11.000", "ec2.amazonaws.com", "RunInstances", role("Admin", "alice", "true"))
	e6.ResponseElements = map[string]string{"instancesSet": `{"items":[{"instanceId":"i-b188560f","instanceType":"t3.micro"}]}`}

	e7 := ev("e7", "2023-01-22 20:25:01.000", "s3.amazonaws.com", "ListBuckets", user("bob", "AIDAEXAMPLEBOB"))
	e7.ErrorCode = ptr("AccessDenied")
	e7.ErrorMessage = ptr("Access Denied")
	e7.ReadOnly = ptr(true)
	e7.TLSDetails.TLSVersion = ptr("TLSv1.2")

	e8 := ev("e8", "2023-01-10 05:06:07.890", "s3.amazonaws.com", "GetObject", role("Reader", "carol", "false"))
	e8.EventCategory = ptr("Data")
	e8.ManagementEvent = ptr(false)
	e8.ReadOnly = ptr(true)
	e8.TLSDetails.TLSVersion = ptr("TLSv1")
	e8.RequestParameters = map[string]string{"bucketName": "acme-logs", "key": "a/b.txt"}
	e8.Resources = []ctlake.Resource{
		{Type: ptr("AWS::S3::Object"), ARN: ptr("arn:aws:s3:::acme-logs/a/b.txt")},
		{AccountID: ptr("111122223333"), Type: ptr("AWS::S3::Bucket"), ARN: ptr("arn:aws:s3:::acme-logs")},
	}

	e9 := ev("e9", "2022-01-21 16:38:27.000", "signin.amazonaws.com", "ConsoleLogin", role("Admin", "dave", "true"))
	e9.AWSRegion = ptr("us-west-2")
	e9.AdditionalEventData = map[string]string{"MFAUsed": "Yes"}

	e10 := ev("e10", "2023-01-22 12:00:00.000", "s3.amazonaws.com", "DeleteBucket", user("bob", "AIDAEXAMPLEBOB"))
	e10.RequestParameters = map[string]string{"bucketName": "old-bucket"}

	all := map[string][]*ctlake.Event{
		storeA: {e1, e2, e3, e4, e5, e6, e7, e8},
		storeB: {e9, e10},
	}
	for _, events := range all {
		for _, e := range events {
			e.EventJSON = eventJSON(e)
		}
	}
	return all
}

// eventJSON is a CloudTrail record for e: enough of it for queries on
// eventjson.
func eventJSON(e *ctlake.Event) string {
	rec := map[string]any{
		"eventVersion": e.EventVersion, "eventTime": e.EventTime.Format(time.RFC3339),
		"eventSource": e.EventSource, "eventName": e.EventName, "awsRegion": e.AWSRegion, "eventID": e.EventID,
	}
	if e.RequestParameters != nil {
		rp := map[string]any{}
		for k, v := range e.RequestParameters {
			var j any
			if json.Unmarshal([]byte(v), &j) == nil {
				rp[k] = j
			} else {
				rp[k] = v
			}
		}
		rec["requestParameters"] = rp
	}
	if *e.EventName == "CreateBucket" {
		rec["requestParameters"].(map[string]any)["tagSet"] = map[string]any{"items": []any{map[string]any{"key": "team", "value": "sec"}}}
	}
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureErr  error
)

// segments writes the fixture's events as segments once per test binary
// and returns the folder of the segment store.
func segments(t testing.TB) string {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lakesql-test-")
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureDir = dir
		store := segment.NewStore(dir)
		for id, events := range fixture() {
			byDay := map[time.Time][]*ctlake.Event{}
			for _, e := range events {
				d := e.EventTime.Truncate(24 * time.Hour)
				byDay[d] = append(byDay[d], e)
			}
			for d, evs := range byDay {
				if _, err := store.WriteSegment(context.Background(), id, d, evs); err != nil {
					fixtureErr = err
					return
				}
			}
		}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// openLake returns a DuckDB database with a view TableName(id) over the
// segments of each fixture store, set up as the engine is: UTC, and no
// access to files beyond the views.
func openLake(t testing.TB) *sql.DB {
	t.Helper()
	dir := segments(t)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	stmts := []string{"SET TimeZone = 'UTC'"}
	for _, id := range []string{storeA, storeB} {
		glob := filepath.Join(dir, id, "*", "*.parquet")
		stmts = append(stmts, fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet(%s, hive_partitioning = false)",
			TableName(id), sqlquote.String(glob)))
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return db
}

// result is a query's column names and its rows, every value printed with
// DuckDB's CAST(... AS VARCHAR) and NULL as "NULL".
type result struct {
	cols []string
	rows [][]string
}

// run translates q, runs it on db, and returns its result.
func run(t testing.TB, db *sql.DB, q string) (result, error) {
	t.Helper()
	st, err := Translate(q)
	if err != nil {
		return result{}, fmt.Errorf("translate: %w", err)
	}
	return runSQL(db, st.SQL)
}

func runSQL(db *sql.DB, q string) (result, error) {
	rows, err := db.Query(q)
	if err != nil {
		return result{}, fmt.Errorf("%s: %w", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return result{}, err
	}
	res := result{cols: cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return result{}, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = text(v)
		}
		res.rows = append(res.rows, row)
	}
	return res, rows.Err()
}

// text prints a value scanned from DuckDB.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return v.UTC().Format("2006-01-02 15:04:05.000")
	case []byte:
		return string(v)
	}
	return fmt.Sprint(v)
}
