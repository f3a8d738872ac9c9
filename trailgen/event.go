package trailgen

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// account is one AWS account of the generated organization, with the
// principals and resources its events name. It is made once from the seed
// and then only read, by every worker.
type account struct {
	id        string
	users     []principal // IAM users
	roles     []principal // IAM roles
	buckets   []string
	functions []string
	tables    []string
	keys      []string // KMS key ids (UUIDs)
	ips       []string // the addresses its people call from
}

type principal struct {
	name string
	id   string // AIDA… for users, AROA… for roles
}

func newAccount(r *rand.Rand, id string) *account {
	a := &account{id: id}
	for _, n := range []string{"alice", "bob", "carol", "ci-deploy", "terraform", "backup-operator"}[:3+r.IntN(4)] {
		a.users = append(a.users, principal{name: n, id: "AIDA" + upperAlnum(r, 17)})
	}
	for _, n := range []string{"Admin", "ReadOnly", "OrganizationAccountAccessRole", "lambda-orders-exec", "github-actions-deploy", "AWSServiceRoleForConfig", "eks-node-group"}[:4+r.IntN(4)] {
		a.roles = append(a.roles, principal{name: n, id: "AROA" + upperAlnum(r, 17)})
	}
	for _, n := range []string{"assets", "logs", "backups", "data-lake", "terraform-state"}[:2+r.IntN(4)] {
		a.buckets = append(a.buckets, n+"-"+id)
	}
	a.functions = []string{"orders-api", "thumbnailer", "nightly-report", "slack-notifier"}[:1+r.IntN(4)]
	a.tables = []string{"orders", "sessions", "customers"}[:1+r.IntN(3)]
	for range 1 + r.IntN(3) {
		a.keys = append(a.keys, uuid(r, nil))
	}
	for range 3 + r.IntN(5) {
		a.ips = append(a.ips, strconv.Itoa(3+r.IntN(220))+"."+strconv.Itoa(r.IntN(256))+"."+strconv.Itoa(r.IntN(256))+"."+strconv.Itoa(1+r.IntN(254)))
	}
	return a
}

// eventCtx is what the parts of one event share.
type eventCtx struct {
	r      *rand.Rand
	acct   *account
	region string
	time   int64
	id     identity
	failed bool
}

type identity int

const (
	idIAMUser identity = iota
	idAssumedRole
	idRoot
	idAWSService
)

// action is one kind of API call as CloudTrail records it.
type action struct {
	source, name string
	readOnly     bool
	data         bool   // a data event (eventCategory Data, managementEvent false)
	eventType    string // "" means AwsApiCall
	weight       int
	// request, response and resources append a JSON value (request and
	// response: an object or null; resources: an array, or nothing).
	request   func(e *eventCtx, b []byte) []byte
	response  func(e *eventCtx, b []byte) []byte
	resources func(e *eventCtx, b []byte) []byte
	errors    []apiError
}

type apiError struct{ code, message string }

// Error messages name the caller and the action where AWS's do.
var (
	accessDenied          = apiError{"AccessDenied", "User: {caller} is not authorized to perform: {action} because no identity-based policy allows the {action} action"}
	unauthorizedOperation = apiError{"Client.UnauthorizedOperation", "You are not authorized to perform this operation. User: {caller} is not authorized to perform: {action} with an explicit deny in a service control policy"}
)

