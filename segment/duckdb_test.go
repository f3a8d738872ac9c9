package segment

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/internal/sqlquote"
	_ "github.com/duckdb/duckdb-go/v2"
)

// These tests read segments with DuckDB, the query engine of ctlake, so
// what they check is what a Lake query sees.

// The Lake schema of spec §6.2, as DuckDB names its types, in order.
var wantColumns = duckColumns()

// Three hand-built events: every field set, every field a non-nil empty
// value, every field nil. The tests list them in time order.
var (
	creation = time.Date(2023, 7, 10, 10, 0, 0, 500_000_000, time.UTC)
	empty    = &ctlake.Event{
		EventVersion: ptr(""),
		UserIdentity: &ctlake.UserIdentity{
			Type: ptr(""), PrincipalID: ptr(""), ARN: ptr(""), AccountID: ptr(""), AccessKeyID: ptr(""), UserName: ptr(""),
			SessionContext: &ctlake.SessionContext{},
			InvokedBy:      ptr(""), IdentityProvider: ptr(""),
			OnBehalfOf: &ctlake.OnBehalfOf{}, InScopeOf: &ctlake.InScopeOf{},
		},
		EventTime:   day.Add(5 * time.Hour),
		EventSource: ptr(""), EventName: ptr(""), AWSRegion: ptr(""), SourceIPAddress: ptr(""), UserAgent: ptr(""),
		ErrorCode: ptr(""), ErrorMessage: ptr(""),
		RequestParameters: map[string]string{}, ResponseElements: map[string]string{}, AdditionalEventData: map[string]string{},
		RequestID: ptr(""), EventID: ptr(""), ReadOnly: ptr(false), Resources: []ctlake.Resource{},
		EventType: ptr(""), APIVersion: ptr(""), ManagementEvent: ptr(true),
		RecipientAccountID: ptr(""), SharedEventID: ptr(""), Annotation: ptr(""), VPCEndpointID: ptr(""), VPCEndpointAccountID: ptr(""),
		ServiceEventDetails: map[string]string{}, Addendum: map[string]string{}, EdgeDeviceDetails: map[string]string{}, InsightDetails: map[string]string{},
		EventCategory: ptr(""), TLSDetails: &ctlake.TLSDetails{}, SessionCredentialFromConsole: ptr(""),
		EventJSON: "",
	}
	full = &ctlake.Event{
		EventVersion: ptr("1.08"),
		UserIdentity: &ctlake.UserIdentity{
			Type: ptr("AssumedRole"), PrincipalID: ptr("AROAEXAMPLE:alice"),
			ARN:       ptr("arn:aws:sts::111122223333:assumed-role/Admin/alice"),
			AccountID: ptr("111122223333"), AccessKeyID: ptr("ASIAEXAMPLE"), UserName: ptr("alice"),
			SessionContext: &ctlake.SessionContext{
				Attributes: &ctlake.SessionAttributes{CreationDate: &creation, MFAAuthenticated: ptr("true")},
				SessionIssuer: &ctlake.SessionIssuer{
					Type: ptr("Role"), PrincipalID: ptr("AROAEXAMPLE"), ARN: ptr("arn:aws:iam::111122223333:role/Admin"),
					AccountID: ptr("111122223333"), UserName: ptr("Admin"),
				},
				WebIDFederationData: &ctlake.WebIDFederationData{
					FederatedProvider: ptr("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"),
					Attributes: map[string]string{
						"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
						"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main",
					},
				},
				SourceIdentity: ptr("alice@example.com"), EC2RoleDelivery: ptr("2.0"), EC2IssuedInVPC: ptr("vpc-0abc"),
			},
			InvokedBy: ptr("cloudformation.amazonaws.com"), IdentityProvider: ptr("https://idp.example.com"),
			OnBehalfOf: &ctlake.OnBehalfOf{UserID: ptr("user-1"), IdentityStoreARN: ptr("arn:aws:identitystore::111122223333:identitystore/d-123")},
			InScopeOf: &ctlake.InScopeOf{
				SourceARN: ptr("arn:aws:lambda:us-east-1:111122223333:function:f"), SourceAccount: ptr("111122223333"),
				IssuerType: ptr("AWS::Lambda::Function"), CredentialsIssuedTo: ptr("arn:aws:iam::111122223333:role/f"),
			},
		},
		EventTime:   day.Add(11*time.Hour + 47*time.Minute + 39*time.Second + 123*time.Millisecond),
		EventSource: ptr("s3.amazonaws.com"), EventName: ptr("PutObject"), AWSRegion: ptr("us-east-1"),
		SourceIPAddress: ptr("203.0.113.7"), UserAgent: ptr("aws-cli/2.13.5"),
		ErrorCode: ptr("AccessDenied"), ErrorMessage: ptr("Access Denied"),
		RequestParameters: map[string]string{
			"bucketName": "acme-logs", "key": "a/b.txt", "Host": "acme-logs.s3.amazonaws.com", "x-amz-acl": "",
		},
		ResponseElements:    map[string]string{"x-amz-version-id": "3HL4kqtJ", "nested": `{"a":[1,2]}`},
		AdditionalEventData: map[string]string{"bytesTransferredIn": "42"},
		RequestID:           ptr("DRHT9Q1F6K4D7ZTZ"), EventID: ptr("8c2b5a3e-0000-4000-8000-000000000001"),
		ReadOnly: ptr(false),
		Resources: []ctlake.Resource{
			{AccountID: ptr("111122223333"), Type: ptr("AWS::S3::Object"), ARN: ptr("arn:aws:s3:::acme-logs/a/b.txt")},
			{Type: ptr("AWS::S3::Bucket"), ARN: ptr("arn:aws:s3:::acme-logs"), ARNPrefix: ptr("arn:aws:s3:::acme-")},
		},
		EventType: ptr("AwsApiCall"), APIVersion: ptr("2006-03-01"), ManagementEvent: ptr(false),
		RecipientAccountID: ptr("111122223333"), SharedEventID: ptr("5f2b5a3e-0000-4000-8000-000000000002"),
		Annotation: ptr("note"), VPCEndpointID: ptr("vpce-1"), VPCEndpointAccountID: ptr("444455556666"),
		ServiceEventDetails: map[string]string{"k": "v"},
		Addendum:            map[string]string{"reason": "DELIVERY_DELAY", "updatedFields": "eventTime"},
		EdgeDeviceDetails:   map[string]string{"deviceID": "d1"},
		InsightDetails:      map[string]string{"state": "Start"},
		EventCategory:       ptr("Data"),
		TLSDetails: &ctlake.TLSDetails{
			TLSVersion: ptr("TLSv1.3"), CipherSuite: ptr("TLS_AES_128_GCM_SHA256"), ClientProvidedHostHeader: ptr("acme-logs.s3.amazonaws.com"),
		},
		SessionCredentialFromConsole: ptr("true"),
		EventJSON:                    `{"eventVersion":"1.08","userAgent":"ünïcødé ✓"}`,
	}
	null = &ctlake.Event{EventTime: day.Add(24*time.Hour - time.Millisecond), EventJSON: "{}"}
)

