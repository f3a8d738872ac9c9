package segment

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ctlake/ctlake"
)

// This file generates realistic CloudTrail events for the benchmark and the
// bulk round-trip test: a few accounts, IAM users, assumed-role sessions and
// AWS services calling a mix of management and S3 data events in several
// regions, about 5% of them denied, with the record's JSON text (eventjson)
// as CloudTrail writes it, keys of the top level in CloudTrail's order. The values that are unique per event (eventID,
// requestID, S3's x-amz-id-2, ...) are random, so the compressed size is an
// honest one.

// genEvents returns n events of day in time order, the same for the same
// seed; with data, about a fifth of them are S3 data events (GetObject,
// PutObject, HeadObject), the rest management events.
func genEvents(n int, day time.Time, seed uint64, data bool) []*ctlake.Event {
	g := newGenerator(seed)
	g.data = data
	events := make([]*ctlake.Event, n)
	step := 24 * time.Hour / time.Duration(n)
	for i := range events {
		t := day.Add(time.Duration(i)*step + time.Duration(g.r.Int64N(int64(step)))).Truncate(time.Second)
		events[i] = g.event(t)
	}
	return events
}

type generator struct {
	r        *rand.Rand
	data     bool // draw S3 data events too
	accounts []string
	callers  []caller
	ips      []string
	agents   []string
	buckets  []string
}

// caller is who makes a call: an IAM user, an assumed-role session or an
// AWS service.
type caller struct {
	identity *ctlake.UserIdentity
	record   map[string]any // userIdentity as it is in the record
	agent    string         // "" to draw one
	ip       string         // "" to draw one
}