var actions = []action{
	{source: "ec2.amazonaws.com", name: "DescribeInstances", readOnly: true, weight: 40,
		request: func(e *eventCtx, b []byte) []byte {
			return append(b, `{"instancesSet":{},"filterSet":{"items":[{"name":"instance-state-name","valueSet":{"items":[{"value":"running"},{"value":"stopped"}]}}]}}`...)
		},
		errors: []apiError{unauthorizedOperation}},
	{source: "ec2.amazonaws.com", name: "DescribeSecurityGroups", readOnly: true, weight: 20,
		request: func(e *eventCtx, b []byte) []byte {
			return append(b, `{"securityGroupSet":{},"securityGroupIdSet":{},"filterSet":{}}`...)
		}},
	{source: "ec2.amazonaws.com", name: "DescribeRegions", readOnly: true, weight: 10,
		request: func(e *eventCtx, b []byte) []byte { return append(b, `{"regionSet":{}}`...) }},
	{source: "ec2.amazonaws.com", name: "DescribeVolumes", readOnly: true, weight: 10,
		request: func(e *eventCtx, b []byte) []byte {
			return append(b, `{"volumeSet":{},"filterSet":{},"maxResults":500}`...)
		}},
	{source: "ec2.amazonaws.com", name: "RunInstances", weight: 3,
		request: func(e *eventCtx, b []byte) []byte {
			b = append(b, `{"instancesSet":{"items":[{"imageId":"ami-0`...)
			b = appendHexRand(e.r, b, 16)
			b = append(b, `","minCount":1,"maxCount":1}]},"instanceType":"t3.micro","blockDeviceMapping":{},"monitoring":{"enabled":false},"disableApiTermination":false,"disableApiStop":false,"clientToken":"`...)
			b = append(b, uuid(e.r, nil)...)
			return append(b, `"}`...)
		},
		response: func(e *eventCtx, b []byte) []byte {
			b = append(b, `{"requestId":"`...)
			b = append(b, uuid(e.r, nil)...)
			b = append(b, `","reservationId":"r-0`...)
			b = append(appendHexRand(e.r, b, 16), '"')
			b = appendKV(b, false, "ownerId", e.acct.id)
			b = append(b, `,"groupSet":{},"instancesSet":{"items":[{"instanceId":"i-0`...)
			b = appendHexRand(e.r, b, 16)
			b = append(b, `","instanceState":{"code":0,"name":"pending"},"instanceType":"t3.micro","placement":{"availabilityZone":"`...)
			b = append(b, e.region...)
			return append(b, `a"}}]}}`...)
		},
		errors: []apiError{unauthorizedOperation, {"Server.InsufficientInstanceCapacity", "We currently do not have sufficient t3.micro capacity in the Availability Zone you requested."}}},
	{source: "ec2.amazonaws.com", name: "CreateTags", weight: 4,
		request: func(e *eventCtx, b []byte) []byte {
			b = append(b, `{"resourcesSet":{"items":[{"resourceId":"i-0`...)
			b = appendHexRand(e.r, b, 16)
			b = append(b, `"}]},"tagSet":{"items":[{"key":"Name","value":"`...)
			b = append(b, pick(e.r, []string{"web-1", "web-2", "batch", "bastion"})...)
			return append(b, `"},{"key":"team","value":"platform"}]}}`...)
		},
		response: func(e *eventCtx, b []byte) []byte {
			b = append(b, `{"requestId":"`...)
			b = append(b, uuid(e.r, nil)...)
			return append(b, `","_return":true}`...)
		}},
	{source: "ec2.amazonaws.com", name: "AuthorizeSecurityGroupIngress", weight: 2,
		request: func(e *eventCtx, b []byte) []byte {
			b = append(b, `{"groupId":"sg-0`...)
			b = appendHexRand(e.r, b, 16)
			return append(b, `","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}`...)
		},
		errors: []apiError{{"Client.InvalidPermission.Duplicate", "the specified rule \"peer: 0.0.0.0/0, TCP, from port: 443, to port: 443, ALLOW\" already exists"}}},
	{source: "s3.amazonaws.com", name: "ListBuckets", readOnly: true, weight: 10,
		request: func(e *eventCtx, b []byte) []byte { return append(b, `{"Host":"s3.amazonaws.com"}`...) }},
	{source: "s3.amazonaws.com", name: "GetBucketAcl", readOnly: true, weight: 15,
		request:   s3BucketRequest(`,"acl":""`),
		resources: s3BucketResources,
		errors:    []apiError{{"NoSuchBucket", "The specified bucket does not exist"}}},
	{source: "s3.amazonaws.com", name: "GetBucketPolicy", readOnly: true, weight: 6,
		request:   s3BucketRequest(`,"policy":""`),
		resources: s3BucketResources,
		errors:    []apiError{{"NoSuchBucketPolicy", "The bucket policy does not exist"}}},
	{source: "s3.amazonaws.com", name: "GetObject", readOnly: true, data: true, weight: 25,
		request:   s3ObjectRequest,
		resources: s3ObjectResources,
		errors:    []apiError{{"NoSuchKey", "The specified key does not exist."}, {"AccessDenied", "Access Denied"}}},
	{source: "s3.amazonaws.com", name: "PutObject", data: true, weight: 12,
		request:   s3ObjectRequest,
		resources: s3ObjectResources,
		response: func(e *eventCtx, b []byte) []byte {
			b = append(b, `{"x-amz-server-side-encryption":"AES256","x-amz-version-id":"`...)
			return append(append(b, upperAlnum(e.r, 32)...), `"}`...)
		}},
	{source: "iam.amazonaws.com", name: "GetUser", readOnly: true, weight: 8,
		request: func(e *eventCtx, b []byte) []byte {
			return append(appendKV(append(b, '{'), true, "userName", pick(e.r, e.acct.users).name), '}')
		},
		errors: []apiError{{"NoSuchEntityException", "The user with name deleted-user cannot be found."}}},
	{source: "iam.amazonaws.com", name: "ListRoles", readOnly: true, weight: 6,
		request: func(e *eventCtx, b []byte) []byte { return append(b, `{"maxItems":100}`...) }},
	{source: "iam.amazonaws.com", name: "ListAttachedRolePolicies", readOnly: true, weight: 5,
		request: func(e *eventCtx, b []byte) []byte {
			return append(appendKV(append(b, '{'), true, "roleName", pick(e.r, e.acct.roles).name), '}')
		}},
	{source: "iam.amazonaws.com", name: "CreateAccessKey", weight: 1,
		request: func(e *eventCtx, b []byte) []byte {
			return append(appendKV(append(b, '{'), true, "userName", pick(e.r, e.acct.users).name), '}')
		},
		response: func(e *eventCtx, b []byte) []byte {
			b = append(b, `{"accessKey":{"accessKeyId":"AKIA`...)
			b = append(b, upperAlnum(e.r, 16)...)
			b = append(b, `","status":"Active","createDate":"`...)
			b = time.Unix(e.time, 0).UTC().AppendFormat(b, "Jan 2, 2006, 3:04:05 PM")
			return append(b, `"}}`...)
		},
		errors: []apiError{{"LimitExceededException", "Cannot exceed quota for AccessKeysPerUser: 2"}}},
	{source: "iam.amazonaws.com", name: "AttachRolePolicy", weight: 1,
		request: func(e *eventCtx, b []byte) []byte {
			b = appendKV(append(b, '{'), true, "roleName", pick(e.r, e.acct.roles).name)
			b = appendKV(b, false, "policyArn", pick(e.r, []string{"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3FullAccess"}))
			return append(b, '}')
		}},
	{source: "sts.amazonaws.com", name: "GetCallerIdentity", readOnly: true, weight: 12},
	{source: "sts.amazonaws.com", name: "AssumeRole", readOnly: true, weight: 14,
		request: func(e *eventCtx, b []byte) []byte {
			role := pick(e.r, e.acct.roles)
			b = appendKV(append(b, '{'), true, "roleArn", "arn:aws:iam::"+e.acct.id+":role/"+role.name)
			b = appendKV(b, false, "roleSessionName", "session-"+alnum(e.r, 8))
			return append(b, `,"durationSeconds":3600}`...)
		},
		response: func(e *eventCtx, b []byte) []byte {
			b = append(b, `{"credentials":{"accessKeyId":"ASIA`...)
			b = append(b, upperAlnum(e.r, 16)...)
			b = append(b, `","sessionToken":"IQoJb3JpZ2luX2VjE`...)
			b = append(b, alnum(e.r, 40)...)
			b = append(b, `","expiration":"`...)
			b = time.Unix(e.time+3600, 0).UTC().AppendFormat(b, "Jan 2, 2006, 3:04:05 PM")
			b = append(b, `"},"assumedRoleUser":{"assumedRoleId":"AROA`...)
			b = append(b, upperAlnum(e.r, 17)...)
			return append(b, `:session"}}`...)
		},
		resources: func(e *eventCtx, b []byte) []byte {
			b = append(b, `[{"accountId":"`...)
			b = append(b, e.acct.id...)
			b = append(b, `","type":"AWS::IAM::Role","ARN":"arn:aws:iam::`...)
			b = append(b, e.acct.id...)
			b = append(b, ":role/"...)
			return append(append(b, pick(e.r, e.acct.roles).name...), `"}]`...)
		},
		errors: []apiError{accessDenied}},
	{source: "kms.amazonaws.com", name: "Decrypt", readOnly: true, weight: 30,
		request: func(e *eventCtx, b []byte) []byte {
			b = append(b, `{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:lambda:FunctionArn":"arn:aws:lambda:`...)
			b = append(b, e.region...)
			b = append(b, ':')
			b = append(b, e.acct.id...)
			b = append(b, ":function:"...)
			return append(append(b, pick(e.r, e.acct.functions)...), `"}}`...)
		},
		resources: kmsResources},
	{source: "kms.amazonaws.com", name: "GenerateDataKey", readOnly: true, weight: 15,
		request: func(e *eventCtx, b []byte) []byte {
			b = append(b, `{"keyId":"arn:aws:kms:`...)
			b = append(b, e.region...)
			b = append(b, ':')
			b = append(b, e.acct.id...)
			b = append(b, ":key/"...)
			b = append(b, pick(e.r, e.acct.keys)...)
			b = append(b, `","keySpec":"AES_256","encryptionContext":{"aws:s3:arn":"arn:aws:s3:::`...)
			return append(append(b, pick(e.r, e.acct.buckets)...), `"}}`...)
		},
		resources: kmsResources},
	{source: "cloudtrail.amazonaws.com", name: "LookupEvents", readOnly: true, weight: 3,
		request: func(e *eventCtx, b []byte) []byte {
			return append(b, `{"maxResults":50,"lookupAttributes":[{"attributeKey":"EventName","attributeValue":"ConsoleLogin"}]}`...)
		}},
	{source: "cloudtrail.amazonaws.com", name: "DescribeTrails", readOnly: true, weight: 3,
		request: func(e *eventCtx, b []byte) []byte { return append(b, `{"includeShadowTrails":true}`...) }},
	{source: "lambda.amazonaws.com", name: "ListFunctions20150331", readOnly: true, weight: 4},
	{source: "lambda.amazonaws.com", name: "Invoke", data: true, weight: 12,
		request: func(e *eventCtx, b []byte) []byte {
			b = append(b, `{"functionName":"arn:aws:lambda:`...)
			b = append(b, e.region...)
			b = append(b, ':')
			b = append(b, e.acct.id...)
			b = append(b, ":function:"...)
			return append(append(b, pick(e.r, e.acct.functions)...), `","invocationType":"RequestResponse"}`...)
		},
		resources: func(e *eventCtx, b []byte) []byte {
			b = append(b, `[{"accountId":"`...)
			b = append(b, e.acct.id...)
			b = append(b, `","type":"AWS::Lambda::Function","ARN":"arn:aws:lambda:`...)
			b = append(b, e.region...)
			b = append(b, ':')
			b = append(b, e.acct.id...)
			b = append(b, ":function:"...)
			return append(append(b, pick(e.r, e.acct.functions)...), `"}]`...)
		},
		errors: []apiError{{"TooManyRequestsException", "Rate Exceeded."}}},
	{source: "logs.amazonaws.com", name: "CreateLogStream", weight: 8,
		request: func(e *eventCtx, b []byte) []byte {
			b = appendKV(append(b, '{'), true, "logGroupName", "/aws/lambda/"+pick(e.r, e.acct.functions))
			b = append(b, `,"logStreamName":"`...)
			b = time.Unix(e.time, 0).UTC().AppendFormat(b, "2006/01/02")
			b = append(b, `/[$LATEST]`...)
			return append(appendHexRand(e.r, b, 32), `"}`...)
		}},
	{source: "logs.amazonaws.com", name: "DescribeLogGroups", readOnly: true, weight: 4,
		request: func(e *eventCtx, b []byte) []byte { return append(b, `{"limit":50}`...) }},
	{source: "dynamodb.amazonaws.com", name: "DescribeTable", readOnly: true, weight: 6,
		request: func(e *eventCtx, b []byte) []byte {
			return append(appendKV(append(b, '{'), true, "tableName", pick(e.r, e.acct.tables)), '}')
		},
		resources: func(e *eventCtx, b []byte) []byte {
			b = append(b, `[{"accountId":"`...)
			b = append(b, e.acct.id...)
			b = append(b, `","type":"AWS::DynamoDB::Table","ARN":"arn:aws:dynamodb:`...)
			b = append(b, e.region...)
			b = append(b, ':')
			b = append(b, e.acct.id...)
			b = append(b, ":table/"...)
			return append(append(b, pick(e.r, e.acct.tables)...), `"}]`...)
		},
		errors: []apiError{{"ResourceNotFoundException", "Requested resource not found: Table: archive not found"}}},
	{source: "health.amazonaws.com", name: "DescribeEventAggregates", readOnly: true, weight: 3,
		request: func(e *eventCtx, b []byte) []byte {
			return append(b, `{"aggregateField":"eventTypeCategory","filter":{"eventStatusCodes":["open","upcoming"]}}`...)
		}},
	{source: "signin.amazonaws.com", name: "ConsoleLogin", eventType: "AwsConsoleSignIn", weight: 2,
		response: func(e *eventCtx, b []byte) []byte {
			if e.failed {
				return append(b, `{"ConsoleLogin":"Failure"}`...)
			}
			return append(b, `{"ConsoleLogin":"Success"}`...)
		},
		errors: []apiError{{"", "Failed authentication"}}},
	{source: "kms.amazonaws.com", name: "RotateKey", eventType: "AwsServiceEvent", weight: 1,
		resources: kmsResources},
}

