-- Threat-hunting queries as a security engineer writes them against
-- CloudTrail Lake: camelCase columns, the bare event data store id pasted
-- after FROM, string timestamps, Trino functions. TestQueryCorpus runs each
-- one over a real dataset and over a generated one and compares the rows
-- with answers computed in Go from the raw trail files (query_corpus_test.go
-- holds one function per entry, under the entry's name).
--
-- Format: an entry starts with a line "-- ==== <name>"; the "-- @key value"
-- lines right after it are its header (@what says what it hunts for); the
-- rest, up to the next entry, is the statement. In the statement $EDS and
-- $EDS2 stand for the ids of two stores holding the same events, and
-- {{name}} for a value the test picks from the dataset (an access key id, a
-- user name, a timestamp), as an analyst pastes one in.

-- ==== console-login-without-mfa
-- @what console sign-ins without MFA
SELECT eventTime, userIdentity.userName, sourceIPAddress, element_at(additionalEventData, 'MFAUsed') AS mfaUsed
FROM $EDS
WHERE eventName = 'ConsoleLogin'
  AND element_at(additionalEventData, 'MFAUsed') = 'No'
  AND eventTime > '2020-01-01 00:00:00'
ORDER BY eventTime, eventID

-- ==== console-login-outcomes
-- @what console sign-ins by identity type and outcome
SELECT userIdentity.type, element_at(responseElements, 'ConsoleLogin') AS outcome, count(*) AS logins
FROM $EDS
WHERE eventSource = 'signin.amazonaws.com' AND eventName = 'ConsoleLogin'
GROUP BY userIdentity.type, element_at(responseElements, 'ConsoleLogin')
ORDER BY 3 DESC, 1, 2

-- ==== root-activity
-- @what anything the root user did
SELECT eventSource, eventName, count(*) AS calls, min(eventTime) AS firstCall
FROM $EDS
WHERE userIdentity.type = 'Root'
  AND eventTime > '2020-01-01 00:00:00'
GROUP BY eventSource, eventName
ORDER BY calls DESC, eventSource, eventName

-- ==== access-key-activity
-- @what what one access key did, and from where
SELECT eventSource, eventName, sourceIPAddress, count(*) AS calls, min(eventTime) AS firstSeen, max(eventTime) AS lastSeen
FROM $EDS
WHERE userIdentity.accessKeyId = '{{accessKey}}'
GROUP BY eventSource, eventName, sourceIPAddress
ORDER BY calls DESC, eventSource, eventName, sourceIPAddress

-- ==== errors-by-principal
-- @what which principals fail most, and how
SELECT userIdentity.arn AS principal, errorCode, count(*) AS errors
FROM $EDS
WHERE errorCode IS NOT NULL
  AND eventTime BETWEEN '2020-01-01 00:00:00' AND '2030-01-01 00:00:00'
GROUP BY userIdentity.arn, errorCode
ORDER BY errors DESC, principal NULLS LAST, errorCode
LIMIT 20

-- ==== access-denied-by-user
-- @what AccessDenied and UnauthorizedOperation by user (or role, or service)
SELECT coalesce(userIdentity.userName, userIdentity.sessionContext.sessionIssuer.userName, userIdentity.invokedBy) AS who,
       eventSource, count(*) AS denied
FROM $EDS
WHERE errorCode = 'AccessDenied' OR errorCode LIKE '%UnauthorizedOperation'
GROUP BY 1, 2
ORDER BY denied DESC, who, eventSource

-- ==== assume-role-from-outside
-- @what roles assumed by callers from another account or by services
SELECT element_at(requestParameters, 'roleArn') AS roleArn, userIdentity.invokedBy, count(*) AS assumptions
FROM $EDS
WHERE eventSource = 'sts.amazonaws.com' AND eventName = 'AssumeRole'
  AND (userIdentity.accountId IS NULL OR userIdentity.accountId <> split_part(element_at(requestParameters, 'roleArn'), ':', 5))
GROUP BY 1, 2
ORDER BY assumptions DESC, roleArn, invokedBy

-- ==== caller-outside-recipient-account
-- @what calls whose caller account is not the recipient account (NULL-safe)
SELECT eventSource, count(*) AS events
FROM $EDS
WHERE userIdentity.accountId IS DISTINCT FROM recipientAccountId
GROUP BY eventSource
ORDER BY events DESC, eventSource

-- ==== security-group-changes
-- @what every security-group change
SELECT eventTime, eventName, userIdentity.arn AS actor, element_at(requestParameters, 'groupId') AS groupId, errorCode
FROM $EDS
WHERE eventSource = 'ec2.amazonaws.com'
  AND eventName IN ('AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress',
                    'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup', 'ModifySecurityGroupRules')
ORDER BY eventTime, eventID

-- ==== security-group-open-to-world
-- @what ingress rules opened to 0.0.0.0/0
SELECT element_at(requestParameters, 'groupId') AS securityGroup, count(*) AS openings
FROM $EDS
WHERE eventName = 'AuthorizeSecurityGroupIngress'
  AND (element_at(requestParameters, 'ipPermissions') LIKE '%0.0.0.0/0%'
       OR element_at(requestParameters, 'cidrIp') = '0.0.0.0/0')
GROUP BY 1
ORDER BY openings DESC, securityGroup

-- ==== iam-persistence
-- @what IAM changes an attacker makes to stay in
SELECT eventName, count(*) AS changes, count_if(errorCode IS NULL) AS succeeded
FROM $EDS
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName IN ('CreateUser', 'CreateLoginProfile', 'UpdateLoginProfile', 'CreateAccessKey', 'AttachUserPolicy',
                    'PutUserPolicy', 'AttachRolePolicy', 'CreateRole', 'UpdateAssumeRolePolicy', 'AddUserToGroup')
GROUP BY eventName
ORDER BY eventName

-- ==== new-iam-users
-- @what users created, by whom, with the new user id from the response
SELECT eventTime, userIdentity.userName AS createdBy, element_at(requestParameters, 'userName') AS newUser,
       json_extract_scalar(element_at(responseElements, 'user'), '$.userId') AS newUserId
FROM $EDS
WHERE eventName = 'CreateUser'
ORDER BY eventTime, newUser, eventID

-- ==== access-keys-created-for-others
-- @what access keys created for another user, with the new key id
SELECT eventTime, userIdentity.arn AS actor, element_at(requestParameters, 'userName') AS keyOwner,
       json_extract_scalar(element_at(responseElements, 'accessKey'), '$.accessKeyId') AS newAccessKeyId
FROM $EDS
WHERE eventName = 'CreateAccessKey'
  AND element_at(requestParameters, 'userName') IS NOT NULL
  AND element_at(requestParameters, 'userName') <> coalesce(userIdentity.userName, '')
ORDER BY eventTime, eventID

-- ==== admin-policy-attached
-- @what AdministratorAccess attached to anyone
SELECT eventTime, eventName,
       coalesce(element_at(requestParameters, 'userName'), element_at(requestParameters, 'roleName')) AS target,
       element_at(requestParameters, 'policyArn') AS policyArn
FROM $EDS
WHERE eventName IN ('AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy')
  AND element_at(requestParameters, 'policyArn') LIKE '%AdministratorAccess'
ORDER BY eventTime, eventID

-- ==== bucket-policy-changes
-- @what bucket policy and ACL changes, with the first grantee of the policy
SELECT eventTime, eventName, element_at(requestParameters, 'bucketName') AS bucket,
       json_extract_scalar(element_at(requestParameters, 'bucketPolicy'), '$.Statement[0].Principal.AWS') AS grantee,
       errorCode
FROM $EDS
WHERE eventSource = 's3.amazonaws.com'
  AND eventName IN ('PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock')
ORDER BY eventTime, eventID

-- ==== trust-policy-backdoor
-- @what trust policies that let another account assume a role (policy text in a map value)
SELECT eventTime, element_at(requestParameters, 'roleName') AS role,
       json_extract_scalar(element_at(requestParameters, 'policyDocument'), '$.Statement[1].Principal.AWS') AS trusted
FROM $EDS
WHERE eventName = 'UpdateAssumeRolePolicy'
ORDER BY eventTime, eventID

-- ==== kms-decrypt-by-principal
-- @what who decrypts with KMS, and how many keys
SELECT coalesce(userIdentity.arn, userIdentity.invokedBy) AS principal, count(*) AS decrypts,
       count(DISTINCT element_at(resources, 1).arn) AS keyCount
FROM $EDS
WHERE eventSource = 'kms.amazonaws.com' AND eventName = 'Decrypt'
GROUP BY 1
ORDER BY decrypts DESC, principal

-- ==== events-per-hour
-- @what activity per hour
SELECT date_trunc('hour', eventTime) AS hour, count(*) AS events, count(DISTINCT userIdentity.arn) AS principals
FROM $EDS
GROUP BY date_trunc('hour', eventTime)
ORDER BY hour

-- ==== error-bursts
-- @what minutes with many failures
SELECT date_trunc('minute', eventTime) AS minute, count(*) AS total, count_if(errorCode IS NOT NULL) AS failed
FROM $EDS
GROUP BY 1
HAVING count_if(errorCode IS NOT NULL) >= 3
ORDER BY failed DESC, minute
LIMIT 10

-- ==== top-source-ips
-- @what the busiest source addresses
SELECT sourceIPAddress, count(*) AS requests, approx_distinct(eventName) AS distinctApis
FROM $EDS
WHERE eventTime > '2020-01-01 00:00:00'
GROUP BY sourceIPAddress
ORDER BY requests DESC, sourceIPAddress
LIMIT 10

-- ==== top-user-agents
-- @what the most common clients, services left out
SELECT userAgent, count(*) AS requests
FROM $EDS
WHERE userAgent NOT LIKE '%amazonaws.com' AND userAgent <> 'AWS Internal'
GROUP BY userAgent
ORDER BY requests DESC, userAgent
LIMIT 5

-- ==== user-agent-families
-- @what client families (first token) and the AWS SDK behind them
SELECT split_part(userAgent, '/', 1) AS agent, regexp_extract(userAgent, 'aws-sdk-[a-z]+') AS sdk, count(*) AS requests
FROM $EDS
GROUP BY 1, 2
ORDER BY requests DESC, agent, sdk NULLS FIRST

-- ==== events-per-region
-- @what regions in use, and by how many accounts
SELECT awsRegion, count(*) AS events, count(DISTINCT recipientAccountId) AS accounts
FROM $EDS
GROUP BY awsRegion
ORDER BY events DESC, awsRegion

-- ==== read-write-ratio
-- @what read-only against mutating calls
SELECT count_if(readOnly) AS reads, count_if(NOT readOnly) AS writes,
       round(CAST(count_if(NOT readOnly) AS double) / count(*), 4) AS writeRatio
FROM $EDS

-- ==== rare-event-names
-- @what APIs called exactly once
SELECT eventSource, eventName
FROM $EDS
GROUP BY eventSource, eventName
HAVING count(*) = 1
ORDER BY eventSource, eventName

-- ==== first-last-seen
-- @what when each principal was first and last seen
SELECT userIdentity.principalId, min(eventTime) AS firstSeen, max(eventTime) AS lastSeen, count(*) AS events
FROM $EDS
WHERE userIdentity.principalId IS NOT NULL
GROUP BY userIdentity.principalId
ORDER BY firstSeen, 1
LIMIT 25

-- ==== secrets-read
-- @what which secrets were read, how often, from how many addresses
SELECT element_at(requestParameters, 'secretId') AS secret, count(*) AS reads, count(DISTINCT sourceIPAddress) AS sourceIps
FROM $EDS
WHERE eventSource = 'secretsmanager.amazonaws.com' AND eventName = 'GetSecretValue'
GROUP BY 1
ORDER BY reads DESC, secret

-- ==== run-instances
-- @what instances launched: type, image and count from nested request parameters
SELECT eventTime, element_at(requestParameters, 'instanceType') AS instanceType,
       json_extract_scalar(element_at(requestParameters, 'instancesSet'), '$.items[0].imageId') AS imageId,
       TRY_CAST(json_extract_scalar(element_at(requestParameters, 'instancesSet'), '$.items[0].maxCount') AS integer) AS maxCount,
       errorCode
FROM $EDS
WHERE eventName = 'RunInstances'
ORDER BY eventTime, eventID

-- ==== kms-key-resources
-- @what calls that touched a KMS key (resources array, lambda)
SELECT eventName, count(*) AS calls, max(cardinality(resources)) AS maxResources
FROM $EDS
WHERE any_match(resources, r -> r.type = 'AWS::KMS::Key')
GROUP BY eventName
ORDER BY calls DESC, eventName

-- ==== multi-resource-events
-- @what events naming several resources, with their types
SELECT eventName, cardinality(resources) AS resourceCount, array_join(transform(resources, r -> r.type), ',') AS types
FROM $EDS
WHERE cardinality(resources) > 1
ORDER BY eventTime, eventID
LIMIT 20

-- ==== role-sessions-by-issuer
-- @what activity of assumed roles, by the role that issued the session
SELECT userIdentity.sessionContext.sessionIssuer.arn, count(*) AS calls, count(DISTINCT userIdentity.principalId) AS sessions
FROM $EDS
WHERE userIdentity.type = 'AssumedRole'
GROUP BY userIdentity.sessionContext.sessionIssuer.arn
ORDER BY calls DESC, 1

-- ==== mfa-authenticated-sessions
-- @what role sessions with and without MFA
SELECT userIdentity.sessionContext.attributes.mfaAuthenticated, count(*)
FROM $EDS
WHERE userIdentity.type = 'AssumedRole'
GROUP BY 1
ORDER BY 1 NULLS FIRST

-- ==== day-of-week
-- @what activity by day of the week (Monday = 1)
SELECT day_of_week(eventTime) AS weekday, count(*) AS events
FROM $EDS
GROUP BY day_of_week(eventTime)
ORDER BY weekday

-- ==== active-minutes-per-user
-- @what how long each user was active
SELECT userIdentity.userName, date_diff('minute', min(eventTime), max(eventTime)) AS activeMinutes, count(*) AS events
FROM $EDS
WHERE userIdentity.userName IS NOT NULL
GROUP BY userIdentity.userName
ORDER BY activeMinutes DESC, 1

-- ==== last-ten-minutes
-- @what the last ten minutes of the data (date_add over a scalar subquery)
SELECT count(*) AS events, count(DISTINCT eventName) AS apis
FROM $EDS
WHERE eventTime >= date_add('minute', -10, (SELECT max(eventTime) FROM $EDS))

-- ==== last-seven-days
-- @what the last week, relative to now
SELECT count(*) AS events, count(DISTINCT eventName) AS apis
FROM $EDS
WHERE eventTime > now() - interval '7' day

-- ==== yesterday-by-service
-- @what yesterday's events by service (UTC days)
SELECT eventSource, count(*) AS events
FROM $EDS
WHERE eventTime >= date_trunc('day', current_timestamp) - interval '1' day
  AND eventTime < date_trunc('day', current_timestamp)
GROUP BY eventSource
ORDER BY events DESC, eventSource

-- ==== after-first-console-login
-- @what what happened in the five minutes after the first console sign-in
SELECT eventName, count(*) AS calls
FROM $EDS
WHERE eventTime BETWEEN (SELECT min(eventTime) FROM $EDS WHERE eventName = 'ConsoleLogin')
                    AND (SELECT min(eventTime) FROM $EDS WHERE eventName = 'ConsoleLogin') + interval '5' minute
GROUP BY eventName
ORDER BY calls DESC, eventName
LIMIT 10

-- ==== mutating-calls
-- @what successful mutating calls (regexp_like)
SELECT eventName, count(*) AS calls
FROM $EDS
WHERE regexp_like(eventName, '^(Create|Delete|Put|Attach|Detach|Update|Modify)')
  AND errorCode IS NULL
GROUP BY eventName
ORDER BY calls DESC, eventName
LIMIT 15

-- ==== assumed-role-names
-- @what role names from session ARNs (regexp_extract with a group)
SELECT regexp_extract(userIdentity.arn, 'assumed-role/([^/]+)/', 1) AS role, count(*) AS calls
FROM $EDS
WHERE userIdentity.type = 'AssumedRole'
GROUP BY 1
ORDER BY calls DESC, role

-- ==== principal-resources
-- @what the resource part of caller ARNs (split_part)
SELECT split_part(userIdentity.arn, ':', 6) AS resource, userIdentity.type, count(*) AS calls
FROM $EDS
WHERE userIdentity.arn IS NOT NULL
GROUP BY 1, 2
ORDER BY calls DESC, resource, 2
LIMIT 10

-- ==== attack-tool-user-agent
-- @what calls made by an attack simulation tool (strpos)
SELECT count(*) AS calls, count(DISTINCT eventName) AS apis, min(eventTime) AS firstCall
FROM $EDS
WHERE strpos(userAgent, 'stratus-red-team') > 0

-- ==== console-login-hosts
-- @what where console sign-ins landed (url_extract_host)
SELECT url_extract_host(element_at(additionalEventData, 'LoginTo')) AS host, count(*) AS logins
FROM $EDS
WHERE eventName = 'ConsoleLogin'
GROUP BY 1
ORDER BY logins DESC, host

-- ==== assume-role-durations
-- @what requested session durations (TRY_CAST of map values)
SELECT max(TRY_CAST(element_at(requestParameters, 'durationSeconds') AS integer)) AS maxDuration,
       count(TRY_CAST(element_at(requestParameters, 'roleArn') AS integer)) AS numericRoleArns,
       count(*) AS assumeRoles
FROM $EDS
WHERE eventName = 'AssumeRole'

-- ==== join-two-stores
-- @what failed calls found in both stores (JOIN across stores)
SELECT a.eventName, count(*) AS matched
FROM $EDS a
JOIN $EDS2 b ON a.eventID = b.eventID
WHERE a.errorCode IS NOT NULL AND b.readOnly = false
GROUP BY a.eventName
ORDER BY matched DESC, a.eventName

-- ==== console-users-activity
-- @what console users and their API calls (LEFT JOIN of two aggregated stores)
SELECT l.userName, l.logins, coalesce(c.calls, 0) AS apiCalls
FROM (SELECT userIdentity.userName AS userName, count(*) AS logins
      FROM $EDS WHERE eventName = 'ConsoleLogin' AND userIdentity.userName IS NOT NULL GROUP BY 1) l
LEFT JOIN (SELECT userIdentity.userName AS userName, count(*) AS calls
           FROM $EDS2 WHERE eventName <> 'ConsoleLogin' GROUP BY 1) c
  ON l.userName = c.userName
ORDER BY l.userName

-- ==== union-iam-sts
-- @what IAM writes and STS calls, one list (UNION)
SELECT eventName FROM $EDS WHERE eventSource = 'iam.amazonaws.com' AND readOnly = false
UNION
SELECT eventName FROM $EDS2 WHERE eventSource = 'sts.amazonaws.com'
ORDER BY eventName

-- ==== union-all-counts
-- @what errors and writes side by side (UNION ALL)
SELECT 'errors' AS kind, count(*) AS n FROM $EDS WHERE errorCode IS NOT NULL
UNION ALL
SELECT 'writes', count(*) FROM $EDS2 WHERE readOnly = false
ORDER BY kind

-- ==== intersect-ips
-- @what addresses that both failed calls and asked who they were (INTERSECT)
SELECT sourceIPAddress FROM $EDS WHERE errorCode IS NOT NULL
INTERSECT
SELECT sourceIPAddress FROM $EDS2 WHERE eventName = 'GetCallerIdentity'
ORDER BY sourceIPAddress

-- ==== except-users
-- @what APIs one user called that another never did (EXCEPT)
SELECT eventName FROM $EDS WHERE userIdentity.userName = '{{user1}}'
EXCEPT
SELECT eventName FROM $EDS WHERE userIdentity.userName = '{{user2}}'
ORDER BY eventName

-- ==== writes-from-denied-ips
-- @what successful writes from addresses that were denied something (IN subquery)
SELECT userIdentity.arn, eventName, count(*) AS calls
FROM $EDS
WHERE sourceIPAddress IN (SELECT sourceIPAddress FROM $EDS WHERE errorCode = 'AccessDenied')
  AND errorCode IS NULL AND readOnly = false
GROUP BY 1, 2
ORDER BY calls DESC, 1, 2
LIMIT 15

-- ==== share-of-events
-- @what each service's share of all events (scalar subquery)
SELECT eventSource, count(*) AS events, round(100 * CAST(count(*) AS double) / (SELECT count(*) FROM $EDS), 2) AS pct
FROM $EDS
GROUP BY eventSource
ORDER BY events DESC, eventSource
LIMIT 5

-- ==== failure-rate-cte
-- @what failure rate of each principal (WITH)
WITH failures AS (
    SELECT userIdentity.arn AS who, count(*) AS n FROM $EDS WHERE errorCode IS NOT NULL GROUP BY 1
), totals AS (
    SELECT userIdentity.arn AS who, count(*) AS n FROM $EDS GROUP BY 1
)
SELECT t.who, f.n AS failures, t.n AS total, round(CAST(f.n AS double) / t.n, 3) AS failureRate
FROM totals t
JOIN failures f ON t.who = f.who
ORDER BY failures DESC, t.who

-- ==== latest-call-per-principal
-- @what each principal's latest call (row_number over a partition)
SELECT principal, eventName, eventTime
FROM (
    SELECT userIdentity.arn AS principal, eventName, eventTime,
           row_number() OVER (PARTITION BY userIdentity.arn ORDER BY eventTime DESC, eventID DESC) AS rn
    FROM $EDS
    WHERE userIdentity.arn IS NOT NULL
)
WHERE rn = 1
ORDER BY eventTime DESC, principal
LIMIT 20

-- ==== top-api-per-service
-- @what each service's most called API (rank over a partition)
SELECT eventSource, eventName, n
FROM (
    SELECT eventSource, eventName, count(*) AS n,
           rank() OVER (PARTITION BY eventSource ORDER BY count(*) DESC) AS rnk
    FROM $EDS
    GROUP BY eventSource, eventName
)
WHERE rnk = 1
ORDER BY n DESC, eventSource, eventName

-- ==== running-total-per-hour
-- @what events per hour with a running total (window over an aggregate)
SELECT date_trunc('hour', eventTime) AS hour, count(*) AS events,
       sum(count(*)) OVER (ORDER BY date_trunc('hour', eventTime)) AS runningTotal
FROM $EDS
GROUP BY 1
ORDER BY 1

-- ==== s3-errors-nulls-first
-- @what S3 outcomes, successes (NULL) first
SELECT errorCode, count(*) AS n
FROM $EDS
WHERE eventSource = 's3.amazonaws.com'
GROUP BY errorCode
ORDER BY errorCode ASC NULLS FIRST

-- ==== first-sources
-- @what the first few services, by name (DISTINCT, a date-only literal)
SELECT DISTINCT eventSource
FROM $EDS
WHERE eventTime >= '2020-01-01'
ORDER BY eventSource
LIMIT 5

-- ==== vpc-endpoints
-- @what calls through VPC endpoints
SELECT vpcEndpointId, eventSource, count(*) AS calls
FROM $EDS
WHERE vpcEndpointId IS NOT NULL
GROUP BY vpcEndpointId, eventSource
ORDER BY calls DESC, vpcEndpointId, eventSource

-- ==== tls-versions
-- @what TLS versions in use
SELECT tlsDetails.tlsVersion, count(*) AS calls
FROM $EDS
GROUP BY tlsDetails.tlsVersion
ORDER BY 1 NULLS LAST

-- ==== credential-access
-- @what attempts to read passwords, secrets and parameters
SELECT userIdentity.arn, count(*) AS attempts, count_if(errorCode IS NOT NULL) AS failures, min(eventTime) AS firstAttempt
FROM $EDS
WHERE eventName IN ('GetPasswordData', 'GetSecretValue', 'GetParameter', 'GetParameters')
GROUP BY userIdentity.arn
ORDER BY attempts DESC, 1

-- ==== trail-tampering
-- @what attempts to stop or delete trails
SELECT eventTime, eventName, element_at(requestParameters, 'name') AS trail, errorCode, sourceIPAddress
FROM $EDS
WHERE eventSource = 'cloudtrail.amazonaws.com'
  AND eventName IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors')
ORDER BY eventTime, eventID

-- ==== snapshot-sharing
-- @what snapshots shared with another account (unnamed column)
SELECT element_at(requestParameters, 'snapshotId'),
       json_extract_scalar(element_at(requestParameters, 'createVolumePermission'), '$.add.items[0].userId') AS sharedWith,
       eventTime
FROM $EDS
WHERE eventName = 'ModifySnapshotAttribute'
ORDER BY eventTime, eventID

-- ==== outcomes
-- @what successes, throttles and failures (CASE)
SELECT CASE WHEN errorCode IS NULL THEN 'success'
            WHEN errorCode LIKE '%Throttl%' THEN 'throttled'
            ELSE 'failure' END AS outcome,
       count(*) AS n
FROM $EDS
GROUP BY 1
ORDER BY n DESC, outcome

-- ==== events-per-hour-formatted
-- @what hourly buckets as text (date_format)
SELECT date_format(eventTime, '%Y-%m-%d %H:00') AS hour, count(*) AS events
FROM $EDS
GROUP BY 1
ORDER BY 1

-- ==== epoch-range
-- @what the time range in Unix seconds (to_unixtime)
SELECT to_unixtime(min(eventTime)) AS firstEpoch, CAST(to_unixtime(max(eventTime)) AS bigint) AS lastEpoch
FROM $EDS

-- ==== request-parameter-keys
-- @what calls naming a bucket, and calls without parameters (map_keys, contains)
SELECT count_if(contains(map_keys(requestParameters), 'bucketName')) AS withBucketName,
       count_if(requestParameters IS NULL) AS noParameters
FROM $EDS

-- ==== host-header-from-event-json
-- @what the host header clients sent to EC2, read from the raw event (eventJson)
SELECT json_extract_scalar(eventJson, '$.tlsDetails.clientProvidedHostHeader') AS host, count(*) AS calls
FROM $EDS
WHERE eventSource = 'ec2.amazonaws.com'
GROUP BY 1
ORDER BY calls DESC, host
LIMIT 5

-- ==== service-events
-- @what events without an identity type (service events)
SELECT eventType, userIdentity.invokedBy, count(*) AS events
FROM $EDS
WHERE userIdentity.type IS NULL
GROUP BY eventType, userIdentity.invokedBy
ORDER BY events DESC, 2

-- ==== first-second
-- @what every event of the first second of the data (string timestamp equality)
SELECT eventName, eventID
FROM $EDS
WHERE eventTime = '{{firstTime}}'
ORDER BY eventID

-- ==== case-insensitive-fields
-- @what role sessions, struct fields spelled in any case (labels keep the spelling)
SELECT DISTINCT useridentity.ARN, USERIDENTITY.sessioncontext.SESSIONISSUER.userName
FROM $EDS
WHERE UserIdentity.Type = 'AssumedRole'
ORDER BY 1

-- ==== quoted-identifiers
-- @what STS calls, with quoted names and a quoted alias with a space
SELECT "eventName", count(*) AS "Event Count"
FROM "$EDS"
WHERE "eventSource" = 'sts.amazonaws.com'
GROUP BY "eventName"
ORDER BY "Event Count" DESC, "eventName"

-- ==== failures-by-service-filter
-- @what calls and failures by service (aggregate FILTER)
SELECT eventSource, count(*) AS calls, count(*) FILTER (WHERE errorCode IS NOT NULL) AS failed
FROM $EDS
GROUP BY eventSource
ORDER BY failed DESC, eventSource
LIMIT 8

-- ==== failed-writes-exists
-- @what writes that failed, checked in the other store (correlated EXISTS)
SELECT count(*) AS failedWrites
FROM $EDS a
WHERE a.readOnly = false
  AND EXISTS (SELECT 1 FROM $EDS2 b WHERE b.eventID = a.eventID AND b.errorCode IS NOT NULL)

-- ==== last-resource
-- @what the last resource each call names (element_at with a negative index)
SELECT element_at(resources, -1).arn AS lastResource, count(*) AS calls
FROM $EDS
WHERE cardinality(resources) > 0
GROUP BY 1
ORDER BY calls DESC, lastResource
LIMIT 10

-- ==== user-region-pairs
-- @what which users work in which regions (lower, ||)
SELECT DISTINCT lower(userIdentity.userName) || '@' || awsRegion AS login
FROM $EDS
WHERE userIdentity.type = 'IAMUser'
ORDER BY login

-- ==== events-per-day
-- @what events per calendar day (CAST to date)
SELECT CAST(eventTime AS date) AS day, count(*) AS events
FROM $EDS
GROUP BY CAST(eventTime AS date)
ORDER BY day

-- ==== hour-of-day
-- @what activity by hour of the day
SELECT hour(eventTime) AS hourOfDay, count(*) AS events
FROM $EDS
GROUP BY hour(eventTime)
ORDER BY hourOfDay

-- ==== around-a-moment
-- @what half an hour before a moment given in ISO 8601 (from_iso8601_timestamp, TIMESTAMP literal)
SELECT count(*) AS recent, count_if(eventTime < TIMESTAMP '{{midTime}}') AS earlier
FROM $EDS
WHERE eventTime >= from_iso8601_timestamp('{{midIso}}') - interval '30' minute

-- ==== time-as-text
-- @gap CAST(eventTime AS varchar) prints DuckDB's TIMESTAMPTZ text (2023-07-10 11:42:18+00), not Trino's 2023-07-10 11:42:18.000
-- @what first and last event time as text (CAST to varchar, date_format, format_datetime)
SELECT CAST(min(eventTime) AS varchar) AS firstText, date_format(min(eventTime), '%H:%i:%s') AS firstClock,
       format_datetime(max(eventTime), 'yyyy-MM-dd HH:mm') AS lastMinute
FROM $EDS

-- ==== average-session-duration
-- @what average and total requested session length (avg, sum of TRY_CAST)
SELECT avg(TRY_CAST(element_at(requestParameters, 'durationSeconds') AS integer)) AS avgDuration,
       sum(TRY_CAST(element_at(requestParameters, 'durationSeconds') AS integer)) AS totalSeconds
FROM $EDS
WHERE eventName = 'AssumeRole'

-- ==== apis-per-service-listagg
-- @gap listagg(x, sep) WITHIN GROUP (ORDER BY y) is not rewritten yet (DuckDB: string_agg(x, sep ORDER BY y))
-- @what the APIs of two services, one line each (listagg)
SELECT eventSource, listagg(eventName, ',') WITHIN GROUP (ORDER BY eventName) AS apis
FROM (SELECT DISTINCT eventSource, eventName FROM $EDS WHERE eventSource IN ('cloudtrail.amazonaws.com', 'sts.amazonaws.com'))
GROUP BY eventSource
ORDER BY eventSource

-- ==== comma-join
-- @what console sign-ins present in both stores (implicit join)
SELECT count(*) AS pairs
FROM $EDS a, $EDS2 b
WHERE a.eventID = b.eventID AND a.eventName = 'ConsoleLogin'

-- ==== busy-apis
-- @what APIs called more than 50 times, busiest first (ORDER BY an aggregate not selected)
SELECT eventName
FROM $EDS
GROUP BY eventName
HAVING count(*) > 50
ORDER BY count(*) DESC, eventName

-- ==== identity-types
-- @what the kinds of identity seen
SELECT DISTINCT userIdentity.type
FROM $EDS
ORDER BY 1 NULLS FIRST

-- ==== first-day
-- @what the events of the first day (DATE literal plus an interval)
SELECT count(*) AS events
FROM $EDS
WHERE eventTime >= DATE '{{firstDate}}' AND eventTime < DATE '{{firstDate}}' + interval '1' day

-- ==== client-tools
-- @what calls from boto3 and from Terraform (case-insensitive regexp_like)
SELECT count_if(regexp_like(userAgent, '(?i)boto3')) AS boto3Calls, count_if(regexp_like(userAgent, '(?i)terraform')) AS terraformCalls
FROM $EDS

-- ==== next-busiest-apis
-- @what the 4th to 8th busiest APIs (OFFSET)
SELECT eventName, count(*) AS calls
FROM $EDS
GROUP BY eventName
ORDER BY calls DESC, eventName
OFFSET 3
LIMIT 5

-- ==== sts-outcomes
-- @what STS outcomes by non-user identity type (coalesce, nullif)
SELECT coalesce(errorCode, 'OK') AS status, nullif(userIdentity.type, 'IAMUser') AS nonUserType, count(*) AS n
FROM $EDS
WHERE eventSource = 'sts.amazonaws.com'
GROUP BY 1, 2
ORDER BY n DESC, status, nonUserType NULLS FIRST

-- ==== user-read-write-balance
-- @what whether each user mostly reads or writes (greatest, least)
SELECT userIdentity.userName, greatest(count_if(readOnly), count_if(NOT readOnly)) AS dominant,
       least(min(eventTime), max(eventTime)) AS firstCall
FROM $EDS
WHERE userIdentity.userName IS NOT NULL
GROUP BY 1
ORDER BY 1

-- ==== defense-evasion-calls
-- @what calls that blind the defenders (contains on an ARRAY literal)
SELECT eventName, count(*) AS calls
FROM $EDS
WHERE contains(ARRAY['StopLogging', 'DeleteTrail', 'DeleteFlowLogs', 'DeleteDetector', 'DisableKey'], eventName)
GROUP BY eventName
ORDER BY eventName

-- ==== resource-type-flags
-- @what calls naming a bucket, and calls naming an untyped resource (filter, cardinality)
SELECT count_if(cardinality(filter(resources, r -> r.type = 'AWS::S3::Bucket')) > 0) AS touchesBucket,
       count_if(cardinality(filter(resources, r -> r.type IS NULL)) > 0) AS untypedResource
FROM $EDS

-- ==== iam-parameter-shapes
-- @what the sets of parameter names IAM calls carry (map_keys, array_sort, array_join)
SELECT array_join(array_sort(map_keys(requestParameters)), ',') AS parameterNames, count(*) AS calls
FROM $EDS
WHERE eventSource = 'iam.amazonaws.com' AND requestParameters IS NOT NULL
GROUP BY 1
ORDER BY calls DESC, parameterNames
LIMIT 10

-- ==== agent-shapes
-- @what client names with version numbers masked (regexp_replace)
SELECT regexp_replace(split_part(userAgent, ' ', 1), '[0-9]+', 'N') AS agentShape, count(*) AS calls
FROM $EDS
GROUP BY 1
ORDER BY calls DESC, agentShape
LIMIT 10

-- ==== longest-silence
-- @what each IAM user's longest pause between two calls (lag over a partition)
SELECT principal, max(gapSeconds) AS longestGap
FROM (
    SELECT userIdentity.arn AS principal,
           date_diff('second', lag(eventTime) OVER (PARTITION BY userIdentity.arn ORDER BY eventTime), eventTime) AS gapSeconds
    FROM $EDS
    WHERE userIdentity.type = 'IAMUser'
)
GROUP BY principal
ORDER BY longestGap DESC NULLS LAST, principal

-- ==== resources-unnested
-- @gap UNNEST of an array of rows with column aliases gives one struct column, not one column per field
-- @what resources by type, one row per resource (CROSS JOIN UNNEST of the resources array)
SELECT res.type, count(*) AS mentions, count(DISTINCT res.arn) AS distinctResources
FROM $EDS
CROSS JOIN UNNEST(resources) AS res (accountId, type, arn, arnPrefix)
GROUP BY res.type
ORDER BY mentions DESC, 1 NULLS LAST

-- ==== days-ago
-- @what how old the data is (date_diff against now)
SELECT max(date_diff('day', eventTime, now())) AS oldestDaysAgo, min(date_diff('day', eventTime, now())) AS newestDaysAgo
FROM $EDS

-- ==== event-id-prefixes
-- @what events by the first characters of their id (substr, length)
SELECT substr(eventID, 1, 2) AS idPrefix, count(*) AS events, max(length(userAgent)) AS longestAgent
FROM $EDS
GROUP BY 1
ORDER BY events DESC, idPrefix
LIMIT 5
