package trail

import (
	"fmt"
	"time"

	"github.com/ctlake/ctlake"
)

// recordError is a record that is valid JSON but cannot be an event.
type recordError struct{ msg string }

func (e *recordError) Error() string { return e.msg }

// eventBlock is everything one event points to, allocated at once: an
// Event's pointers lead into its own block, so a decoded event costs a few
// allocations instead of one per field. Nested structs are linked from the
// event only when the record has them.
type eventBlock struct {
	ev      ctlake.Event
	ui      ctlake.UserIdentity
	sc      ctlake.SessionContext
	attrs   ctlake.SessionAttributes
	issuer  ctlake.SessionIssuer
	web     ctlake.WebIDFederationData
	obo     ctlake.OnBehalfOf
	iso     ctlake.InScopeOf
	tls     ctlake.TLSDetails
	created time.Time
	bools   [2]bool
	strs    [32]string // the first chunk of the event's *string values
}

// strings hands out *string values from chunks owned by one event.
type stringArena []string

func (a *stringArena) ptr(v string) *string {
	if len(*a) == cap(*a) {
		*a = make([]string, 0, 16)
	}
	*a = append(*a, v)
	return &(*a)[len(*a)-1]
}

// recordDecoder turns records into events. It is reused across records;
// nothing in it is referenced by the events it returns.
type recordDecoder struct {
	p parser
	a stringArena
	b *eventBlock
}