func TestDuckDBRoundTrip(t *testing.T) {
	s := NewStore(t.TempDir())
	seg, err := s.WriteSegment(context.Background(), "store-1", day, []*ctlake.Event{null, full, empty})
	if err != nil {
		t.Fatal(err)
	}
	db := openDuckDB(t)
	file := sqlquote.String(s.Abs(seg.Path))
	from := " FROM read_parquet(" + file + ", hive_partitioning = false, file_row_number = true)"

	t.Run("schema", func(t *testing.T) {
		var got [][2]string
		q := "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(" + file + ", hive_partitioning = false))"
		for _, row := range queryRows(t, db, q) {
			got = append(got, [2]string{row[0].(string), row[1].(string)})
		}
		if !slices.Equal(got, wantColumns) {
			t.Errorf("columns:\n%s\nwant:\n%s", columnList(got), columnList(wantColumns))
		}
	})

	// The rows are in eventtime order in the file: empty, full, null.
	ms := func(e *ctlake.Event) any { return e.EventTime.UnixMilli() }
	for _, c := range []struct {
		expr string
		want []any // for empty, full, null
	}{
		{"eventid", []any{"", *full.EventID, nil}},
		{"eventversion", []any{"", "1.08", nil}},
		{"errorcode IS NULL", []any{false, false, true}},
		{"errorcode = ''", []any{true, false, nil}},
		{"errorcode", []any{"", "AccessDenied", nil}},

		{"typeof(eventtime)", []any{"TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITH TIME ZONE"}},
		{"epoch_ms(eventtime)", []any{ms(empty), ms(full), ms(null)}},
		{"CAST(eventtime AS VARCHAR)", []any{"2023-07-10 05:00:00+00", "2023-07-10 11:47:39.123+00", "2023-07-10 23:59:59.999+00"}},
		{"eventtime = '2023-07-10 11:47:39.123'", []any{false, true, false}},
		{"eventtime >= '2023-07-10 12:00:00' AND eventtime < '2023-07-11'", []any{false, false, true}},

		{"requestparameters['bucketName']", []any{nil, "acme-logs", nil}},
		{"CAST(element_at(requestparameters, 'bucketName') AS VARCHAR)", []any{"[]", "[acme-logs]", nil}},
		{"requestparameters['x-amz-acl'] = ''", []any{nil, true, nil}},
		{"CAST(cardinality(requestparameters) AS BIGINT)", []any{int64(0), int64(4), nil}},
		{"requestparameters IS NULL", []any{false, false, true}},
		{"array_to_string(list_sort(map_keys(requestparameters)), ',')", []any{"", "Host,bucketName,key,x-amz-acl", nil}},
		{"responseelements['nested']", []any{nil, `{"a":[1,2]}`, nil}},
		{"json_extract_string(responseelements['nested'], '$.a[1]')", []any{nil, "2", nil}},
		{"additionaleventdata['bytesTransferredIn']", []any{nil, "42", nil}},
		{"addendum['reason'] || '/' || addendum['updatedFields']", []any{nil, "DELIVERY_DELAY/eventTime", nil}},
		{"serviceeventdetails['k'] || edgedevicedetails['deviceID'] || insightdetails['state']", []any{nil, "vd1Start", nil}},

		{"useridentity IS NULL", []any{false, false, true}},
		{"useridentity.type", []any{"", "AssumedRole", nil}},
		{"useridentity.principalid || useridentity.arn || useridentity.accountid || useridentity.accesskeyid || useridentity.username",
			[]any{"", "AROAEXAMPLE:alicearn:aws:sts::111122223333:assumed-role/Admin/alice111122223333ASIAEXAMPLEalice", nil}},
		{"useridentity.invokedby || '|' || useridentity.identityprovider", []any{"|", "cloudformation.amazonaws.com|https://idp.example.com", nil}},
		{"useridentity.sessioncontext IS NULL", []any{false, false, true}},
		{"useridentity.sessioncontext.sessionissuer IS NULL", []any{true, false, true}},
		{"useridentity.sessioncontext.sessionissuer.arn", []any{nil, "arn:aws:iam::111122223333:role/Admin", nil}},
		{"useridentity.sessioncontext.sessionissuer.type || useridentity.sessioncontext.sessionissuer.username", []any{nil, "RoleAdmin", nil}},
		{"epoch_ms(useridentity.sessioncontext.attributes.creationdate)", []any{nil, creation.UnixMilli(), nil}},
		{"useridentity.sessioncontext.attributes.mfaauthenticated", []any{nil, "true", nil}},
		{"useridentity.sessioncontext.webidfederationdata.attributes['token.actions.githubusercontent.com:aud']", []any{nil, "sts.amazonaws.com", nil}},
		{"useridentity.sessioncontext.webidfederationdata.federatedprovider", []any{nil, "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", nil}},
		{"useridentity.sessioncontext.sourceidentity || useridentity.sessioncontext.ec2roledelivery || useridentity.sessioncontext.ec2issuedinvpc",
			[]any{nil, "alice@example.com2.0vpc-0abc", nil}},
		{"useridentity.onbehalfof IS NULL", []any{false, false, true}},
		{"useridentity.onbehalfof.userid", []any{nil, "user-1", nil}},
		{"useridentity.onbehalfof.identitystorearn", []any{nil, "arn:aws:identitystore::111122223333:identitystore/d-123", nil}},
		{"useridentity.inscopeof.issuertype", []any{nil, "AWS::Lambda::Function", nil}},
		{"useridentity.inscopeof.sourcearn || useridentity.inscopeof.sourceaccount || useridentity.inscopeof.credentialsissuedto",
			[]any{nil, "arn:aws:lambda:us-east-1:111122223333:function:f111122223333arn:aws:iam::111122223333:role/f", nil}},
		{"useridentity.principalid", []any{"", "AROAEXAMPLE:alice", nil}}, // case-insensitive names

		{"CAST(len(resources) AS BIGINT)", []any{int64(0), int64(2), nil}},
		{"resources[1].arn", []any{nil, "arn:aws:s3:::acme-logs/a/b.txt", nil}},
		{"resources[1].accountid", []any{nil, "111122223333", nil}},
		{"resources[1].arnprefix IS NULL", []any{true, true, true}},
		{"resources[2].arnprefix", []any{nil, "arn:aws:s3:::acme-", nil}},
		{"resources[2].accountid IS NULL", []any{true, true, true}},
		{"list_any_value([r.type FOR r IN resources IF r.type = 'AWS::S3::Bucket'])", []any{nil, "AWS::S3::Bucket", nil}},

		{"readonly", []any{false, false, nil}},
		{"managementevent", []any{true, false, nil}},
		{"eventsource || eventname || awsregion || sourceipaddress || useragent", []any{"", "s3.amazonaws.comPutObjectus-east-1203.0.113.7aws-cli/2.13.5", nil}},
		{"errormessage || requestid", []any{"", "Access DeniedDRHT9Q1F6K4D7ZTZ", nil}},
		{"eventtype || apiversion || recipientaccountid || sharedeventid || annotation || vpcendpointid || vpcendpointaccountid",
			[]any{"", "AwsApiCall2006-03-01111122223333" + *full.SharedEventID + "notevpce-1444455556666", nil}},
		{"eventcategory", []any{"", "Data", nil}},
		{"tlsdetails IS NULL", []any{false, false, true}},
		{"tlsdetails.tlsversion", []any{nil, "TLSv1.3", nil}},
		{"tlsdetails.ciphersuite || tlsdetails.clientprovidedhostheader", []any{nil, "TLS_AES_128_GCM_SHA256acme-logs.s3.amazonaws.com", nil}},
		{"sessioncredentialfromconsole", []any{"", "true", nil}},
		{"eventjson", []any{"", full.EventJSON, "{}"}},
		{"eventjsonchecksum IS NULL", []any{true, true, true}},
	} {
		t.Run(c.expr, func(t *testing.T) {
			var got []any
			for _, row := range queryRows(t, db, "SELECT "+c.expr+from+" ORDER BY file_row_number") {
				got = append(got, row[0])
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %#v\nwant %#v", got, c.want)
			}
		})
	}

	t.Run("file", func(t *testing.T) {
		// Every column is zstd-compressed; the row group's eventtime
		// statistics, which DuckDB prunes by, are present.
		md := " FROM parquet_metadata(" + file + ")"
		got := queryRows(t, db, "SELECT count(*), count(*) FILTER (WHERE compression = 'ZSTD'), count(DISTINCT row_group_id)"+md)
		if want := []any{int64(columns), int64(columns), int64(1)}; !reflect.DeepEqual(got[0], want) {
			t.Errorf("columns, zstd columns, row groups = %v, want %v", got[0], want)
		}
		got = queryRows(t, db, "SELECT stats_min_value IS NOT NULL, stats_max_value IS NOT NULL"+md+" WHERE path_in_schema = 'eventtime'")
		if want := []any{true, true}; !reflect.DeepEqual(got[0], want) {
			t.Errorf("eventtime statistics present = %v, want %v", got[0], want)
		}
		// The logical types that make DuckDB, Trino and Spark read maps
		// and lists as such, and eventtime as an instant in milliseconds.
		got = queryRows(t, db, "SELECT name, logical_type FROM parquet_schema("+file+
			") WHERE name IN ('requestparameters', 'resources', 'eventtime', 'eventjson') ORDER BY name")
		want := [][]any{
			{"eventjson", "StringType()"},
			{"eventtime", "TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=MilliSeconds(), MICROS=<null>, NANOS=<null>))"},
			{"requestparameters", "MapType()"},
			{"resources", "ListType()"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("logical types = %q\nwant %q", got, want)
		}
	})
}

// Every combination of NULL, empty and set values, at every depth, over
// several row groups, reads back as it was written. The expected rows are
// derived from ctlake.Event by reflection (a field's column is its name in
// lower case), so a field added to ctlake.Event and not to the segment
// schema fails this test.
func TestDuckDBRoundTripRandom(t *testing.T) {
	const n, rowGroup = 600, 250
	r := rand.New(rand.NewPCG(7, 7))
	events := make([]*ctlake.Event, n)
	for i := range events {
		var e ctlake.Event
		fill(r, reflect.ValueOf(&e).Elem())
		e.EventTime = ctlake.Millis(day.Add(time.Duration(r.Int64N(int64(24 * time.Hour)))))
		events[i] = &e
	}
	s := NewStore(t.TempDir())
	s.RowGroupSize = rowGroup
	seg, err := s.WriteSegment(context.Background(), "s", day, events)
	if err != nil {
		t.Fatal(err)
	}
	db := openDuckDB(t)
	path := sqlquote.String(s.Abs(seg.Path))
	rgs := queryRows(t, db, "SELECT count(DISTINCT row_group_id) FROM parquet_metadata("+path+")")
	if want := int64((n + rowGroup - 1) / rowGroup); rgs[0][0] != want {
		t.Errorf("row groups = %v, want %d", rgs[0][0], want)
	}

	rows := queryRows(t, db, "SELECT CAST(to_json(t) AS VARCHAR) FROM read_parquet("+path+
		", hive_partitioning = false, file_row_number = true) t ORDER BY file_row_number")
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	sorted := slices.Clone(events)
	slices.SortStableFunc(sorted, func(a, b *ctlake.Event) int { return a.EventTime.Compare(b.EventTime) })
	failures := 0
	for i, row := range rows {
		var got map[string]any
		if err := json.Unmarshal([]byte(row[0].(string)), &got); err != nil {
			t.Fatal(err)
		}
		delete(got, "file_row_number")
		want := lakeRow(sorted[i])
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got) // sorted keys, to compare by eye
			w, _ := json.Marshal(want)
			t.Errorf("row %d:\ngot  %s\nwant %s", i, g, w)
			if failures++; failures == 3 {
				t.FailNow()
			}
		}
	}
}

