package ctlake

import (
	"strings"
)

// Partition returns the AWS partition of a region, which is the second field
// of every ARN: clients in China or GovCloud regions expect their own.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition, Service, Region, Account string
	// Resource is everything after the account, e.g. "eventdatastore/<id>".
	Resource string
}

func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// ParseARN splits s into its six fields; ok is false when s is not an ARN.
func ParseARN(s string) (a ARN, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return ARN{}, false
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, true
}

// EventDataStoreARN returns the ARN of the store with id in the caller's
// account and region.
func EventDataStoreARN(region, account, id string) string {
	return ARN{Partition: Partition(region), Service: "cloudtrail", Region: region, Account: account, Resource: "eventdatastore/" + id}.String()
}

// ResolveEventDataStore turns an API reference to an event data store (its
// ARN or the id at the end of it, both accepted wherever the API takes a
// store) into the store id. A malformed reference is
// EventDataStoreARNInvalidException; an ARN of another account or region
// names a store the caller cannot see, so it is EventDataStoreNotFoundException.
func ResolveEventDataStore(c Caller, ref string) (string, error) {
	if IsID(ref) {
		return ref, nil
	}
	if a, ok := ParseARN(ref); ok {
		id, isStore := strings.CutPrefix(a.Resource, "eventdatastore/")
		if a.Service != "cloudtrail" || !isStore || !IsID(id) {
			return "", invalidStoreARN(ref)
		}
		if a.Partition != Partition(c.Region) || a.Region != c.Region || a.Account != c.Account {
			return "", Errorf(EventDataStoreNotFoundException,
				"The event data store %s was not found: it belongs to account %s in region %s, and this request is for account %s in region %s.",
				ref, a.Account, a.Region, c.Account, c.Region)
		}
		return id, nil
	}
	return "", invalidStoreARN(ref)
}

func invalidStoreARN(ref string) error {
	return Errorf(EventDataStoreARNInvalidException,
		"The value '%s' is not a valid event data store ARN or id. Give the ARN (arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>) or the id, a lower-case UUID.",
		ref)
}

// IsAccountID reports whether s is an AWS account id: twelve digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsOrganizationID reports whether s is an AWS Organizations id,
// o-[a-z0-9]{10,32}: the folder organization trails add after AWSLogs/.
func IsOrganizationID(s string) bool {
	id, ok := strings.CutPrefix(s, "o-")
	if !ok || len(id) < 10 || len(id) > 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}
