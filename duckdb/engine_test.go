package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/internal/sqlquote"
	"github.com/ctlake/ctlake/segment"
)

// The store ids of the tests and their table names, as lakesql.TableName
// spells them.
const (
	storeA = "0b9d1c2e-1111-4a6e-9a55-3f8f6aa0c001"
	storeB = "0b9d1c2e-2222-4a6e-9a55-3f8f6aa0c002"
	storeC = "0b9d1c2e-3333-4a6e-9a55-3f8f6aa0c003" // no segments
	tableA = "eds_0b9d1c2e_1111_4a6e_9a55_3f8f6aa0c001"
	tableB = "eds_0b9d1c2e_2222_4a6e_9a55_3f8f6aa0c002"
	tableC = "eds_0b9d1c2e_3333_4a6e_9a55_3f8f6aa0c003"
)

var (
	day1     = time.Date(2023, 7, 10, 0, 0, 0, 0, time.UTC)
	day2     = day1.AddDate(0, 0, 1)
	creation = time.Date(2023, 7, 10, 10, 0, 0, 500_000_000, time.UTC)
)

func ptr[T any](v T) *T { return &v }

// Store A: a console login with every struct filled, an S3 call that
// failed, and an event with every field NULL, on two days. Store B: two
// calls by the same role as the login.
var (
	login = &ctlake.Event{
		EventVersion: ptr("1.08"),
		UserIdentity: &ctlake.UserIdentity{
			Type: ptr("AssumedRole"), PrincipalID: ptr("AROAEXAMPLE:alice"),
			ARN:       ptr("arn:aws:sts::111122223333:assumed-role/Admin/alice"),
			AccountID: ptr("111122223333"), AccessKeyID: ptr("ASIAEXAMPLE"),
			SessionContext: &ctlake.SessionContext{
				Attributes: &ctlake.SessionAttributes{CreationDate: &creation, MFAAuthenticated: ptr("true")},
				SessionIssuer: &ctlake.SessionIssuer{
					Type: ptr("Role"), PrincipalID: ptr("AROAEXAMPLE"), ARN: ptr("arn:aws:iam::111122223333:role/Admin"),
					AccountID: ptr("111122223333"), UserName: ptr("Admin"),
				},
			},
		},
		EventTime:   day1.Add(11*time.Hour + 47*time.Minute + 39*time.Second + 123*time.Millisecond),
		EventSource: ptr("signin.amazonaws.com"), EventName: ptr("ConsoleLogin"), AWSRegion: ptr("us-east-1"),
		SourceIPAddress: ptr("203.0.113.7"), UserAgent: ptr("Mozilla/5.0"),
		RequestParameters:   map[string]string{},
		ResponseElements:    map[string]string{"ConsoleLogin": "Success"},
		AdditionalEventData: map[string]string{"MFAUsed": "Yes", "LoginTo": "https://console.aws.amazon.com/"},
		EventID:             ptr("e0000000-0000-4000-8000-000000000001"),
		ReadOnly:            ptr(false), EventType: ptr("AwsConsoleSignIn"), ManagementEvent: ptr(true),
		RecipientAccountID: ptr("111122223333"), EventCategory: ptr("Management"),
		TLSDetails: &ctlake.TLSDetails{TLSVersion: ptr("TLSv1.3"), CipherSuite: ptr("TLS_AES_128_GCM_SHA256")},
		EventJSON:  `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice","accountId":"111122223333"},"eventName":"ConsoleLogin","n":12345678901234567890}`,
	}
	putObject = &ctlake.Event{
		EventVersion: ptr("1.09"),
		UserIdentity: &ctlake.UserIdentity{Type: ptr("IAMUser"), UserName: ptr("bob"), ARN: ptr("arn:aws:iam::111122223333:user/bob")},
		EventTime:    day1.Add(12 * time.Hour),
		EventSource:  ptr("s3.amazonaws.com"), EventName: ptr("PutObject"), AWSRegion: ptr("eu-west-1"),
		ErrorCode: ptr("AccessDenied"), ErrorMessage: ptr("Access Denied"),
		RequestParameters: map[string]string{"bucketName": "acme-logs", "key": "a/b.txt", "Host": "acme-logs.s3.amazonaws.com"},
		EventID:           ptr("e0000000-0000-4000-8000-000000000002"),
		ReadOnly:          ptr(false), ManagementEvent: ptr(false),
		Resources: []ctlake.Resource{
			{AccountID: ptr("111122223333"), Type: ptr("AWS::S3::Object"), ARN: ptr("arn:aws:s3:::acme-logs/a/b.txt")},
			{Type: ptr("AWS::S3::Bucket"), ARN: ptr("arn:aws:s3:::acme-logs")},
		},
		EventJSON: `{"eventName":"PutObject"}`,
	}
	nothing = &ctlake.Event{EventTime: day2.Add(time.Hour), EventJSON: "{}"}

	listBuckets = &ctlake.Event{
		UserIdentity: &ctlake.UserIdentity{ARN: ptr("arn:aws:sts::111122223333:assumed-role/Admin/alice")},
		EventTime:    day1.Add(13 * time.Hour), EventName: ptr("ListBuckets"), EventSource: ptr("s3.amazonaws.com"),
		EventID: ptr("e0000000-0000-4000-8000-000000000003"), ReadOnly: ptr(true), EventJSON: "{}",
	}
	getObject = &ctlake.Event{
		UserIdentity: &ctlake.UserIdentity{ARN: ptr("arn:aws:sts::111122223333:assumed-role/Admin/alice")},
		EventTime:    day1.Add(14 * time.Hour), EventName: ptr("GetObject"), EventSource: ptr("s3.amazonaws.com"),
		EventID: ptr("e0000000-0000-4000-8000-000000000004"), ReadOnly: ptr(true), EventJSON: "{}",
	}
)