// actionTable picks an action by weight in O(1).
var actionTable = func() []uint8 {
	var t []uint8
	for i, a := range actions {
		for range a.weight {
			t = append(t, uint8(i))
		}
	}
	return t
}()

func s3BucketRequest(extra string) func(e *eventCtx, b []byte) []byte {
	return func(e *eventCtx, b []byte) []byte {
		bucket := pick(e.r, e.acct.buckets)
		b = appendKV(append(b, '{'), true, "bucketName", bucket)
		b = appendKV(b, false, "Host", bucket+".s3."+e.region+".amazonaws.com")
		return append(append(b, extra...), '}')
	}
}

func s3BucketResources(e *eventCtx, b []byte) []byte {
	b = append(b, `[{"accountId":"`...)
	b = append(b, e.acct.id...)
	b = append(b, `","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::`...)
	return append(append(b, e.acct.buckets[0]...), `"}]`...)
}

func s3ObjectRequest(e *eventCtx, b []byte) []byte {
	b = appendKV(append(b, '{'), true, "bucketName", e.acct.buckets[0])
	b = appendKV(b, false, "Host", e.acct.buckets[0]+".s3."+e.region+".amazonaws.com")
	b = append(b, `,"key":"`...)
	b = append(b, pick(e.r, []string{"exports/", "uploads/", "reports/2024/", "tmp/"})...)
	b = append(b, alnum(e.r, 12)...)
	return append(b, `.json"}`...)
}

