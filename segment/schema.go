package segment

import (
	"reflect"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
)

// The Parquet schema of a segment: the Lake schema of CloudTrail-event stores
// (spec §6.2), column for column and in the same order, with the lower-case
// names of the spec. Every column and every struct field is optional, so that
// a nil pointer, map or slice of ctlake.Event reads back as SQL NULL while a
// non-nil "" stays "".
//
// The writer in row.go walks an event in the same order as this schema; the
// leaf counts below let it emit the NULLs of an absent struct without
// restating its shape.
var (
	// str is a string column of high cardinality (event and request ids,
	// resource ARNs, map values, the record's JSON), in parquet-go's default
	// encoding for strings, DELTA_LENGTH_BYTE_ARRAY: lengths apart from the
	// bytes, which zstd then compresses better than PLAIN (1.7% smaller
	// files in BenchmarkWriteSegment). DuckDB, Trino, Spark 3.3+ and Arrow
	// read it.
	str = parquet.Optional(parquet.String())
	// enum is a string column of low cardinality (event names and sources,
	// regions, account ids, callers, user agents, error codes and messages):
	// dictionary encoding makes its pages small before compression and fast
	// to decode. A column whose dictionary outgrows dictionaryMaxBytes goes
	// on in plain encoding, so a wrong guess costs little.
	enum = parquet.Optional(parquet.Encoded(parquet.String(), &parquet.RLEDictionary))
	// timestamp is an instant in milliseconds since the Unix epoch, UTC: the
	// precision of CloudTrail's eventTime.
	timestamp = parquet.Optional(parquet.Timestamp(parquet.Millisecond))
	// sessionTime is a timestamp shared by the events of a session: few
	// distinct values, so dictionary encoded.
	sessionTime = parquet.Optional(parquet.Encoded(parquet.Timestamp(parquet.Millisecond), &parquet.RLEDictionary))
	boolean     = parquet.Optional(parquet.Leaf(parquet.BooleanType))
	// stringMap is map<string,string>: the keys come from a small set and are
	// dictionary encoded; a value may be NULL in Parquet (Trino maps allow
	// it) though ctlake never writes one.
	stringMap = parquet.Optional(parquet.Map(
		parquet.Encoded(parquet.String(), &parquet.RLEDictionary),
		parquet.Optional(parquet.String()),
	))

	sessionAttributesNode = parquet.Optional(group{
		field("creationdate", sessionTime),
		field("mfaauthenticated", enum),
	})
	sessionIssuerNode = parquet.Optional(group{
		field("type", enum),
		field("principalid", enum),
		field("arn", enum),
		field("accountid", enum),
		field("username", enum),
	})
	webIDFederationDataNode = parquet.Optional(group{
		field("federatedprovider", enum),
		field("attributes", stringMap),
	})
	sessionContextNode = parquet.Optional(group{
		field("attributes", sessionAttributesNode),
		field("sessionissuer", sessionIssuerNode),
		field("webidfederationdata", webIDFederationDataNode),
		field("sourceidentity", enum),
		field("ec2roledelivery", enum),
		field("ec2issuedinvpc", enum),
	})
	onBehalfOfNode = parquet.Optional(group{
		field("userid", enum),
		field("identitystorearn", enum),
	})
	inScopeOfNode = parquet.Optional(group{
		field("sourcearn", enum),
		field("sourceaccount", enum),
		field("issuertype", enum),
		field("credentialsissuedto", enum),
	})
	userIdentityNode = parquet.Optional(group{
		field("type", enum),
		field("principalid", enum),
		field("arn", enum),
		field("accountid", enum),
		field("accesskeyid", enum),
		field("username", enum),
		field("sessioncontext", sessionContextNode),
		field("onbehalfof", onBehalfOfNode),
		field("inscopeof", inScopeOfNode),
		field("invokedby", enum),
		field("identityprovider", enum),
	})
	resourcesNode = parquet.Optional(parquet.List(parquet.Optional(group{
		field("accountid", enum),
		field("type", enum),
		field("arn", str),
		field("arnprefix", enum),
	})))
	tlsDetailsNode = parquet.Optional(group{
		field("tlsversion", enum),
		field("ciphersuite", enum),
		field("clientprovidedhostheader", enum),
	})

	eventNode = group{
		field("eventversion", enum),
		field("useridentity", userIdentityNode),
		field("eventtime", timestamp),
		field("eventsource", enum),
		field("eventname", enum),
		field("awsregion", enum),
		field("sourceipaddress", enum),
		field("useragent", enum),
		field("errorcode", enum),
		field("errormessage", enum),
		field("requestparameters", stringMap),
		field("responseelements", stringMap),
		field("additionaleventdata", stringMap),
		field("requestid", str),
		field("eventid", str),
		field("readonly", boolean),
		field("resources", resourcesNode),
		field("eventtype", enum),
		field("apiversion", enum),
		field("managementevent", boolean),
		field("recipientaccountid", enum),
		field("sharedeventid", str),
		field("annotation", str),
		field("vpcendpointid", enum),
		field("vpcendpointaccountid", enum),
		field("serviceeventdetails", stringMap),
		field("addendum", stringMap),
		field("edgedevicedetails", stringMap),
		field("insightdetails", stringMap),
		field("eventcategory", enum),
		field("tlsdetails", tlsDetailsNode),
		field("sessioncredentialfromconsole", enum),
		field("eventjson", str),
		field("eventjsonchecksum", str),
	}

	// schema is the Parquet schema of every segment file.
	schema = parquet.NewSchema("ctlake_event", eventNode)

	sessionAttributesLeaves   = leaves(sessionAttributesNode)
	sessionIssuerLeaves       = leaves(sessionIssuerNode)
	webIDFederationDataLeaves = leaves(webIDFederationDataNode)
	sessionContextLeaves      = leaves(sessionContextNode)
	onBehalfOfLeaves          = leaves(onBehalfOfNode)
	inScopeOfLeaves           = leaves(inScopeOfNode)
	userIdentityLeaves        = leaves(userIdentityNode)
	tlsDetailsLeaves          = leaves(tlsDetailsNode)
	// columns is the number of leaf columns of a segment.
	columns = leaves(eventNode)
)