// fixture is an engine over real segments of three stores.
type fixture struct {
	engine *Engine
	store  *segment.Store
	paths  map[string][]string // table name → segment files
	events map[string]int64    // table name → events written
	bytes  map[string]int64    // table name → bytes written
	temp   string
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	ctx := context.Background()
	data := t.TempDir()
	f := &fixture{
		store:  segment.NewStore(filepath.Join(data, "segments")),
		paths:  map[string][]string{tableC: nil},
		events: map[string]int64{},
		bytes:  map[string]int64{},
		temp:   filepath.Join(data, "tmp"),
	}
	write := func(table, store string, day time.Time, events ...*ctlake.Event) {
		seg, err := f.store.WriteSegment(ctx, store, day, events)
		if err != nil {
			t.Fatal(err)
		}
		f.paths[table] = append(f.paths[table], f.store.Abs(seg.Path))
		f.events[table] += seg.Events
		f.bytes[table] += seg.Bytes
	}
	write(tableA, storeA, day1, login, putObject)
	write(tableA, storeA, day2, nothing)
	write(tableB, storeB, day1, listBuckets, getObject)

	cfg.AllowedDirs = []string{f.store.Root}
	if cfg.TempDir == "" {
		cfg.TempDir = f.temp
	}
	if cfg.MemoryLimit == "" {
		cfg.MemoryLimit = "512MB"
	}
	if cfg.Threads == 0 {
		cfg.Threads = 2
	}
	e, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	})
	f.engine = e
	return f
}

// stores returns the stores of the named tables.
func (f *fixture) stores(tables ...string) map[string][]string {
	m := make(map[string][]string, len(tables))
	for _, t := range tables {
		m[t] = f.paths[t]
	}
	return m
}

// result is what a query delivered.
type result struct {
	columns []string
	rows    [][]string // "NULL" for nil
	stats   Stats
}

func (f *fixture) query(ctx context.Context, sql string, tables ...string) (result, error) {
	var r result
	st, err := f.engine.Query(ctx, sql, f.stores(tables...), func(columns []string, row []*string) error {
		if r.columns == nil {
			r.columns = slices.Clone(columns)
		}
		text := make([]string, len(row))
		for i, v := range row {
			if v == nil {
				text[i] = "NULL"
			} else {
				text[i] = *v
			}
		}
		r.rows = append(r.rows, text)
		return nil
	})
	r.stats = st
	return r, err
}