func s3ObjectResources(e *eventCtx, b []byte) []byte {
	b = append(b, `[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::`...)
	b = append(b, e.acct.buckets[0]...)
	b = append(b, `/"},{"accountId":"`...)
	b = append(b, e.acct.id...)
	b = append(b, `","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::`...)
	return append(append(b, e.acct.buckets[0]...), `"}]`...)
}

func kmsResources(e *eventCtx, b []byte) []byte {
	b = append(b, `[{"accountId":"`...)
	b = append(b, e.acct.id...)
	b = append(b, `","type":"AWS::KMS::Key","ARN":"arn:aws:kms:`...)
	b = append(b, e.region...)
	b = append(b, ':')
	b = append(b, e.acct.id...)
	b = append(b, ":key/"...)
	return append(append(b, pick(e.r, e.acct.keys)...), `"}]`...)
}

var userAgents = []string{
	"aws-cli/2.15.10 Python/3.11.6 Linux/6.1.66-91.160.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/ec2.describe-instances",
	"Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10.205-195.804.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.11",
	"aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/sts#1.26.7",
	"APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.49.13 (go1.21.5; linux; amd64)",
	"console.amazonaws.com",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
}

var invokers = []string{"cloudtrail.amazonaws.com", "lambda.amazonaws.com", "ec2.amazonaws.com", "config.amazonaws.com", "autoscaling.amazonaws.com"}