func TestDuckDBHivePartitions(t *testing.T) {
	ctx := context.Background()
	s := NewStore(t.TempDir())
	next := day.AddDate(0, 0, 1)
	for _, w := range []struct {
		store string
		day   time.Time
		n     int
	}{{"s1", day, 3}, {"s1", next, 2}, {"s2", day, 4}, {"s1", day, 1}} {
		events := make([]*ctlake.Event, w.n)
		for i := range events {
			events[i] = at(w.day.Add(time.Duration(i)*time.Hour), fmt.Sprint(i))
		}
		if _, err := s.WriteSegment(ctx, w.store, w.day, events); err != nil {
			t.Fatal(err)
		}
	}
	db := openDuckDB(t)
	glob := sqlquote.String(s.Root + "/*/*/*.parquet")
	got := queryRows(t, db, "SELECT CAST(eventday AS VARCHAR), typeof(eventday), count(*) FROM read_parquet("+glob+
		", hive_partitioning = true) GROUP BY ALL ORDER BY 1")
	want := [][]any{{"2023-07-10", "DATE", int64(8)}, {"2023-07-11", "DATE", int64(2)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("days = %v, want %v", got, want)
	}
	got = queryRows(t, db, "SELECT count(*) FROM read_parquet("+sqlquote.String(s.Root+"/s1/*/*.parquet")+
		", hive_partitioning = true) WHERE eventday = DATE '2023-07-10'")
	if got[0][0] != int64(4) {
		t.Errorf("events of s1 on 2023-07-10 = %v, want 4", got[0][0])
	}

	// The query engine reads the files the catalog lists, by their Abs.
	paths, err := s.SegmentPaths(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, p := range paths {
		files = append(files, sqlquote.String(s.Abs(p)))
	}
	got = queryRows(t, db, "SELECT count(*) FROM read_parquet(["+strings.Join(files, ", ")+"])")
	if got[0][0] != int64(10) {
		t.Errorf("events of all segments = %v, want 10", got[0][0])
	}
}

// lakeRow is the row DuckDB's to_json gives for e: the Lake schema's
// mapping of spec §6.2, derived field by field from ctlake.Event.
func lakeRow(e *ctlake.Event) map[string]any {
	row := lakeValue(reflect.ValueOf(e)).(map[string]any)
	row["eventjsonchecksum"] = nil
	return row
}

func lakeValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice:
		if v.IsNil() {
			return nil
		}
	}
	switch x := v.Interface().(type) {
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999-07")
	case *time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999-07")
	case string:
		return x
	case *string:
		return *x
	case *bool:
		return *x
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, v := range x {
			m[k] = v
		}
		return m
	}
	switch v.Kind() {
	case reflect.Pointer:
		return lakeValue(v.Elem())
	case reflect.Slice:
		l := make([]any, v.Len())
		for i := range l {
			l[i] = lakeValue(v.Index(i))
		}
		return l
	case reflect.Struct:
		m := make(map[string]any)
		for i := range v.NumField() {
			m[strings.ToLower(v.Type().Field(i).Name)] = lakeValue(v.Field(i))
		}
		return m
	}
	panic(fmt.Sprintf("no Lake mapping for %s", v.Type()))
}

