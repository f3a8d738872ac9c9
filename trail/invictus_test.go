package trail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"reflect"
	"sort"
	"testing"
	"testing/iotest"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/ctlake/ctlake"
)

// TestInvictus checks the decoder against the facts of
// shared/testdata/invictus-aws/README.md.
func TestInvictus(t *testing.T) {
	var (
		total       int
		first, last time.Time
		names       = map[string]int{}
	)
	for _, f := range invictusFiles(t) {
		k, ok := ParseKey(f.key)
		if !ok {
			t.Fatalf("ParseKey(%q) failed", f.key)
		}
		if k.Account != "218007301253" || k.Region != "us-east-1" || !k.Day.Equal(time.Date(2023, 7, 10, 0, 0, 0, 0, time.UTC)) || !k.IsLog() {
			t.Errorf("ParseKey(%q) = %+v, IsLog %v", f.key, k, k.IsLog())
		}
		if k.FileTime.Before(k.Day) || k.FileTime.After(k.Day.Add(24*time.Hour)) {
			t.Errorf("%s: FileTime %v outside its day folder", f.key, k.FileTime)
		}
		evs, err := decodeAll(f.data)
		if err != nil {
			t.Fatalf("%s: %v", f.key, err)
		}
		for _, ev := range evs {
			total++
			if first.IsZero() || ev.EventTime.Before(first) {
				first = ev.EventTime
			}
			if ev.EventTime.After(last) {
				last = ev.EventTime
			}
			if ev.EventName == nil {
				t.Fatalf("%s: event without eventName", f.key)
			}
			names[*ev.EventName]++
			if ev.RecipientAccountID == nil || *ev.RecipientAccountID != "123837392027" {
				t.Errorf("%s: recipientAccountId %v", f.key, ev.RecipientAccountID)
			}
		}
	}
	if total != 2900 {
		t.Errorf("%d records, want 2,900", total)
	}
	if want := time.Date(2023, 7, 10, 11, 42, 18, 0, time.UTC); !first.Equal(want) {
		t.Errorf("first eventTime %v, want %v", first, want)
	}
	if want := time.Date(2023, 7, 10, 12, 37, 50, 0, time.UTC); !last.Equal(want) {
		t.Errorf("last eventTime %v, want %v", last, want)
	}
	if len(names) != 260 {
		t.Errorf("%d distinct eventNames, want 260", len(names))
	}
	type count struct {
		name string
		n    int
	}
	var top []count
	for name, n := range names {
		top = append(top, count{name, n})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].n > top[j].n || top[i].n == top[j].n && top[i].name < top[j].name })
	if got, want := fmt.Sprint(top[:3]), "[{Decrypt 178} {DescribeRouteTables 163} {GetUser 130}]"; got != want {
		t.Errorf("top eventNames %s, want %s", got, want)
	}
}

// TestInvictusAgainstEncodingJSON decodes every real record a second way,
// with encoding/json, and checks each mapped field and EventJSON against
// it.
func TestInvictusAgainstEncodingJSON(t *testing.T) {
	for _, f := range invictusFiles(t) {
		t.Run(path.Base(f.key), func(t *testing.T) {
			t.Parallel()
			checkFileAgainst(t, f)
		})
	}
}

// checkFileAgainst checks every record of one file against encoding/json.
func checkFileAgainst(t *testing.T, f trailFile) {
	evs, err := decodeAll(f.data)
	if err != nil {
		t.Fatalf("%s: %v", f.key, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(f.data))
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Records []json.RawMessage }
	if err := json.NewDecoder(zr).Decode(&file); err != nil {
		t.Fatalf("%s: encoding/json: %v", f.key, err)
	}
	if len(file.Records) != len(evs) {
		t.Fatalf("%s: %d events, encoding/json finds %d records", f.key, len(evs), len(file.Records))
	}
	for i, raw := range file.Records {
		where := fmt.Sprintf("%s Records[%d]", f.key, i)
		// Byte for byte (so equal as JSON too); checkAgainst then
		// re-parses EventJSON itself.
		if evs[i].EventJSON != string(raw) {
			t.Fatalf("%s: EventJSON is not the record's bytes", where)
		}
		checkAgainst(t, where, evs[i])
	}
}