// appendEvent appends one CloudTrail record, in the member order CloudTrail
// writes. id is the event's UUID.
func appendEvent(b []byte, e *eventCtx, id []byte) []byte {
	r := e.r
	a := &actions[actionTable[r.IntN(len(actionTable))]]
	eventType := a.eventType
	if eventType == "" {
		eventType = "AwsApiCall"
	}
	switch {
	case eventType == "AwsServiceEvent":
		e.id = idAWSService
	case a.name == "ConsoleLogin":
		e.id = idIAMUser
		if r.IntN(10) == 0 {
			e.id = idRoot
		}
	default:
		switch n := r.IntN(100); {
		case n < 45:
			e.id = idAssumedRole
		case n < 72:
			e.id = idIAMUser
		case n < 75:
			e.id = idRoot
		default:
			e.id = idAWSService
		}
	}

	// Services rarely fail their own calls.
	e.failed = e.id != idAWSService && len(a.errors) > 0 && r.IntN(100) < 6

	b = append(b, `{"eventVersion":"`...)
	b = append(b, pick(r, []string{"1.08", "1.09", "1.09", "1.10", "1.11"})...)
	b = append(b, `","userIdentity":`...)
	var caller, invokedBy string
	b, caller, invokedBy = appendIdentity(b, e, eventType)
	b = append(b, `,"eventTime":`...)
	b = appendTime(b, e.time)
	b = appendKV(b, false, "eventSource", a.source)
	b = appendKV(b, false, "eventName", a.name)
	b = appendKV(b, false, "awsRegion", e.region)
	if invokedBy != "" {
		b = appendKV(b, false, "sourceIPAddress", invokedBy)
		b = appendKV(b, false, "userAgent", invokedBy)
	} else {
		b = appendKV(b, false, "sourceIPAddress", pick(r, e.acct.ips))
		b = appendKV(b, false, "userAgent", pick(r, userAgents))
	}
	if e.failed {
		ae := pick(r, a.errors)
		if ae.code != "" {
			b = appendKV(b, false, "errorCode", ae.code)
		}
		svc, _, _ := strings.Cut(a.source, ".")
		msg := strings.NewReplacer("{caller}", caller, "{action}", svc+":"+a.name).Replace(ae.message)
		b = appendKV(b, false, "errorMessage", msg)
	}
	b = appendKey(b, false, "requestParameters")
	b = appendValue(b, e, a.request)
	b = appendKey(b, false, "responseElements")
	if e.failed && a.name != "ConsoleLogin" {
		b = append(b, "null"...)
	} else {
		b = appendValue(b, e, a.response)
	}
	switch {
	case a.source == "s3.amazonaws.com":
		b = append(b, `,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"`...)
		b = append(b, alnum(r, 56)...)
		b = append(b, `","bytesTransferredOut":`...)
		b = appendInt(b, int64(r.IntN(50000)))
		b = append(b, '}')
	case a.name == "ConsoleLogin":
		b = append(b, `,"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true","MobileVersion":"No","MFAUsed":"`...)
		b = append(b, pick(r, []string{"Yes", "No"})...)
		b = append(b, `"}`...)
	}
	b = append(b, `,"requestID":"`...)
	b = append(b, uuid(r, nil)...)
	b = append(b, `","eventID":"`...)
	b = append(b, id...)
	b = append(b, `","readOnly":`...)
	b = appendBool(b, a.readOnly)
	if a.resources != nil {
		b = appendKey(b, false, "resources")
		b = a.resources(e, b)
	}
	b = appendKV(b, false, "eventType", eventType)
	if eventType == "AwsServiceEvent" {
		b = append(b, `,"serviceEventDetails":{"keyId":"`...)
		b = append(b, pick(r, e.acct.keys)...)
		b = append(b, `"}`...)
	}
	b = append(b, `,"managementEvent":`...)
	b = appendBool(b, !a.data)
	b = appendKV(b, false, "recipientAccountId", e.acct.id)
	if a.name == "AssumeRole" && invokedBy != "" {
		b = append(b, `,"sharedEventID":"`...)
		b = append(b, uuid(r, nil)...)
		b = append(b, '"')
	}
	if a.data {
		b = appendKV(b, false, "eventCategory", "Data")
	} else {
		b = appendKV(b, false, "eventCategory", "Management")
	}
	if invokedBy == "" && eventType == "AwsApiCall" {
		host := a.source
		if svc, _, _ := strings.Cut(a.source, "."); svc != "iam" && svc != "health" {
			host = svc + "." + e.region + ".amazonaws.com"
		}
		b = append(b, `,"tlsDetails":{"tlsVersion":"`...)
		b = append(b, pick(r, []string{"TLSv1.3", "TLSv1.3", "TLSv1.2"})...)
		b = append(b, `","cipherSuite":"`...)
		b = append(b, pick(r, []string{"TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"})...)
		b = append(b, '"')
		b = appendKV(b, false, "clientProvidedHostHeader", host)
		b = append(b, '}')
	}
	if e.id == idAssumedRole && r.IntN(4) == 0 {
		b = append(b, `,"sessionCredentialFromConsole":"true"`...)
	}
	return append(b, '}')
}