func newGenerator(seed uint64) *generator {
	g := &generator{r: rand.New(rand.NewPCG(seed, seed^0x5eed))}
	for range 4 {
		g.accounts = append(g.accounts, g.digits(12))
	}
	for range 40 {
		g.ips = append(g.ips, fmt.Sprintf("%d.%d.%d.%d", 3+g.r.IntN(200), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254)))
	}
	g.agents = []string{
		"aws-cli/2.13.5 Python/3.11.4 Linux/5.15.0-1040-aws exe/x86_64.ubuntu.22 prompt/off command/s3.ls",
		"aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/ec2.describe-instances",
		"Boto3/1.28.17 md/Botocore#1.31.17 ua/2.0 os/linux#5.10.186-179.751.amzn2.x86_64 md/arch#x86_64 lang/python#3.9.16 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.17",
		"aws-sdk-go-v2/1.21.0 os/linux lang/go#1.21.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.38.5",
		"aws-sdk-java/2.20.109 Linux/5.10.184-175.731.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.8+7-LTS Java/17.0.8 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/115.0.0.0 Safari/537.36",
		"AWS Internal",
		"[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.184-154.730.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.372-b08 java/1.8.0_372 vendor/Oracle_Corporation cfg/retry-mode/standard]",
		"terraform-provider-aws/5.10.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.44.318 (go1.20.6; linux; amd64)",
	}
	for i := range 6 {
		g.buckets = append(g.buckets, fmt.Sprintf("acme-%s-%d", []string{"logs", "data", "backup", "web", "artifacts", "tmp"}[i], g.r.IntN(1000)))
	}
	for i := range 8 { // IAM users with long-term keys
		acct := g.accounts[i%len(g.accounts)]
		name := []string{"alice", "bob", "carol", "deploy", "ci-runner", "dave", "erin", "backup-bot"}[i]
		id := &ctlake.UserIdentity{
			Type: ptr("IAMUser"), PrincipalID: ptr("AIDA" + g.upper(17)), ARN: ptr("arn:aws:iam::" + acct + ":user/" + name),
			AccountID: ptr(acct), AccessKeyID: ptr("AKIA" + g.upper(16)), UserName: ptr(name),
		}
		g.callers = append(g.callers, caller{identity: id, record: map[string]any{
			"type": "IAMUser", "principalId": *id.PrincipalID, "arn": *id.ARN, "accountId": acct,
			"accessKeyId": *id.AccessKeyID, "userName": name,
		}})
	}
	for i := range 24 { // assumed-role sessions with temporary keys
		acct := g.accounts[i%len(g.accounts)]
		role := []string{"Admin", "ReadOnly", "lambda-exec", "ecs-task", "OrganizationAccountAccessRole", "github-actions"}[i%6]
		session := []string{"alice@example.com", "i-0" + g.hex(16), "botocore-session-" + g.digits(10), "GitHubActions"}[i%4]
		roleID := "AROA" + g.upper(17)
		created := time.Date(2023, 7, 10, g.r.IntN(24), g.r.IntN(60), g.r.IntN(60), 0, time.UTC)
		mfa := []string{"false", "true"}[g.r.IntN(2)]
		id := &ctlake.UserIdentity{
			Type: ptr("AssumedRole"), PrincipalID: ptr(roleID + ":" + session),
			ARN:       ptr("arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + session),
			AccountID: ptr(acct), AccessKeyID: ptr("ASIA" + g.upper(16)),
			SessionContext: &ctlake.SessionContext{
				SessionIssuer: &ctlake.SessionIssuer{
					Type: ptr("Role"), PrincipalID: ptr(roleID), ARN: ptr("arn:aws:iam::" + acct + ":role/" + role),
					AccountID: ptr(acct), UserName: ptr(role),
				},
				WebIDFederationData: &ctlake.WebIDFederationData{},
				Attributes:          &ctlake.SessionAttributes{CreationDate: &created, MFAAuthenticated: ptr(mfa)},
			},
		}
		if role == "ecs-task" {
			id.SessionContext.EC2RoleDelivery = ptr("2.0")
		}
		rec := map[string]any{
			"type": "AssumedRole", "principalId": *id.PrincipalID, "arn": *id.ARN, "accountId": acct,
			"accessKeyId": *id.AccessKeyID,
			"sessionContext": map[string]any{
				"sessionIssuer": map[string]any{
					"type": "Role", "principalId": roleID, "arn": *id.SessionContext.SessionIssuer.ARN,
					"accountId": acct, "userName": role,
				},
				"webIdFederationData": map[string]any{},
				"attributes":          map[string]any{"creationDate": created.Format(time.RFC3339), "mfaAuthenticated": mfa},
			},
		}
		c := caller{identity: id, record: rec}
		if role == "lambda-exec" {
			c.agent, c.ip = "AWS Internal", "lambda.amazonaws.com"
		}
		g.callers = append(g.callers, c)
	}
	for _, svc := range []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "config.amazonaws.com", "cloudtrail.amazonaws.com"} {
		id := &ctlake.UserIdentity{Type: ptr("AWSService"), InvokedBy: ptr(svc)}
		g.callers = append(g.callers, caller{identity: id, record: map[string]any{"type": "AWSService", "invokedBy": svc},
			agent: svc, ip: svc})
	}
	return g
}

// call is one API call: what a template fills in.
type call struct {
	source, name, category string
	readOnly, management   bool
	params, response, add  []kv
	resources              []ctlake.Resource
}

// kv is a key of a free-form object; raw values are JSON text, others are
// strings.
type kv struct {
	key, value string
	raw        bool
}