func (f *fixture) mustQuery(t *testing.T, sql string, tables ...string) result {
	t.Helper()
	r, err := f.query(context.Background(), sql, tables...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if int(r.stats.Rows) != len(r.rows) {
		t.Errorf("%s: Stats.Rows = %d, delivered %d", sql, r.stats.Rows, len(r.rows))
	}
	return r
}

// lakeColumns are the column names of the Lake schema (spec §6.2), in order.
var lakeColumns = []string{
	"eventversion", "useridentity", "eventtime", "eventsource", "eventname", "awsregion", "sourceipaddress",
	"useragent", "errorcode", "errormessage", "requestparameters", "responseelements", "additionaleventdata",
	"requestid", "eventid", "readonly", "resources", "eventtype", "apiversion", "managementevent",
	"recipientaccountid", "sharedeventid", "annotation", "vpcendpointid", "vpcendpointaccountid",
	"serviceeventdetails", "addendum", "edgedevicedetails", "insightdetails", "eventcategory", "tlsdetails",
	"sessioncredentialfromconsole", "eventjson", "eventjsonchecksum",
}

func rowsEqual(got, want [][]string) bool {
	return slices.EqualFunc(got, want, func(a, b []string) bool { return slices.Equal(a, b) })
}

func checkRows(t *testing.T, r result, columns []string, want [][]string) {
	t.Helper()
	if !slices.Equal(r.columns, columns) && !(len(r.rows) == 0 && r.columns == nil) {
		t.Errorf("columns = %q, want %q", r.columns, columns)
	}
	if !rowsEqual(r.rows, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", showRows(r.rows), showRows(want))
	}
}

func showRows(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("  " + strings.Join(r, " | ") + "\n")
	}
	return b.String()
}

func TestQueryAggregate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	r := f.mustQuery(t, `SELECT eventname AS "eventName", count(*) AS "_col1" FROM `+tableA+` GROUP BY 1 ORDER BY 1`, tableA)
	checkRows(t, r, []string{"eventName", "_col1"}, [][]string{
		{"ConsoleLogin", "1"}, {"PutObject", "1"}, {"NULL", "1"},
	})
	if r.stats.EventsScanned != f.events[tableA] || r.stats.EventsScanned != 3 {
		t.Errorf("EventsScanned = %d, want %d", r.stats.EventsScanned, f.events[tableA])
	}
	if r.stats.BytesScanned != f.bytes[tableA] || r.stats.BytesScanned == 0 {
		t.Errorf("BytesScanned = %d, want %d", r.stats.BytesScanned, f.bytes[tableA])
	}
}

// TestQueryValues checks the text of every kind of Lake column, from real
// segments: timestamps, maps, structs, arrays of structs, booleans, NULL
// at the top and inside.
func TestQueryValues(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	q := `SELECT eventtime, useridentity.sessioncontext.attributes.creationdate AS "creationDate",
		useridentity.arn AS "arn", useridentity.sessioncontext.sessionissuer AS "sessionissuer",
		useridentity.sessioncontext.attributes AS "attributes", requestparameters, responseelements,
		additionaleventdata, resources, readonly, managementevent, errorcode, tlsdetails,
		useridentity.onbehalfof AS "onbehalfof", eventjsonchecksum, len(resources) AS "_col15",
		eventtime > '2023-07-10 12:00:00' AS "_col16"
		FROM ` + tableA + ` ORDER BY eventtime`
	r := f.mustQuery(t, q, tableA)
	checkRows(t, r, []string{
		"eventtime", "creationDate", "arn", "sessionissuer", "attributes", "requestparameters", "responseelements",
		"additionaleventdata", "resources", "readonly", "managementevent", "errorcode", "tlsdetails",
		"onbehalfof", "eventjsonchecksum", "_col15", "_col16",
	}, [][]string{
		{
			"2023-07-10 11:47:39.123", "2023-07-10 10:00:00.500", "arn:aws:sts::111122223333:assumed-role/Admin/alice",
			"{type=Role, principalid=AROAEXAMPLE, arn=arn:aws:iam::111122223333:role/Admin, accountid=111122223333, username=Admin}",
			"{creationdate=2023-07-10 10:00:00.500, mfaauthenticated=true}",
			"{}", "{ConsoleLogin=Success}", "{LoginTo=https://console.aws.amazon.com/, MFAUsed=Yes}",
			"NULL", "false", "true", "NULL",
			"{tlsversion=TLSv1.3, ciphersuite=TLS_AES_128_GCM_SHA256, clientprovidedhostheader=null}",
			"NULL", "NULL", "NULL", "false",
		},
		{
			"2023-07-10 12:00:00.000", "NULL", "arn:aws:iam::111122223333:user/bob", "NULL", "NULL",
			"{Host=acme-logs.s3.amazonaws.com, bucketName=acme-logs, key=a/b.txt}", "NULL", "NULL",
			"[{accountid=111122223333, type=AWS::S3::Object, arn=arn:aws:s3:::acme-logs/a/b.txt, arnprefix=null}, " +
				"{accountid=null, type=AWS::S3::Bucket, arn=arn:aws:s3:::acme-logs, arnprefix=null}]",
			"false", "false", "AccessDenied", "NULL", "NULL", "NULL", "2", "false",
		},
		{
			"2023-07-11 01:00:00.000", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
			"NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "true",
		},
	})
}