// appendValue appends what f appends, or null when there is no f.
func appendValue(b []byte, e *eventCtx, f func(*eventCtx, []byte) []byte) []byte {
	if f == nil {
		return append(b, "null"...)
	}
	return f(e, b)
}

// appendIdentity appends the userIdentity object and returns the caller's
// ARN (for error messages) and, for calls made by a service, its name.
func appendIdentity(b []byte, e *eventCtx, eventType string) (_ []byte, caller, invokedBy string) {
	r, acct := e.r, e.acct
	switch e.id {
	case idAWSService:
		invokedBy = pick(r, invokers)
		if eventType == "AwsServiceEvent" {
			// Service events name only the account and the service.
			b = appendKV(append(b, '{'), true, "accountId", acct.id)
			return append(appendKV(b, false, "invokedBy", "kms.amazonaws.com"), '}'), "", "kms.amazonaws.com"
		}
		b = appendKV(append(b, '{'), true, "type", "AWSService")
		return append(appendKV(b, false, "invokedBy", invokedBy), '}'), "", invokedBy
	case idRoot:
		caller = "arn:aws:iam::" + acct.id + ":root"
		b = appendKV(append(b, '{'), true, "type", "Root")
		b = appendKV(b, false, "principalId", acct.id)
		b = appendKV(b, false, "arn", caller)
		b = appendKV(b, false, "accountId", acct.id)
		b = append(b, `,"accessKeyId":"ASIA`...)
		b = append(b, upperAlnum(r, 16)...)
		return append(b, `"}`...), caller, ""
	case idIAMUser:
		u := pick(r, acct.users)
		caller = "arn:aws:iam::" + acct.id + ":user/" + u.name
		b = appendKV(append(b, '{'), true, "type", "IAMUser")
		b = appendKV(b, false, "principalId", u.id)
		b = appendKV(b, false, "arn", caller)
		b = appendKV(b, false, "accountId", acct.id)
		b = append(b, `,"accessKeyId":"AKIA`...)
		b = append(append(b, upperAlnum(r, 16)...), '"')
		b = appendKV(b, false, "userName", u.name)
		return append(b, '}'), caller, ""
	}
	role := pick(r, acct.roles)
	session := pick(r, []string{"alice@example.com", "bob@example.com", "botocore-session-", "aws-go-sdk-", "GitHubActions", "i-0"})
	switch session {
	case "botocore-session-", "aws-go-sdk-":
		session += strconv.FormatInt(e.time-int64(r.IntN(3600)), 10)
	case "i-0":
		session = string(appendHexRand(r, []byte(session), 16))
	}
	caller = "arn:aws:sts::" + acct.id + ":assumed-role/" + role.name + "/" + session
	b = appendKV(append(b, '{'), true, "type", "AssumedRole")
	b = appendKV(b, false, "principalId", role.id+":"+session)
	b = appendKV(b, false, "arn", caller)
	b = appendKV(b, false, "accountId", acct.id)
	b = append(b, `,"accessKeyId":"ASIA`...)
	b = append(b, upperAlnum(r, 16)...)
	b = append(b, `","sessionContext":{"sessionIssuer":{"type":"Role"`...)
	b = appendKV(b, false, "principalId", role.id)
	b = appendKV(b, false, "arn", "arn:aws:iam::"+acct.id+":role/"+role.name)
	b = appendKV(b, false, "accountId", acct.id)
	b = appendKV(b, false, "userName", role.name)
	b = append(b, `},"webIdFederationData":{},"attributes":{"creationDate":`...)
	b = appendTime(b, e.time-int64(r.IntN(3600)))
	b = append(b, `,"mfaAuthenticated":"`...)
	b = append(b, pick(r, []string{"false", "false", "true"})...)
	return append(b, `"}}}`...), caller, ""
}