func (g *generator) event(t time.Time) *ctlake.Event {
	c := g.callers[g.weighted(len(g.callers))]
	acct := g.accounts[0]
	if c.identity.AccountID != nil {
		acct = *c.identity.AccountID
	}
	region := []string{"us-east-1", "us-east-1", "us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"}[g.r.IntN(7)]
	cl := g.call(acct, region)
	e := &ctlake.Event{
		EventVersion:       ptr("1.08"),
		UserIdentity:       c.identity,
		EventTime:          t,
		EventSource:        ptr(cl.source),
		EventName:          ptr(cl.name),
		AWSRegion:          ptr(region),
		SourceIPAddress:    ptr(cmp.Or(c.ip, g.ips[g.weighted(len(g.ips))])),
		UserAgent:          ptr(cmp.Or(c.agent, g.agents[g.weighted(len(g.agents))])),
		RequestID:          ptr(g.uuid()),
		EventID:            ptr(g.uuid()),
		ReadOnly:           ptr(cl.readOnly),
		EventType:          ptr("AwsApiCall"),
		ManagementEvent:    ptr(cl.management),
		RecipientAccountID: ptr(acct),
		EventCategory:      ptr(cl.category),
	}
	if cl.source == "s3.amazonaws.com" {
		e.RequestID = ptr(g.upper(16))
	}
	if g.r.IntN(20) == 0 {
		e.ErrorCode = ptr("AccessDenied")
		e.ErrorMessage = ptr("User: " + deref(c.identity.ARN) + " is not authorized to perform: " +
			strings.TrimSuffix(cl.source, ".amazonaws.com") + ":" + cl.name + " because no identity-based policy allows the action")
		cl.response = nil
	}
	if c.identity.Type != nil && *c.identity.Type != "AWSService" {
		e.TLSDetails = &ctlake.TLSDetails{
			TLSVersion: ptr("TLSv1.3"), CipherSuite: ptr("TLS_AES_128_GCM_SHA256"),
			ClientProvidedHostHeader: ptr(strings.TrimSuffix(cl.source, ".amazonaws.com") + "." + region + ".amazonaws.com"),
		}
	}
	e.RequestParameters, e.ResponseElements, e.AdditionalEventData = flat(cl.params), flat(cl.response), flat(cl.add)
	if len(cl.resources) > 0 {
		e.Resources = cl.resources
	}

	// The record, keys in CloudTrail's order.
	rec := []member{
		{"eventVersion", "1.08"}, {"userIdentity", c.record}, {"eventTime", t.Format(time.RFC3339)},
		{"eventSource", cl.source}, {"eventName", cl.name}, {"awsRegion", region},
		{"sourceIPAddress", *e.SourceIPAddress}, {"userAgent", *e.UserAgent},
	}
	if e.ErrorCode != nil {
		rec = append(rec, member{"errorCode", *e.ErrorCode}, member{"errorMessage", *e.ErrorMessage})
	}
	rec = append(rec, member{"requestParameters", object(cl.params)}, member{"responseElements", object(cl.response)})
	if cl.add != nil {
		rec = append(rec, member{"additionalEventData", object(cl.add)})
	}
	rec = append(rec, member{"requestID", *e.RequestID}, member{"eventID", *e.EventID}, member{"readOnly", cl.readOnly})
	if e.Resources != nil {
		var rs []map[string]any
		for _, r := range e.Resources {
			m := map[string]any{"type": deref(r.Type)}
			if r.AccountID != nil {
				m["accountId"] = *r.AccountID
			}
			if r.ARN != nil {
				m["ARN"] = *r.ARN
			}
			rs = append(rs, m)
		}
		rec = append(rec, member{"resources", rs})
	}
	rec = append(rec, member{"eventType", "AwsApiCall"}, member{"managementEvent", cl.management},
		member{"recipientAccountId", acct}, member{"eventCategory", cl.category})
	if e.TLSDetails != nil {
		rec = append(rec, member{"tlsDetails", map[string]any{
			"tlsVersion": *e.TLSDetails.TLSVersion, "cipherSuite": *e.TLSDetails.CipherSuite,
			"clientProvidedHostHeader": *e.TLSDetails.ClientProvidedHostHeader,
		}})
	}
	e.EventJSON = ordered(rec)
	return e
}