// checkAgainst compares ev with its EventJSON as encoding/json reads it,
// following the mapping rules of the package doc.
func checkAgainst(t *testing.T, where string, ev *ctlake.Event) {
	t.Helper()
	rec := object(t, []byte(ev.EventJSON))
	c := checker{t: t, where: where}
	if tm, err := time.Parse(time.RFC3339Nano, rec["eventTime"].(string)); err != nil || !ctlake.Millis(tm).Equal(ev.EventTime) {
		t.Errorf("%s: eventTime %v, record says %v", where, ev.EventTime, rec["eventTime"])
	}
	c.str("eventVersion", rec, ev.EventVersion)
	c.str("eventSource", rec, ev.EventSource)
	c.str("eventName", rec, ev.EventName)
	c.str("awsRegion", rec, ev.AWSRegion)
	c.str("sourceIPAddress", rec, ev.SourceIPAddress)
	c.str("userAgent", rec, ev.UserAgent)
	c.str("errorCode", rec, ev.ErrorCode)
	c.str("errorMessage", rec, ev.ErrorMessage)
	c.strMap("requestParameters", rec, ev.RequestParameters)
	c.strMap("responseElements", rec, ev.ResponseElements)
	c.strMap("additionalEventData", rec, ev.AdditionalEventData)
	c.str("requestID", rec, ev.RequestID)
	c.str("eventID", rec, ev.EventID)
	c.bool("readOnly", rec, ev.ReadOnly)
	c.str("eventType", rec, ev.EventType)
	c.str("apiVersion", rec, ev.APIVersion)
	c.bool("managementEvent", rec, ev.ManagementEvent)
	c.str("recipientAccountId", rec, ev.RecipientAccountID)
	c.str("sharedEventID", rec, ev.SharedEventID)
	c.str("annotation", rec, ev.Annotation)
	c.str("vpcEndpointId", rec, ev.VPCEndpointID)
	c.str("vpcEndpointAccountId", rec, ev.VPCEndpointAccountID)
	c.strMap("serviceEventDetails", rec, ev.ServiceEventDetails)
	c.strMap("addendum", rec, ev.Addendum)
	c.strMap("edgeDeviceDetails", rec, ev.EdgeDeviceDetails)
	c.strMap("insightDetails", rec, ev.InsightDetails)
	c.str("eventCategory", rec, ev.EventCategory)
	c.str("sessionCredentialFromConsole", rec, ev.SessionCredentialFromConsole)

	if tls, ok := rec["tlsDetails"].(map[string]any); !ok {
		c.nilIf(ev.TLSDetails == nil, "tlsDetails")
	} else if c.nilIf(ev.TLSDetails != nil, "tlsDetails") {
		c.str("tlsVersion", tls, ev.TLSDetails.TLSVersion)
		c.str("cipherSuite", tls, ev.TLSDetails.CipherSuite)
		c.str("clientProvidedHostHeader", tls, ev.TLSDetails.ClientProvidedHostHeader)
	}

	if list, ok := rec["resources"].([]any); !ok {
		c.nilIf(ev.Resources == nil, "resources")
	} else if len(list) != len(ev.Resources) {
		t.Errorf("%s: %d resources, record has %d", where, len(ev.Resources), len(list))
	} else {
		for i, r := range list {
			r := r.(map[string]any)
			c.str("ARN", r, ev.Resources[i].ARN)
			c.str("accountId", r, ev.Resources[i].AccountID)
			c.str("type", r, ev.Resources[i].Type)
			c.str("ARNPrefix", r, ev.Resources[i].ARNPrefix)
		}
	}

	ui, ok := rec["userIdentity"].(map[string]any)
	if !ok {
		c.nilIf(ev.UserIdentity == nil, "userIdentity")
		return
	}
	if !c.nilIf(ev.UserIdentity != nil, "userIdentity") {
		return
	}
	u := ev.UserIdentity
	c.str("type", ui, u.Type)
	c.str("principalId", ui, u.PrincipalID)
	c.str("arn", ui, u.ARN)
	c.str("accountId", ui, u.AccountID)
	c.str("accessKeyId", ui, u.AccessKeyID)
	c.str("userName", ui, u.UserName)
	c.str("invokedBy", ui, u.InvokedBy)
	c.str("identityProvider", ui, u.IdentityProvider)
	sc, ok := ui["sessionContext"].(map[string]any)
	if !ok {
		c.nilIf(u.SessionContext == nil, "sessionContext")
		return
	}
	if !c.nilIf(u.SessionContext != nil, "sessionContext") {
		return
	}
	c.str("sourceIdentity", sc, u.SessionContext.SourceIdentity)
	c.str("ec2RoleDelivery", sc, u.SessionContext.EC2RoleDelivery)
	c.str("ec2IssuedInVPC", sc, u.SessionContext.EC2IssuedInVPC)
	if is, ok := sc["sessionIssuer"].(map[string]any); !ok {
		c.nilIf(u.SessionContext.SessionIssuer == nil, "sessionIssuer")
	} else if c.nilIf(u.SessionContext.SessionIssuer != nil, "sessionIssuer") {
		got := u.SessionContext.SessionIssuer
		c.str("type", is, got.Type)
		c.str("principalId", is, got.PrincipalID)
		c.str("arn", is, got.ARN)
		c.str("accountId", is, got.AccountID)
		c.str("userName", is, got.UserName)
	}
	if w, ok := sc["webIdFederationData"].(map[string]any); !ok {
		c.nilIf(u.SessionContext.WebIDFederationData == nil, "webIdFederationData")
	} else if c.nilIf(u.SessionContext.WebIDFederationData != nil, "webIdFederationData") {
		c.str("federatedProvider", w, u.SessionContext.WebIDFederationData.FederatedProvider)
		c.strMap("attributes", w, u.SessionContext.WebIDFederationData.Attributes)
	}
	if a, ok := sc["attributes"].(map[string]any); !ok {
		c.nilIf(u.SessionContext.Attributes == nil, "attributes")
	} else if c.nilIf(u.SessionContext.Attributes != nil, "attributes") {
		got := u.SessionContext.Attributes
		c.str("mfaAuthenticated", a, got.MFAAuthenticated)
		if cd, ok := a["creationDate"].(string); ok {
			want, _ := time.Parse(time.RFC3339, cd)
			if got.CreationDate == nil || !got.CreationDate.Equal(want) {
				t.Errorf("%s: creationDate %v, record says %q", where, got.CreationDate, cd)
			}
		}
	}
}