// TestQuerySchema checks that a store's table has exactly the Lake columns
// in spec order, with or without segments, and that an empty store's
// columns have the types of a full one's.
func TestQuerySchema(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	r := f.mustQuery(t, "SELECT * FROM "+tableA+" WHERE eventname = 'ConsoleLogin'", tableA)
	if !slices.Equal(r.columns, lakeColumns) {
		t.Errorf("columns of a store:\n%q\nwant\n%q", r.columns, lakeColumns)
	}
	if len(r.rows) != 1 || r.rows[0][32] != login.EventJSON {
		t.Errorf("eventjson = %q", r.rows)
	}

	// An empty store: no rows, and the same columns and types, which a
	// UNION ALL BY NAME with a full store would otherwise widen or reject.
	var columns []string
	st, err := f.engine.Query(context.Background(), "SELECT * FROM "+tableC, f.stores(tableC),
		func(c []string, _ []*string) error { columns = c; return errors.New("a row") })
	if err != nil || st.Rows != 0 || st.EventsScanned != 0 || st.BytesScanned != 0 || columns != nil {
		t.Errorf("empty store: stats %+v, err %v", st, err)
	}
	r = f.mustQuery(t, "SELECT count(*) AS n FROM "+tableC, tableC)
	checkRows(t, r, []string{"n"}, [][]string{{"0"}})
	types := "SELECT " + strings.Join(mapSlice(lakeColumns, func(c string) string { return "typeof(" + c + ")" }), " || ', ' || ") + " AS t FROM "
	full := f.mustQuery(t, types+tableA+" LIMIT 1", tableA)
	empty := f.mustQuery(t, types+"(SELECT * FROM "+tableC+" UNION ALL SELECT * FROM "+tableA+" LIMIT 1)", tableA, tableC)
	if !rowsEqual(full.rows, empty.rows) || len(full.rows) != 1 {
		t.Errorf("types of a full store:\n%s\nafter a union with an empty one:\n%s", showRows(full.rows), showRows(empty.rows))
	}
	if !strings.Contains(full.rows[0][0], "TIMESTAMP WITH TIME ZONE") {
		t.Errorf("types: %s", full.rows[0][0])
	}
	// And directly: the empty view's declared types against DuckDB's
	// reading of a segment, outside the sandbox.
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	describe := func(q string) [][]string {
		var out [][]string
		rows, err := db.Query("SELECT column_name, column_type FROM (DESCRIBE " + q + ")")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var name, typ string
			if err := rows.Scan(&name, &typ); err != nil {
				t.Fatal(err)
			}
			out = append(out, []string{name, typ})
		}
		return out
	}
	want := describe("SELECT * FROM read_parquet(" + sqlquote.String(f.paths[tableA][0]) + ", hive_partitioning = false)")
	if got := describe(f.engine.emptyView); !rowsEqual(got, want) || len(got) != len(lakeColumns) {
		t.Errorf("empty view:\n%s\nsegment:\n%s", showRows(got), showRows(want))
	}
}

func mapSlice[T, U any](s []T, fn func(T) U) []U {
	out := make([]U, len(s))
	for i, v := range s {
		out[i] = fn(v)
	}
	return out
}