// call draws an API call of account acct in region.
func (g *generator) call(acct, region string) call {
	bucket := g.buckets[g.weighted(len(g.buckets))]
	kind := g.r.IntN(14)
	if !g.data {
		kind = 3 + g.r.IntN(11)
	}
	switch kind {
	case 0, 1, 2: // S3 data events
		key := fmt.Sprintf("logs/%d/%02d/%s.json.gz", 2023, 1+g.r.IntN(12), g.hex(12))
		name := []string{"GetObject", "PutObject", "HeadObject"}[g.r.IntN(3)]
		return call{
			source: "s3.amazonaws.com", name: name, category: "Data", readOnly: name != "PutObject",
			params: []kv{{key: "bucketName", value: bucket}, {key: "Host", value: bucket + ".s3." + region + ".amazonaws.com"}, {key: "key", value: key}},
			add: []kv{
				{key: "SignatureVersion", value: "SigV4"}, {key: "CipherSuite", value: "TLS_AES_128_GCM_SHA256"},
				{key: "bytesTransferredIn", value: "0", raw: true}, {key: "AuthenticationMethod", value: "AuthHeader"},
				{key: "x-amz-id-2", value: g.base64(76)}, {key: "bytesTransferredOut", value: fmt.Sprint(g.r.IntN(1 << 20)), raw: true},
			},
			resources: []ctlake.Resource{
				{Type: ptr("AWS::S3::Object"), ARN: ptr("arn:aws:s3:::" + bucket + "/" + key)},
				{AccountID: ptr(acct), Type: ptr("AWS::S3::Bucket"), ARN: ptr("arn:aws:s3:::" + bucket)},
			},
		}
	case 3:
		return call{source: "s3.amazonaws.com", name: "ListBuckets", category: "Management", readOnly: true, management: true,
			params:    []kv{{key: "Host", value: "s3." + region + ".amazonaws.com"}},
			add:       []kv{{key: "SignatureVersion", value: "SigV4"}, {key: "AuthenticationMethod", value: "AuthHeader"}, {key: "x-amz-id-2", value: g.base64(76)}},
			resources: nil,
		}
	case 4, 5:
		return call{source: "ec2.amazonaws.com", name: "DescribeInstances", category: "Management", readOnly: true, management: true,
			params: []kv{{key: "instancesSet", value: `{}`, raw: true}, {key: "filterSet", value: `{"items":[{"name":"instance-state-name","valueSet":{"items":[{"value":"running"}]}}]}`, raw: true}}}
	case 6:
		role := "arn:aws:iam::" + acct + ":role/" + []string{"Admin", "ReadOnly", "deploy"}[g.r.IntN(3)]
		session := "session-" + g.digits(10)
		return call{source: "sts.amazonaws.com", name: "AssumeRole", category: "Management", readOnly: true, management: true,
			params: []kv{{key: "roleArn", value: role}, {key: "roleSessionName", value: session}, {key: "durationSeconds", value: "3600", raw: true}},
			response: []kv{
				{key: "credentials", value: `{"accessKeyId":"ASIA` + g.upper(16) + `","sessionToken":"` + g.base64(120) + `","expiration":"Jul 10, 2023, 12:47:39 PM"}`, raw: true},
				{key: "assumedRoleUser", value: `{"assumedRoleId":"AROA` + g.upper(17) + `:` + session + `","arn":"` + strings.Replace(role, ":iam:", ":sts:", 1) + `/` + session + `"}`, raw: true},
			},
			resources: []ctlake.Resource{
				{AccountID: ptr(acct), Type: ptr("AWS::IAM::Role"), ARN: ptr(role)},
			},
		}
	case 7:
		return call{source: "sts.amazonaws.com", name: "GetCallerIdentity", category: "Management", readOnly: true, management: true}
	case 8:
		key := "arn:aws:kms:" + region + ":" + acct + ":key/" + g.uuidFrom(3)
		return call{source: "kms.amazonaws.com", name: "Decrypt", category: "Management", readOnly: true, management: true,
			params: []kv{
				{key: "encryptionContext", value: `{"aws:lambda:FunctionArn":"arn:aws:lambda:` + region + `:` + acct + `:function:handler"}`, raw: true},
				{key: "encryptionAlgorithm", value: "SYMMETRIC_DEFAULT"},
			},
			resources: []ctlake.Resource{{AccountID: ptr(acct), Type: ptr("AWS::KMS::Key"), ARN: ptr(key)}},
		}
	case 9:
		return call{source: "logs.amazonaws.com", name: "CreateLogStream", category: "Management", management: true,
			params: []kv{{key: "logGroupName", value: "/aws/lambda/handler-" + fmt.Sprint(g.r.IntN(8))}, {key: "logStreamName", value: "2023/07/10/[$LATEST]" + g.hex(32)}}}
	case 10:
		return call{source: "iam.amazonaws.com", name: []string{"ListRoles", "GetRole", "ListPolicies"}[g.r.IntN(3)], category: "Management", readOnly: true, management: true,
			params: []kv{{key: "maxItems", value: "100", raw: true}}}
	case 11:
		fn := "handler-" + fmt.Sprint(g.r.IntN(8))
		return call{source: "lambda.amazonaws.com", name: "GetFunction20150331v2", category: "Management", readOnly: true, management: true,
			params: []kv{{key: "functionName", value: fn}}}
	case 12:
		id := "i-0" + g.hex(16)
		return call{source: "ec2.amazonaws.com", name: []string{"StartInstances", "StopInstances"}[g.r.IntN(2)], category: "Management", management: true,
			params:   []kv{{key: "instancesSet", value: `{"items":[{"instanceId":"` + id + `"}]}`, raw: true}},
			response: []kv{{key: "requestId", value: g.uuid()}, {key: "instancesSet", value: `{"items":[{"instanceId":"` + id + `","currentState":{"code":0,"name":"pending"},"previousState":{"code":80,"name":"stopped"}}]}`, raw: true}},
		}
	default:
		return call{source: "cloudtrail.amazonaws.com", name: "LookupEvents", category: "Management", readOnly: true, management: true,
			params: []kv{{key: "maxResults", value: "50", raw: true}, {key: "lookupAttributes", value: `[{"attributeKey":"EventName","attributeValue":"ConsoleLogin"}]`, raw: true}}}
	}
}

