package segment

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// documentedSchema is the SQL schema of CloudTrail-event stores as AWS
// documents it, each column's Name and Type in AWS's notation and order:
// "Supported SQL schemas for event data stores", section "Supported schema
// for CloudTrail event record fields",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-supported-event-schemas.html
// (spec §6.2). One correction: the page spells inscopeof's last field
// "credentiaisissuedto"; CloudTrail's records (credentialsIssuedTo) and
// spec §6.2 spell it credentialsissuedto.
//
// It is written down once: TestSchemaFollowsAWS compares the Parquet
// schema with it, and TestDuckDBRoundTrip compares what DuckDB reads from
// a segment with its DuckDB form (duckColumns).
var documentedSchema = [][2]string{
	{"eventversion", "string"},
	{"useridentity", "struct<type:string,principalid:string,arn:string,accountid:string,accesskeyid:string," +
		"username:string,sessioncontext:struct<attributes:struct<creationdate:timestamp," +
		"mfaauthenticated:string>,sessionissuer:struct<type:string,principalid:string,arn:string," +
		"accountid:string,username:string>,webidfederationdata:struct<federatedprovider:string," +
		"attributes:map<string,string>>,sourceidentity:string,ec2roledelivery:string," +
		"ec2issuedinvpc:string>,onbehalfof:struct<userid:string,identitystorearn:string>," +
		"inscopeof:struct<sourcearn:string,sourceaccount:string,issuertype:string," +
		"credentialsissuedto:string>,invokedby:string,identityprovider:string>"},
	{"eventtime", "timestamp"},
	{"eventsource", "string"},
	{"eventname", "string"},
	{"awsregion", "string"},
	{"sourceipaddress", "string"},
	{"useragent", "string"},
	{"errorcode", "string"},
	{"errormessage", "string"},
	{"requestparameters", "map<string,string>"},
	{"responseelements", "map<string,string>"},
	{"additionaleventdata", "map<string,string>"},
	{"requestid", "string"},
	{"eventid", "string"},
	{"readonly", "boolean"},
	{"resources", "array<struct<accountid:string,type:string,arn:string,arnprefix:string>>"},
	{"eventtype", "string"},
	{"apiversion", "string"},
	{"managementevent", "boolean"},
	{"recipientaccountid", "string"},
	{"sharedeventid", "string"},
	{"annotation", "string"},
	{"vpcendpointid", "string"},
	{"vpcendpointaccountid", "string"},
	{"serviceeventdetails", "map<string,string>"},
	{"addendum", "map<string,string>"},
	{"edgedevicedetails", "map<string,string>"},
	{"insightdetails", "map<string,string>"},
	{"eventcategory", "string"},
	{"tlsdetails", "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>"},
	{"sessioncredentialfromconsole", "string"},
	{"eventjson", "string"},
	{"eventjsonchecksum", "string"},
}

// TestSchemaFollowsAWS checks every column of the segment schema, and every
// field of every struct, in name, order and type against the documented
// schema.
func TestSchemaFollowsAWS(t *testing.T) {
	fields := schema.Fields()
	if len(fields) != len(documentedSchema) {
		t.Errorf("%d columns, AWS documents %d", len(fields), len(documentedSchema))
	}
	for i := range min(len(fields), len(documentedSchema)) {
		got := [2]string{fields[i].Name(), awsType(fields[i])}
		if got != documentedSchema[i] {
			t.Errorf("column %d is\n  %s %s\nAWS documents\n  %s %s", i+1, got[0], got[1], documentedSchema[i][0], documentedSchema[i][1])
		}
	}
}

// awsType writes the type of a Parquet node in AWS's notation.
func awsType(n parquet.Node) string {
	var logical format.LogicalTypeValue
	if lt := n.Type().LogicalType(); lt != nil {
		logical = lt.Value
	}
	switch logical.(type) {
	case *format.MapType:
		kv := n.Fields()[0].Fields()
		return "map<" + awsType(kv[0]) + "," + awsType(kv[1]) + ">"
	case *format.ListType:
		return "array<" + awsType(n.Fields()[0].Fields()[0]) + ">"
	case *format.StringType:
		return "string"
	case *format.TimestampType:
		return "timestamp"
	}
	switch {
	case !n.Leaf():
		parts := make([]string, len(n.Fields()))
		for i, f := range n.Fields() {
			parts[i] = f.Name() + ":" + awsType(f)
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	case n.Type().Kind() == parquet.Boolean:
		return "boolean"
	}
	return fmt.Sprintf("unknown(%s)", n.Type())
}

// duckColumns is the documented schema as DuckDB names the types it reads
// from a segment: TIMESTAMP WITH TIME ZONE for timestamp (segments store
// instants in UTC), the word "type" quoted as a field name.
func duckColumns() [][2]string {
	out := make([][2]string, len(documentedSchema))
	for i, c := range documentedSchema {
		typ, rest := duckType(c[1])
		if rest != "" {
			panic("documentedSchema: trailing " + rest)
		}
		out[i] = [2]string{c[0], typ}
	}
	return out
}

// duckType converts the AWS type at the start of s and returns the rest of s.
func duckType(s string) (string, string) {
	switch {
	case strings.HasPrefix(s, "string"):
		return "VARCHAR", s[len("string"):]
	case strings.HasPrefix(s, "timestamp"):
		return "TIMESTAMP WITH TIME ZONE", s[len("timestamp"):]
	case strings.HasPrefix(s, "boolean"):
		return "BOOLEAN", s[len("boolean"):]
	case strings.HasPrefix(s, "map<"):
		k, rest := duckType(s[len("map<"):])
		v, rest := duckType(strings.TrimPrefix(rest, ","))
		return "MAP(" + k + ", " + v + ")", strings.TrimPrefix(rest, ">")
	case strings.HasPrefix(s, "array<"):
		e, rest := duckType(s[len("array<"):])
		return e + "[]", strings.TrimPrefix(rest, ">")
	case strings.HasPrefix(s, "struct<"):
		var parts []string
		rest := s[len("struct<"):]
		for {
			name, after, _ := strings.Cut(rest, ":")
			var typ string
			typ, rest = duckType(after)
			if name == "type" {
				name = `"type"`
			}
			parts = append(parts, name+" "+typ)
			if !strings.HasPrefix(rest, ",") {
				break
			}
			rest = rest[1:]
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")", strings.TrimPrefix(rest, ">")
	}
	panic("documentedSchema: unknown type at " + s)
}
