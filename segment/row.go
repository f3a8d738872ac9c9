package segment

import (
	"slices"
	"time"
	"unsafe"

	"github.com/ctlake/ctlake"
	"github.com/parquet-go/parquet-go"
)

// rowBuilder turns a ctlake.Event into a parquet.Row of the segment schema.
//
// A Parquet row is the flat list of the values of its leaf columns, in
// schema order, each with a definition level (how many of its optional or
// repeated ancestors, itself included, are present) and a repetition level
// (0 for the first value of the row in that column, 1 for the following
// elements of a list or map; nothing repeated nests in this schema). The
// methods below take d, the definition level at which the value's parent is
// present: a present optional value is at d+1, an absent one is a NULL at d.
//
// Building rows by hand, rather than through parquet-go's reflection on a
// tagged struct, keeps the one distinction the Lake schema depends on: a nil
// pointer, map or slice is NULL, a non-nil empty one is not.
type rowBuilder struct {
	row  parquet.Row
	col  int      // the leaf column of the next value
	keys []string // scratch for sorting map keys
}

// build returns the row of e, reusing the memory of row.
func (b *rowBuilder) build(row parquet.Row, e *ctlake.Event) parquet.Row {
	b.row, b.col = row[:0], 0
	b.str(e.EventVersion, 0)
	b.userIdentity(e.UserIdentity, 0)
	b.time(&e.EventTime, 0)
	b.str(e.EventSource, 0)
	b.str(e.EventName, 0)
	b.str(e.AWSRegion, 0)
	b.str(e.SourceIPAddress, 0)
	b.str(e.UserAgent, 0)
	b.str(e.ErrorCode, 0)
	b.str(e.ErrorMessage, 0)
	b.stringMap(e.RequestParameters, 0)
	b.stringMap(e.ResponseElements, 0)
	b.stringMap(e.AdditionalEventData, 0)
	b.str(e.RequestID, 0)
	b.str(e.EventID, 0)
	b.bool(e.ReadOnly, 0)
	b.resources(e.Resources, 0)
	b.str(e.EventType, 0)
	b.str(e.APIVersion, 0)
	b.bool(e.ManagementEvent, 0)
	b.str(e.RecipientAccountID, 0)
	b.str(e.SharedEventID, 0)
	b.str(e.Annotation, 0)
	b.str(e.VPCEndpointID, 0)
	b.str(e.VPCEndpointAccountID, 0)
	b.stringMap(e.ServiceEventDetails, 0)
	b.stringMap(e.Addendum, 0)
	b.stringMap(e.EdgeDeviceDetails, 0)
	b.stringMap(e.InsightDetails, 0)
	b.str(e.EventCategory, 0)
	b.tlsDetails(e.TLSDetails, 0)
	b.str(e.SessionCredentialFromConsole, 0)
	b.str(&e.EventJSON, 0)
	b.nulls(1, 0) // eventjsonchecksum
	return b.row
}

func (b *rowBuilder) userIdentity(u *ctlake.UserIdentity, d int) {
	if u == nil {
		b.nulls(userIdentityLeaves, d)
		return
	}
	d++
	b.str(u.Type, d)
	b.str(u.PrincipalID, d)
	b.str(u.ARN, d)
	b.str(u.AccountID, d)
	b.str(u.AccessKeyID, d)
	b.str(u.UserName, d)
	b.sessionContext(u.SessionContext, d)
	if o := u.OnBehalfOf; o == nil {
		b.nulls(onBehalfOfLeaves, d)
	} else {
		b.str(o.UserID, d+1)
		b.str(o.IdentityStoreARN, d+1)
	}
	if s := u.InScopeOf; s == nil {
		b.nulls(inScopeOfLeaves, d)
	} else {
		b.str(s.SourceARN, d+1)
		b.str(s.SourceAccount, d+1)
		b.str(s.IssuerType, d+1)
		b.str(s.CredentialsIssuedTo, d+1)
	}
	b.str(u.InvokedBy, d)
	b.str(u.IdentityProvider, d)
}