// TestTwoStores checks queries over two stores: a JOIN, a UNION ALL, and
// an empty store beside a full one; the statistics cover both stores.
func TestTwoStores(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	r := f.mustQuery(t, `SELECT a.eventname AS "loginEvent", b.eventname AS "eventName", b.readonly
		FROM `+tableA+` a INNER JOIN `+tableB+` b ON a.useridentity.arn = b.useridentity.arn
		WHERE a.eventname = 'ConsoleLogin' ORDER BY b.eventtime`, tableA, tableB)
	checkRows(t, r, []string{"loginEvent", "eventName", "readonly"}, [][]string{
		{"ConsoleLogin", "ListBuckets", "true"}, {"ConsoleLogin", "GetObject", "true"},
	})
	if want := f.events[tableA] + f.events[tableB]; r.stats.EventsScanned != want || want != 5 {
		t.Errorf("EventsScanned = %d, want %d", r.stats.EventsScanned, want)
	}
	if want := f.bytes[tableA] + f.bytes[tableB]; r.stats.BytesScanned != want {
		t.Errorf("BytesScanned = %d, want %d", r.stats.BytesScanned, want)
	}

	r = f.mustQuery(t, `SELECT eventsource AS "eventSource", count(*) AS "_col1" FROM (
		SELECT eventsource FROM `+tableA+` UNION ALL SELECT eventsource FROM `+tableB+`
		UNION ALL SELECT eventsource FROM `+tableC+`) GROUP BY 1 ORDER BY 2 DESC, 1`, tableA, tableB, tableC)
	checkRows(t, r, []string{"eventSource", "_col1"}, [][]string{
		{"s3.amazonaws.com", "3"}, {"signin.amazonaws.com", "1"}, {"NULL", "1"},
	})

	r = f.mustQuery(t, `SELECT eventid FROM `+tableA+` EXCEPT SELECT eventid FROM `+tableC+` ORDER BY 1`, tableA, tableC)
	checkRows(t, r, []string{"eventid"}, [][]string{{*login.EventID}, {*putObject.EventID}, {"NULL"}})

	r = f.mustQuery(t, `SELECT b.eventname FROM `+tableB+` b LEFT JOIN `+tableC+` c ON b.eventid = c.eventid
		WHERE c.eventid IS NULL ORDER BY 1`, tableB, tableC)
	checkRows(t, r, []string{"eventname"}, [][]string{{"GetObject"}, {"ListBuckets"}})
}

// TestColumnNames checks that the columns are named as DuckDB names them:
// aliases as spelled, duplicates kept, and a bare column by its name in
// the table, not as the query spelled it (the front end adds the aliases
// that give AWS's labels).
func TestColumnNames(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	r := f.mustQuery(t, `SELECT eventName, eventname AS "eventName", useridentity.arn, eventname AS "a", awsregion AS "a"
		FROM `+tableB+` ORDER BY 1 LIMIT 1`, tableB)
	checkRows(t, r, []string{"eventname", "eventName", "arn", "a", "a"}, [][]string{
		{"GetObject", "GetObject", "arn:aws:sts::111122223333:assumed-role/Admin/alice", "GetObject", "NULL"},
	})
}

// TestOpen checks the configuration's defaults and requirements.
func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, err := Open(ctx, Config{}); err == nil {
		t.Error("opened with no allowed folders")
	}
	root := t.TempDir()
	e, err := Open(ctx, Config{AllowedDirs: []string{root}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	conn, err := e.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var temp, dirs, memory string
	var threads int
	err = conn.QueryRowContext(ctx, `SELECT current_setting('temp_directory'), current_setting('allowed_directories')::VARCHAR,
		current_setting('memory_limit'), current_setting('threads')`).Scan(&temp, &dirs, &memory, &threads)
	if err != nil {
		t.Fatal(err)
	}
	// No TempDir: no spilling, and nothing allowed but the segments.
	if temp != "" || dirs != "["+root+"/]" || threads != runtime.NumCPU() {
		t.Errorf("temp_directory %q, allowed_directories %s, threads %d", temp, dirs, threads)
	}
	t.Logf("default memory_limit %s (machine: %d MiB)", memory, memTotal()>>20)
}