func object(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

type checker struct {
	t     *testing.T
	where string
}

// nilIf reports ok, failing the test with name if it is false.
func (c checker) nilIf(ok bool, name string) bool {
	if !ok {
		c.t.Errorf("%s: %s is nil where the record has an object, or the reverse", c.where, name)
	}
	return ok
}

// str checks a string field: absent or null is nil, a string is itself,
// anything else its JSON text.
func (c checker) str(key string, obj map[string]any, got *string) {
	c.t.Helper()
	want, present := obj[key]
	switch {
	case !present || want == nil:
		if got != nil {
			c.t.Errorf("%s: %s = %q, record has none", c.where, key, *got)
		}
	case got == nil:
		c.t.Errorf("%s: %s is nil, record has %v", c.where, key, want)
	default:
		c.sameValue(key, want, *got)
	}
}

// sameValue checks that got is want verbatim if want is a string, or
// JSON text equal to want otherwise.
func (c checker) sameValue(key string, want any, got string) {
	c.t.Helper()
	if s, ok := want.(string); ok {
		if got != s {
			c.t.Errorf("%s: %s = %q, want %q", c.where, key, got, s)
		}
		return
	}
	d := json.NewDecoder(bytes.NewReader([]byte(got)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || !reflect.DeepEqual(v, want) {
		c.t.Errorf("%s: %s = %s, want the JSON of %v", c.where, key, got, want)
	}
}

func (c checker) strMap(key string, obj map[string]any, got map[string]string) {
	c.t.Helper()
	want, ok := obj[key].(map[string]any)
	if !ok {
		if got != nil {
			c.t.Errorf("%s: %s = %v, record has no object", c.where, key, got)
		}
		return
	}
	if got == nil {
		c.t.Errorf("%s: %s is nil, record has %v", c.where, key, want)
		return
	}
	n := 0
	for k, v := range want {
		if v == nil {
			if _, ok := got[k]; ok {
				c.t.Errorf("%s: %s[%q] is present for a null", c.where, key, k)
			}
			continue
		}
		n++
		c.sameValue(key+"."+k, v, got[k])
	}
	if len(got) != n {
		c.t.Errorf("%s: %s has %d keys, want %d", c.where, key, len(got), n)
	}
}

func (c checker) bool(key string, obj map[string]any, got *bool) {
	c.t.Helper()
	want, ok := obj[key].(bool)
	switch {
	case !ok && got != nil:
		c.t.Errorf("%s: %s = %v, record has no boolean", c.where, key, *got)
	case ok && (got == nil || *got != want):
		c.t.Errorf("%s: %s = %v, want %v", c.where, key, got, want)
	}
}

// TestInvictusSpotChecks pins values read off real files with jq and
// python, named below.
func TestInvictusSpotChecks(t *testing.T) {
	decode := func(name string) []*ctlake.Event {
		evs, err := decodeAll(invictusFile(t, name))
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}

	// 218007301253_CloudTrail_us-east-1_20230710T1145Z_s7dpHbl38neqZbm2.json.gz: 51 records.
	evs := decode("218007301253_CloudTrail_us-east-1_20230710T1145Z_s7dpHbl38neqZbm2.json.gz")
	if len(evs) != 51 {
		t.Fatalf("20230710T1145Z_s7dpHbl38neqZbm2: %d records, want 51", len(evs))
	}
	// Records[20]: DescribeEventAggregates, nested requestParameters,
	// sessionCredentialFromConsole, empty sessionIssuer.
	ev := evs[20]
	if got, want := render(t, &ctlake.Event{
		EventVersion: ev.EventVersion, UserIdentity: ev.UserIdentity, EventTime: ev.EventTime, EventName: ev.EventName,
		RequestParameters: ev.RequestParameters, ResponseElements: ev.ResponseElements, ReadOnly: ev.ReadOnly,
		SessionCredentialFromConsole: ev.SessionCredentialFromConsole, TLSDetails: ev.TLSDetails, Resources: ev.Resources,
	}), render(t, &ctlake.Event{
		EventVersion: ptr("1.08"),
		UserIdentity: &ctlake.UserIdentity{
			Type: ptr("IAMUser"), PrincipalID: ptr("AIDATFQR7NSC5U6Q3TMDR"), ARN: ptr("arn:aws:iam::123837392027:user/benjamin"),
			AccountID: ptr("123837392027"), AccessKeyID: ptr("ASIATFQR7NSC47I74ISO"), UserName: ptr("benjamin"),
			SessionContext: &ctlake.SessionContext{
				SessionIssuer:       &ctlake.SessionIssuer{},
				WebIDFederationData: &ctlake.WebIDFederationData{},
				Attributes:          &ctlake.SessionAttributes{CreationDate: ptr(time.Date(2023, 7, 10, 11, 42, 31, 0, time.UTC)), MFAAuthenticated: ptr("true")},
			},
			InvokedBy: ptr("health.amazonaws.com"),
		},
		EventTime: time.Date(2023, 7, 10, 11, 42, 38, 0, time.UTC),
		EventName: ptr("DescribeEventAggregates"),
		RequestParameters: map[string]string{
			"filter":         `{"startTimes":[{"from":"Jul 3, 2023, 11:42:38 AM"}],"eventStatusCodes":["open","upcoming"]}`,
			"aggregateField": "eventTypeCategory",
		},
		ReadOnly:                     ptr(true),
		SessionCredentialFromConsole: ptr("true"),
	}); got != want {
		t.Errorf("20230710T1145Z_s7dpHbl38neqZbm2 Records[20]\n got %s\nwant %s", got, want)
	}
	// Records[23]: an error, resources, numbers in additionalEventData, tlsDetails.
	ev = evs[23]
	if *ev.ErrorCode != "NoSuchPublicAccessBlockConfiguration" || *ev.ErrorMessage != "The public access block configuration was not found" {
		t.Errorf("Records[23] error %q %q", *ev.ErrorCode, *ev.ErrorMessage)
	}
	if got, want := fmt.Sprint(ev.AdditionalEventData), "map[AuthenticationMethod:AuthHeader CipherSuite:ECDHE-RSA-AES128-GCM-SHA256 SignatureVersion:SigV4 bytesTransferredIn:0 bytesTransferredOut:359 x-amz-id-2:Drb7+mFHZrG399SXBRit/+//k1hXURy8sKtsJf6Encg4tP6jpJsnuA+eoJPe9uo4AVj9fF8BDbg=]"; got != want {
		t.Errorf("Records[23] additionalEventData\n got %s\nwant %s", got, want)
	}
	if len(ev.Resources) != 1 || *ev.Resources[0].ARN != "arn:aws:s3:::invictus-aws-2022-10-27-e0xdv" || *ev.Resources[0].Type != "AWS::S3::Bucket" || *ev.Resources[0].AccountID != "123837392027" || ev.Resources[0].ARNPrefix != nil {
		t.Errorf("Records[23] resources %s", render(t, &ctlake.Event{Resources: ev.Resources}))
	}
	if *ev.VPCEndpointID != "vpce-f40dc59d" || *ev.TLSDetails.ClientProvidedHostHeader != "invictus-aws-2022-10-27-e0xdv.s3.us-east-1.amazonaws.com" || ev.RequestParameters["publicAccessBlock"] != "" {
		t.Errorf("Records[23] vpcEndpointId %q, tlsDetails %+v, requestParameters %v", *ev.VPCEndpointID, ev.TLSDetails, ev.RequestParameters)
	}

	// 218007301253_CloudTrail_us-east-1_20230710T1200Z_iLj9fb7yyUG9X4Bf.json.gz: 394 records.
	evs = decode("218007301253_CloudTrail_us-east-1_20230710T1200Z_iLj9fb7yyUG9X4Bf.json.gz")
	if len(evs) != 394 {
		t.Fatalf("20230710T1200Z_iLj9fb7yyUG9X4Bf: %d records, want 394", len(evs))
	}
	// Records[71]: a service event without type or requestID.
	ev = evs[71]
	if *ev.EventName != "SharedSnapshotVolumeCreated" || *ev.EventType != "AwsServiceEvent" || ev.RequestID != nil || ev.UserIdentity.Type != nil ||
		*ev.UserIdentity.InvokedBy != "ec2.amazonaws.com" || *ev.SharedEventID != "b81f7fe5-36b5-49ea-bbc9-6a9007e733c0" ||
		fmt.Sprint(ev.ServiceEventDetails) != "map[snapshotId:snap-0e83092ae538da583]" || ev.RequestParameters != nil || *ev.ReadOnly {
		t.Errorf("20230710T1200Z_iLj9fb7yyUG9X4Bf Records[71]: %s", render(t, ev))
	}
	// Records[160]: an assumed role of an EC2 instance.
	ev = evs[160]
	sc := ev.UserIdentity.SessionContext
	if *ev.UserIdentity.Type != "AssumedRole" || *sc.SessionIssuer.UserName != "stratus-red-team-ec2-steal-credentials-role" ||
		*sc.EC2RoleDelivery != "2.0" || *sc.Attributes.MFAAuthenticated != "false" || !sc.Attributes.CreationDate.Equal(time.Date(2023, 7, 10, 11, 55, 22, 0, time.UTC)) ||
		ev.RequestParameters["executionResult"] != `{"executionDate":"Jul 10, 2023, 11:57:45 AM","status":"InProgress","executionSummary":"Executing association","errorCode":""}` ||
		len(ev.Resources) != 2 || ev.Resources[0].Type != nil || *ev.Resources[1].ARN != "arn:aws:ec2:us-east-1:123837392027:instance/i-0dbc91f429e48eeed" {
		t.Errorf("20230710T1200Z_iLj9fb7yyUG9X4Bf Records[160]: %s", render(t, ev))
	}
}

// TestInvictusSmallWindows decodes the real files through windows of a
// few bytes and a reader that gives one byte at a time, so that every
// record, string and escape straddles a refill, and wants the same events
// as with the default window.
func TestInvictusSmallWindows(t *testing.T) {
	files := invictusFiles(t)
	if testing.Short() || raceEnabled {
		// Every tenth file: still every kind of record and the largest
		// file (394 records), at a tenth of the cost.
		var some []trailFile
		for i := 0; i < len(files); i += 10 {
			some = append(some, files[i])
		}
		files = append(some, largest(files))
	}
	for _, f := range files {
		want, err := decodeAll(f.data)
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 3, 64, 1000} {
			var got []*ctlake.Event
			var r io.Reader = bytes.NewReader(f.data)
			if size == 3 {
				r = iotest.OneByteReader(r)
			}
			_, err := decode(r, 0, func(ev *ctlake.Event) error { got = append(got, ev); return nil }, make([]byte, size))
			if err != nil {
				t.Fatalf("%s, window %d: %v", f.key, size, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, window %d: events differ", f.key, size)
			}
		}
	}
}

func largest(files []trailFile) trailFile {
	big := files[0]
	for _, f := range files {
		if len(f.data) > len(big.data) {
			big = f
		}
	}
	return big
}

// BenchmarkDecode decodes the 55 real files (3.66 MB inflated, 2,900
// events) from memory per iteration; MB/s counts inflated bytes.
func BenchmarkDecode(b *testing.B) {
	files := invictusFiles(b)
	var inflated int64
	for _, f := range files {
		zr, err := gzip.NewReader(bytes.NewReader(f.data))
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, zr)
		if err != nil {
			b.Fatal(err)
		}
		inflated += n
	}
	b.Run("trail", func(b *testing.B) {
		b.SetBytes(inflated)
		b.ReportAllocs()
		events := 0
		for b.Loop() {
			for _, f := range files {
				if err := Decode(bytes.NewReader(f.data), 0, func(*ctlake.Event) error { events++; return nil }); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	})
	// For scale: inflating alone, the floor under any decoder.
	b.Run("gunzip-only", func(b *testing.B) {
		b.SetBytes(inflated)
		b.ReportAllocs()
		for b.Loop() {
			for _, f := range files {
				zr, _ := gzip.NewReader(bytes.NewReader(f.data))
				if _, err := io.Copy(io.Discard, zr); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	// For scale: what encoding/json spends to split the same files into
	// records and their members, before mapping any field.
	b.Run("encoding-json-split", func(b *testing.B) {
		b.SetBytes(inflated)
		b.ReportAllocs()
		for b.Loop() {
			for _, f := range files {
				zr, _ := gzip.NewReader(bytes.NewReader(f.data))
				var file struct{ Records []json.RawMessage }
				if err := json.NewDecoder(zr).Decode(&file); err != nil {
					b.Fatal(err)
				}
				for _, r := range file.Records {
					var m map[string]json.RawMessage
					if err := json.Unmarshal(r, &m); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	})
}