// uuid returns a random version-4 UUID. If node is not nil, its six bytes
// replace the last six random ones, which makes the UUID unique whenever
// node is.
func uuid(r *rand.Rand, node []byte) string {
	var u [16]byte
	x, y := r.Uint64(), r.Uint64()
	for i := range 8 {
		u[i], u[8+i] = byte(x>>(8*i)), byte(y>>(8*i))
	}
	if node != nil {
		copy(u[10:], node)
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hexInto(b[0:8], u[0:4])
	b[8] = '-'
	hexInto(b[9:13], u[4:6])
	b[13] = '-'
	hexInto(b[14:18], u[6:8])
	b[18] = '-'
	hexInto(b[19:23], u[8:10])
	b[23] = '-'
	hexInto(b[24:36], u[10:16])
	return string(b[:])
}

func hexInto(dst, src []byte) {
	for i, c := range src {
		dst[2*i], dst[2*i+1] = hexDigits[c>>4], hexDigits[c&0xf]
	}
}

func appendHexRand(r *rand.Rand, b []byte, n int) []byte {
	for range n {
		b = append(b, hexDigits[r.IntN(16)])
	}
	return b
}

const (
	alnumChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upperChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

func alnum(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnumChars[r.IntN(len(alnumChars))]
	}
	return string(b)
}

func upperAlnum(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = upperChars[r.IntN(len(upperChars))]
	}
	return string(b)
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }
