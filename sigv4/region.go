package sigv4

import "regexp"

// regionPattern is the form of an AWS region name: the union of the
// regionRegex of every partition in botocore's partitions.json (aws:
// us|eu|ap|sa|ca|me|af|il|mx-<name>-<n>; aws-cn: cn-…; aws-us-gov: us-gov-…;
// aws-iso*: us-iso-…, us-isob-…, us-isof-…, eu-isoe-…; aws-eusc: eusc-de-…),
// with botocore's \w+ narrowed to lower-case letters and the numbers to two
// digits, so that a region is short and safe to show in any page or log.
var regionPattern = regexp.MustCompile(`^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[bef]?)?|eusc-de)-[a-z]{1,16}-[0-9]{1,2}$`)

// plainRegion is text that can be shown between single quotes as it is.
var plainRegion = regexp.MustCompile(`^[a-z0-9-]*$`)

// ValidRegion reports whether s has the form of an AWS region name, such as
// us-east-1, us-gov-west-1 or cn-north-1. Regions scope every resource and
// quota, so a region a client makes up must not create a new one.
func ValidRegion(s string) bool { return regionPattern.MatchString(s) }

// invalidRegion is AWS's answer to a credential scope with a region the
// front end does not serve ("Credential should be scoped to a valid region,
// not 'us-west-9'.", an InvalidSignatureException, as seen from AWS JSON
// services in aws-sdk-java#1097, aws-sdk-ruby#508), with what ctlake accepts.
func invalidRegion(region string) *Error {
	shown := quote(region)
	if len(region) <= 64 && plainRegion.MatchString(region) {
		shown = "'" + region + "'"
	}
	return invalid("Credential should be scoped to a valid region, not %s. Use an AWS region name such as us-east-1 (ctlake accepts the names of every AWS partition).", shown)
}