// fill sets v, a field of ctlake.Event or of one of its structs, to nil, an
// empty value or a random value, each about as often.
func fill(r *rand.Rand, v reflect.Value) {
	word := func() string {
		return []string{"a", "b", "ünï", "arn:aws:iam::111122223333:role/x", strings.Repeat("long", 20)}[r.IntN(5)] + fmt.Sprint(r.IntN(100))
	}
	choice := r.IntN(3) // 0 nil, 1 empty, 2 set
	switch v.Interface().(type) {
	case string:
		if choice == 2 {
			v.SetString(word())
		}
		return
	case time.Time:
		return
	case *time.Time:
		if choice > 0 {
			t := ctlake.Millis(day.Add(time.Duration(r.Int64N(int64(time.Hour)))))
			v.Set(reflect.ValueOf(&t))
		}
		return
	case *string:
		switch choice {
		case 1:
			v.Set(reflect.ValueOf(ptr("")))
		case 2:
			v.Set(reflect.ValueOf(ptr(word())))
		}
		return
	case *bool:
		if choice > 0 {
			v.Set(reflect.ValueOf(ptr(choice == 2)))
		}
		return
	case map[string]string:
		if choice > 0 {
			m := map[string]string{}
			for range (choice - 1) * (1 + r.IntN(4)) {
				m[word()] = []string{"", word()}[r.IntN(2)]
			}
			v.Set(reflect.ValueOf(m))
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fill(r, v.Field(i))
		}
	case reflect.Pointer: // to a struct
		if choice > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			if choice == 2 {
				fill(r, v.Elem())
			}
		}
	case reflect.Slice:
		if choice > 0 {
			v.Set(reflect.MakeSlice(v.Type(), (choice-1)*(1+r.IntN(3)), (choice-1)*3))
			for i := range v.Len() {
				fill(r, v.Index(i))
			}
		}
	default:
		panic(fmt.Sprintf("fill: no case for %s", v.Type()))
	}
}

// openDuckDB opens an in-memory DuckDB whose session time zone is UTC, so
// that timestamps with time zone print in UTC.
func openDuckDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // one connection, so the SET holds for every query
	if _, err := db.Exec("SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	return db
}

// queryRows runs q and returns its rows as the driver's Go values.
func queryRows(t testing.TB, db *sql.DB, q string) [][]any {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	for rows.Next() {
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

func columnList(cols [][2]string) string {
	var b strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&b, "  %s %s\n", c[0], c[1])
	}
	return b.String()
}