func (b *rowBuilder) sessionContext(s *ctlake.SessionContext, d int) {
	if s == nil {
		b.nulls(sessionContextLeaves, d)
		return
	}
	d++
	if a := s.Attributes; a == nil {
		b.nulls(sessionAttributesLeaves, d)
	} else {
		b.time(a.CreationDate, d+1)
		b.str(a.MFAAuthenticated, d+1)
	}
	if i := s.SessionIssuer; i == nil {
		b.nulls(sessionIssuerLeaves, d)
	} else {
		b.str(i.Type, d+1)
		b.str(i.PrincipalID, d+1)
		b.str(i.ARN, d+1)
		b.str(i.AccountID, d+1)
		b.str(i.UserName, d+1)
	}
	if w := s.WebIDFederationData; w == nil {
		b.nulls(webIDFederationDataLeaves, d)
	} else {
		b.str(w.FederatedProvider, d+1)
		b.stringMap(w.Attributes, d+1)
	}
	b.str(s.SourceIdentity, d)
	b.str(s.EC2RoleDelivery, d)
	b.str(s.EC2IssuedInVPC, d)
}

func (b *rowBuilder) tlsDetails(t *ctlake.TLSDetails, d int) {
	if t == nil {
		b.nulls(tlsDetailsLeaves, d)
		return
	}
	b.str(t.TLSVersion, d+1)
	b.str(t.CipherSuite, d+1)
	b.str(t.ClientProvidedHostHeader, d+1)
}

// stringMap writes an optional MAP: the group (d+1), its repeated key_value
// entries (d+2, where the required key is), and each optional value (d+3).
// Entries are written in key order, so equal events give equal files.
func (b *rowBuilder) stringMap(m map[string]string, d int) {
	switch {
	case m == nil:
		b.nulls(2, d)
		return
	case len(m) == 0:
		b.nulls(2, d+1)
		return
	}
	keys := b.keys[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b.keys = keys
	for i, k := range keys {
		b.value(bytes(k), repetition(i), d+2)
	}
	b.col++
	for i, k := range keys {
		b.value(bytes(m[k]), repetition(i), d+3)
	}
	b.col++
}

// resources writes an optional LIST of optional structs: the list (d+1),
// its repeated entries (d+2), the element struct (d+3) and each field of the
// element (d+4). The values of one field of every element come before those
// of the next field, as a row orders its values by column.
func (b *rowBuilder) resources(rs []ctlake.Resource, d int) {
	const fields = 4
	switch {
	case rs == nil:
		b.nulls(fields, d)
		return
	case len(rs) == 0:
		b.nulls(fields, d+1)
		return
	}
	for f := range fields {
		for i := range rs {
			var s *string
			switch f {
			case 0:
				s = rs[i].AccountID
			case 1:
				s = rs[i].Type
			case 2:
				s = rs[i].ARN
			case 3:
				s = rs[i].ARNPrefix
			}
			if s == nil {
				b.value(parquet.NullValue(), repetition(i), d+3)
			} else {
				b.value(bytes(*s), repetition(i), d+4)
			}
		}
		b.col++
	}
}

// str writes an optional string leaf.
func (b *rowBuilder) str(s *string, d int) {
	if s == nil {
		b.nulls(1, d)
		return
	}
	b.leaf(bytes(*s), d+1)
}

// time writes an optional timestamp leaf.
func (b *rowBuilder) time(t *time.Time, d int) {
	if t == nil {
		b.nulls(1, d)
		return
	}
	b.leaf(millis(*t), d+1)
}

// bool writes an optional boolean leaf.
func (b *rowBuilder) bool(v *bool, d int) {
	if v == nil {
		b.nulls(1, d)
		return
	}
	b.leaf(parquet.BooleanValue(*v), d+1)
}

// nulls writes NULL, defined up to level d, to the next n leaf columns: the
// leaves of an absent optional value.
func (b *rowBuilder) nulls(n, d int) {
	for range n {
		b.leaf(parquet.NullValue(), d)
	}
}

// leaf writes the one value of the current column and moves to the next.
func (b *rowBuilder) leaf(v parquet.Value, d int) {
	b.value(v, 0, d)
	b.col++
}

// value writes a value of the current column.
func (b *rowBuilder) value(v parquet.Value, r, d int) {
	b.row = append(b.row, v.Level(r, d, b.col))
}

// repetition is the repetition level of the i-th entry of a list or map.
func repetition(i int) int { return min(i, 1) }

// bytes is a BYTE_ARRAY value of s that shares its memory: parquet-go
// copies byte arrays into its own buffers and never writes to them, so the
// copy that []byte(s) would make for each of the millions of strings of a
// segment is not needed.
func bytes(s string) parquet.Value {
	return parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// millis is a TIMESTAMP(MILLIS) value of t.
func millis(t time.Time) parquet.Value {
	return parquet.Int64Value(t.UnixMilli())
}