// flat is the Lake map of a free-form object: its top-level keys, strings
// verbatim and anything else as JSON text (spec §6.2); nil for no object.
func flat(kvs []kv) map[string]string {
	if kvs == nil {
		return nil
	}
	m := make(map[string]string, len(kvs))
	for _, p := range kvs {
		m[p.key] = p.value
	}
	return m
}

// object is the record's JSON for a free-form object (nil is null).
func object(kvs []kv) json.RawMessage {
	if kvs == nil {
		return json.RawMessage("null")
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, p := range kvs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.key)
		b.Write(k)
		b.WriteByte(':')
		if p.raw {
			b.WriteString(p.value)
		} else {
			v, _ := json.Marshal(p.value)
			b.Write(v)
		}
	}
	b.WriteByte('}')
	return json.RawMessage(b.String())
}

type member struct {
	key   string
	value any
}

// ordered is a JSON object with the keys in the given order.
func ordered(fields []member) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		v, err := json.Marshal(f.value)
		if err != nil {
			panic(err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.String()
}

// weighted draws an index in [0, n), the low ones more often, as a few
// callers and agents make most calls.
func (g *generator) weighted(n int) int {
	x := g.r.Float64()
	return min(int(x*x*float64(n)), n-1)
}

func (g *generator) uuid() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// uuidFrom draws one of n fixed UUIDs (a handful of KMS keys).
func (g *generator) uuidFrom(n int) string {
	return fmt.Sprintf("%08x-1111-4222-8333-%012x", g.r.IntN(n), 0xabcdef)
}

func (g *generator) pick(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (g *generator) digits(n int) string { return g.pick("0123456789", n) }
func (g *generator) hex(n int) string    { return g.pick("0123456789abcdef", n) }
func (g *generator) upper(n int) string  { return g.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n) }
func (g *generator) base64(n int) string {
	return g.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", n)
}

func ptr[T any](v T) *T { return &v }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