// leaves returns the number of leaf columns under node.
func leaves(node parquet.Node) int {
	if node.Leaf() {
		return 1
	}
	n := 0
	for _, f := range node.Fields() {
		n += leaves(f)
	}
	return n
}

// field names node as a field of a group.
func field(name string, node parquet.Node) parquet.Field {
	// A one-entry parquet.Group yields a Field with the library's own Name
	// and Value methods.
	return parquet.Group{name: node}.Fields()[0]
}

// group is a required Parquet group whose fields keep the order they are
// given in. parquet.Group, a map, sorts its fields by name; a segment's
// columns follow the order of the Lake schema instead, so that "SELECT *"
// and DESCRIBE read as spec §6.2 does.
type group []parquet.Field

var _ parquet.Node = group(nil)

func (g group) ID() int                     { return 0 }
func (g group) String() string              { return parquet.NewSchema("", g).String() }
func (g group) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g group) Optional() bool              { return false }
func (g group) Repeated() bool              { return false }
func (g group) Required() bool              { return true }
func (g group) Leaf() bool                  { return false }
func (g group) Fields() []parquet.Field     { return g }
func (g group) Encoding() encoding.Encoding { return nil }
func (g group) Compression() compress.Codec { return nil }
func (g group) GoType() reflect.Type        { return goStructOf(g) }

// goStructOf returns the Go struct type of a group, fields in order, as
// parquet.Group's GoType does.
func goStructOf(fields []parquet.Field) reflect.Type {
	sf := make([]reflect.StructField, len(fields))
	for i, f := range fields {
		sf[i] = reflect.StructField{
			Name: strings.ToUpper(f.Name()[:1]) + f.Name()[1:],
			Type: f.GoType(),
			Tag:  reflect.StructTag(`parquet:"` + f.Name() + `"`),
		}
	}
	return reflect.StructOf(sf)
}