// decode reads one record, the whole of s, into a new Event whose
// EventJSON is s. Invalid JSON is a *syntaxError; valid JSON that is not
// an event is a *recordError.
func (d *recordDecoder) decode(s string) (*ctlake.Event, error) {
	p := &d.p
	p.reset(s)
	if c := p.peek(); c != '{' {
		if err := p.skip(0); err != nil {
			return nil, err
		}
		if err := p.done(); err != nil {
			return nil, err
		}
		return nil, &recordError{"is " + kind(c) + ", not a JSON object"}
	}
	p.i++
	d.b = new(eventBlock)
	d.a = d.b.strs[:0]
	ev := &d.b.ev
	ev.EventJSON = s
	haveTime := false
	var timeErr *recordError
	for first := true; ; first = false {
		key, ok, err := p.member(first)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		switch key {
		case "eventTime":
			// A bad eventTime is reported once the whole record is read:
			// invalid JSON after it is a syntax error first, and a later
			// eventTime member replaces it (the last member wins, as in
			// encoding/json).
			ev.EventTime, err = d.eventTime()
			timeErr = nil
			if re, ok := err.(*recordError); ok {
				timeErr, err = re, nil
			}
			haveTime = err == nil && timeErr == nil
		case "eventVersion":
			ev.EventVersion, err = d.str()
		case "userIdentity":
			ev.UserIdentity, err = d.userIdentity()
		case "eventSource":
			ev.EventSource, err = d.str()
		case "eventName":
			ev.EventName, err = d.str()
		case "awsRegion":
			ev.AWSRegion, err = d.str()
		case "sourceIPAddress":
			ev.SourceIPAddress, err = d.str()
		case "userAgent":
			ev.UserAgent, err = d.str()
		case "errorCode":
			ev.ErrorCode, err = d.str()
		case "errorMessage":
			ev.ErrorMessage, err = d.str()
		case "requestParameters":
			ev.RequestParameters, err = d.strMap(1)
		case "responseElements":
			ev.ResponseElements, err = d.strMap(1)
		case "additionalEventData":
			ev.AdditionalEventData, err = d.strMap(1)
		case "requestID":
			ev.RequestID, err = d.str()
		case "eventID":
			ev.EventID, err = d.str()
		case "readOnly":
			ev.ReadOnly, err = d.bool(&d.b.bools[0])
		case "resources":
			ev.Resources, err = d.resources()
		case "eventType":
			ev.EventType, err = d.str()
		case "apiVersion":
			ev.APIVersion, err = d.str()
		case "managementEvent":
			ev.ManagementEvent, err = d.bool(&d.b.bools[1])
		case "recipientAccountId":
			ev.RecipientAccountID, err = d.str()
		case "sharedEventID":
			ev.SharedEventID, err = d.str()
		case "annotation":
			ev.Annotation, err = d.str()
		case "vpcEndpointId":
			ev.VPCEndpointID, err = d.str()
		case "vpcEndpointAccountId":
			ev.VPCEndpointAccountID, err = d.str()
		case "serviceEventDetails":
			ev.ServiceEventDetails, err = d.strMap(1)
		case "addendum":
			ev.Addendum, err = d.strMap(1)
		case "edgeDeviceDetails":
			ev.EdgeDeviceDetails, err = d.strMap(1)
		case "insightDetails":
			ev.InsightDetails, err = d.strMap(1)
		case "eventCategory":
			ev.EventCategory, err = d.str()
		case "tlsDetails":
			ev.TLSDetails, err = d.tlsDetails()
		case "sessionCredentialFromConsole":
			ev.SessionCredentialFromConsole, err = d.str()
		default:
			err = p.skip(1)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := p.done(); err != nil {
		return nil, err
	}
	if timeErr != nil {
		return nil, timeErr
	}
	if !haveTime {
		return nil, &recordError{"has no eventTime"}
	}
	d.b = nil
	return ev, nil
}

// eventTime reads the eventTime value.
func (d *recordDecoder) eventTime() (time.Time, error) {
	p := &d.p
	c := p.s[p.i]
	if c != '"' {
		if err := p.skip(1); err != nil {
			return time.Time{}, err
		}
		return time.Time{}, &recordError{"has an eventTime that is " + kind(c) + ", not a string"}
	}
	v, err := p.str()
	if err != nil {
		return time.Time{}, err
	}
	t, ok := parseTime(v)
	if !ok {
		return time.Time{}, &recordError{fmt.Sprintf("has eventTime %s, which is not an RFC 3339 timestamp such as 2023-07-10T11:47:39Z", clip(v))}
	}
	return t, nil
}

// clip quotes v for a message, cut short if long.
func clip(v string) string {
	const max = 64
	if len(v) > max {
		return fmt.Sprintf("%q...", v[:max])
	}
	return fmt.Sprintf("%q", v)
}

// str reads a string field. null is nil. Any other non-string value keeps
// its compact JSON text (so a boolean true becomes "true"): the column is
// a string, and dropping the value would lose what the record says.
func (d *recordDecoder) str() (*string, error) {
	p := &d.p
	switch p.s[p.i] {
	case '"':
		v, err := p.str()
		if err != nil {
			return nil, err
		}
		return d.a.ptr(v), nil
	case 'n':
		if p.literal("null") {
			return nil, nil
		}
	}
	v, err := p.text(1)
	if err != nil {
		return nil, err
	}
	return d.a.ptr(v), nil
}

// bool reads a boolean field into *b. JSON true and false and the strings
// "true" and "false" are booleans; null and anything else are nil (the
// value stays in eventJson).
func (d *recordDecoder) bool(b *bool) (*bool, error) {
	p := &d.p
	switch {
	case p.literal("true"):
		*b = true
		return b, nil
	case p.literal("false"):
		*b = false
		return b, nil
	case p.s[p.i] == '"':
		v, err := p.str()
		if err != nil {
			return nil, err
		}
		switch v {
		case "true":
			*b = true
			return b, nil
		case "false":
			*b = false
			return b, nil
		}
		return nil, nil
	}
	return nil, p.skip(1)
}

// strMap reads a free-form object (requestParameters and the like) as a
// map of its top-level members: string values unescaped, null values
// left out, anything else as its compact JSON text. null gives a nil map,
// {} an empty one; a value that is not an object also gives nil (it is
// still in eventJson).
func (d *recordDecoder) strMap(depth int) (map[string]string, error) {
	p := &d.p
	if p.s[p.i] != '{' {
		return nil, p.skip(depth)
	}
	p.i++
	m := make(map[string]string)
	for first := true; ; first = false {
		key, ok, err := p.member(first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return m, nil
		}
		switch p.s[p.i] {
		case '"':
			v, err := p.str()
			if err != nil {
				return nil, err
			}
			m[key] = v
		case 'n':
			if p.literal("null") {
				// An explicit null says no more than an absent key, and a
				// "null" text would be a string that SQL cannot tell from
				// one; leave the key out.
				delete(m, key)
				continue
			}
			fallthrough
		default:
			v, err := p.text(depth + 1)
			if err != nil {
				return nil, err
			}
			m[key] = v
		}
	}
}

// object reads an object member by member, calling field with the
// position at each member's value; field must consume the value. It
// reports false, having consumed the value, if the value is not an object
// (null included).
func (d *recordDecoder) object(depth int, field func(key string) error) (bool, error) {
	p := &d.p
	if p.s[p.i] != '{' {
		return false, p.skip(depth)
	}
	p.i++
	for first := true; ; first = false {
		key, ok, err := p.member(first)
		if err != nil {
			return false, err
		}
		if !ok {
			return true, nil
		}
		if err := field(key); err != nil {
			return false, err
		}
	}
}

func (d *recordDecoder) userIdentity() (*ctlake.UserIdentity, error) {
	ui := &d.b.ui
	*ui = ctlake.UserIdentity{}
	ok, err := d.object(1, func(key string) (err error) {
		switch key {
		case "type":
			ui.Type, err = d.str()
		case "principalId":
			ui.PrincipalID, err = d.str()
		case "arn":
			ui.ARN, err = d.str()
		case "accountId":
			ui.AccountID, err = d.str()
		case "accessKeyId":
			ui.AccessKeyID, err = d.str()
		case "userName":
			ui.UserName, err = d.str()
		case "sessionContext":
			ui.SessionContext, err = d.sessionContext()
		case "invokedBy":
			ui.InvokedBy, err = d.str()
		case "identityProvider":
			ui.IdentityProvider, err = d.str()
		case "onBehalfOf":
			ui.OnBehalfOf, err = d.onBehalfOf()
		case "inScopeOf":
			ui.InScopeOf, err = d.inScopeOf()
		default:
			err = d.p.skip(2)
		}
		return err
	})
	if !ok {
		return nil, err
	}
	return ui, nil
}

func (d *recordDecoder) sessionContext() (*ctlake.SessionContext, error) {
	sc := &d.b.sc
	*sc = ctlake.SessionContext{}
	ok, err := d.object(2, func(key string) (err error) {
		switch key {
		case "attributes":
			sc.Attributes, err = d.sessionAttributes()
		case "sessionIssuer":
			sc.SessionIssuer, err = d.sessionIssuer()
		case "webIdFederationData":
			sc.WebIDFederationData, err = d.webIDFederationData()
		case "sourceIdentity":
			sc.SourceIdentity, err = d.str()
		case "ec2RoleDelivery":
			sc.EC2RoleDelivery, err = d.str()
		case "ec2IssuedInVPC":
			sc.EC2IssuedInVPC, err = d.str()
		default:
			err = d.p.skip(3)
		}
		return err
	})
	if !ok {
		return nil, err
	}
	return sc, nil
}

// sessionAttributes reads sessionContext.attributes. A creationDate that
// is not an RFC 3339 timestamp is nil: it does not make the record
// unusable, and eventJson keeps it.
func (d *recordDecoder) sessionAttributes() (*ctlake.SessionAttributes, error) {
	attrs := &d.b.attrs
	*attrs = ctlake.SessionAttributes{}
	ok, err := d.object(3, func(key string) (err error) {
		switch key {
		case "creationDate":
			var v *string
			if v, err = d.str(); v != nil {
				if t, ok := parseTime(*v); ok {
					d.b.created = t
					attrs.CreationDate = &d.b.created
				}
			}
		case "mfaAuthenticated":
			attrs.MFAAuthenticated, err = d.str()
		default:
			err = d.p.skip(4)
		}
		return err
	})
	if !ok {
		return nil, err
	}
	return attrs, nil
}

func (d *recordDecoder) sessionIssuer() (*ctlake.SessionIssuer, error) {
	is := &d.b.issuer
	*is = ctlake.SessionIssuer{}
	ok, err := d.object(3, func(key string) (err error) {
		switch key {
		case "type":
			is.Type, err = d.str()
		case "principalId":
			is.PrincipalID, err = d.str()
		case "arn":
			is.ARN, err = d.str()
		case "accountId":
			is.AccountID, err = d.str()
		case "userName":
			is.UserName, err = d.str()
		default:
			err = d.p.skip(4)
		}
		return err
	})
	if !ok {
		return nil, err
	}
	return is, nil
}

func (d *recordDecoder) webIDFederationData() (*ctlake.WebIDFederationData, error) {
	w := &d.b.web
	*w = ctlake.WebIDFederationData{}
	ok, err := d.object(3, func(key string) (err error) {
		switch key {
		case "federatedProvider":
			w.FederatedProvider, err = d.str()
		case "attributes":
			w.Attributes, err = d.strMap(4)
		default:
			err = d.p.skip(4)
		}
		return err
	})
	if !ok {
		return nil, err
	}
	return w, nil
}

func (d *recordDecoder) onBehalfOf() (*ctlake.OnBehalfOf, error) {
	o := &d.b.obo
	*o = ctlake.OnBehalfOf{}
	ok, err := d.object(2, func(key string) (err error) {
		switch key {
		case "userId":
			o.UserID, err = d.str()
		case "identityStoreArn":
			o.IdentityStoreARN, err = d.str()
		default:
			err = d.p.skip(3)
		}
		return err
	})
	if !ok {
		return nil, err
	}
	return o, nil
}

func (d *recordDecoder) inScopeOf() (*ctlake.InScopeOf, error) {
	o := &d.b.iso
	*o = ctlake.InScopeOf{}
	ok, err := d.object(2, func(key string) (err error) {
		switch key {
		case "sourceArn":
			o.SourceARN, err = d.str()
		case "sourceAccount":
			o.SourceAccount, err = d.str()
		case "issuerType":
			o.IssuerType, err = d.str()
		case "credentialsIssuedTo":
			o.CredentialsIssuedTo, err = d.str()
		default:
			err = d.p.skip(3)
		}
		return err
	})
	if !ok {
		return nil, err
	}
	return o, nil
}

func (d *recordDecoder) tlsDetails() (*ctlake.TLSDetails, error) {
	t := &d.b.tls
	*t = ctlake.TLSDetails{}
	ok, err := d.object(1, func(key string) (err error) {
		switch key {
		case "tlsVersion":
			t.TLSVersion, err = d.str()
		case "cipherSuite":
			t.CipherSuite, err = d.str()
		case "clientProvidedHostHeader":
			t.ClientProvidedHostHeader, err = d.str()
		default:
			err = d.p.skip(2)
		}
		return err
	})
	if !ok {
		return nil, err
	}
	return t, nil
}

// resources reads the resources array. Elements that are not objects
// (null included) are left out; null or a non-array value gives nil, []
// an empty slice.
func (d *recordDecoder) resources() ([]ctlake.Resource, error) {
	p := &d.p
	if p.s[p.i] != '[' {
		return nil, p.skip(1)
	}
	p.i++
	rs := []ctlake.Resource{}
	for first := true; ; first = false {
		ok, err := p.element(first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return rs, nil
		}
		var r ctlake.Resource
		isObj, err := d.object(2, func(key string) (err error) {
			switch key {
			case "ARN":
				r.ARN, err = d.str()
			case "accountId":
				r.AccountID, err = d.str()
			case "type":
				r.Type, err = d.str()
			case "ARNPrefix":
				r.ARNPrefix, err = d.str()
			default:
				err = p.skip(3)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if isObj {
			rs = append(rs, r)
		}
	}
}

// parseTime parses an RFC 3339 timestamp, with or without fractional
// seconds and in any offset, into UTC truncated to the millisecond.
func parseTime(v string) (time.Time, bool) {
	// The shape of every eventTime CloudTrail writes, without time.Parse.
	if len(v) == 20 && v[4] == '-' && v[7] == '-' && v[10] == 'T' && v[13] == ':' && v[16] == ':' && v[19] == 'Z' {
		y, ok1 := atoi(v[0:4])
		mo, ok2 := atoi(v[5:7])
		dd, ok3 := atoi(v[8:10])
		hh, ok4 := atoi(v[11:13])
		mi, ok5 := atoi(v[14:16])
		ss, ok6 := atoi(v[17:19])
		if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || !validDate(y, mo, dd) || hh > 23 || mi > 59 || ss > 59 {
			return time.Time{}, false
		}
		return time.Date(y, time.Month(mo), dd, hh, mi, ss, 0, time.UTC), true
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, false
	}
	return ctlake.Millis(t), true
}

// atoi parses a short run of ASCII digits.
func atoi(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// validDate reports whether y-mo-dd is a day of the Gregorian calendar.
func validDate(y, mo, dd int) bool {
	if mo < 1 || mo > 12 || dd < 1 {
		return false
	}
	return dd <= time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
