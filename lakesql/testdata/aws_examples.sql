-- CloudTrail Lake queries as AWS publishes them, for TestAWSExamples: each
-- must translate and then run on DuckDB over the test stores without error.
--
-- Sources: the example queries of the AWS CloudTrail user guide
-- (awsdocs/aws-cloudtrail-user-guide, doc_source/query-lake-examples.md,
-- cited as [D-2023] in the spec) and the sample queries of
-- aws-samples/cloud-trail-lake-query-samples (MIT-0), one file each, named
-- in each entry's header. The entries are retyped, not copied byte for byte:
-- they keep each source's SQL (functions, predicates, aliases, comments) and
-- its formatting quirks (a parenthesis on its own line, ")ORDER BY" without a
-- space, tabs, a trailing ";", a leading comment block), with the store id
-- filled in where the source has a placeholder ($EDS_ID, <EDS ID>,
-- event_data_store_ID) and '2023-06-20 00:00:00' where it has
-- '${date_filter}'. Time ranges are the sources' own, so some queries find
-- no rows; running without error is what is checked.
--
-- Format: each entry starts with a line "-- ==== " and its source.

-- ==== user guide, "Find all principal user identities who called CreateBucket on January 22, 2023"
SELECT
    userIdentity.principalid,
    eventName
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    userIdentity.principalid IS NOT NULL
AND
    eventTime > '2023-01-22 00:00:00'
AND
    eventTime < '2023-01-23 00:00:00'
AND
    eventName='CreateBucket'

-- ==== user guide, "Find all APIs that a user called on January 22, 2023"
SELECT
    eventID,
    eventName,
    eventSource,
    eventTime
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    userIdentity.username = 'bob'
AND
    eventTime > '2023-01-22 00:00:00'
AND
    eventTime < '2023-01-23 00:00:00'

-- ==== user guide, "Find the number of API calls since January 1, 2023, grouped by eventName and eventSource"
SELECT
    eventSource,
    eventName,
    COUNT(*) AS apiCount
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    eventTime > '2023-01-01 00:00:00'
GROUP BY
    eventSource, eventName
ORDER BY
    apiCount DESC

-- ==== user guide, "Find all users who signed in to the console in a set of Regions"
SELECT
    eventTime,
    useridentity.arn,
    awsRegion
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    awsRegion in ('us-east-1', 'us-west-2')
AND
    eventName = 'ConsoleLogin'

-- ==== user guide, "Find all CloudTrail Lake queries that were run in January 2023"
SELECT
    element_at(responseElements, 'queryId'),
    element_at(requestParameters, 'queryStatement')
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    eventName='StartQuery'
AND
    eventSource = 'cloudtrail.amazonaws.com'
AND
    responseElements IS NOT NULL
AND
    eventTime > '2023-01-01 00:00:00'
AND
    eventTime < '2023-02-01 00:00:00'

-- ==== user guide (query results section), the statement shown inside a result row
select * from 03543d1c-054c-4016-95ae-1f8faef24485 limit 1;

-- ==== aws-samples console-login-with-no-mfa.sql
/* Console logins without MFA.
Replace the store id with yours.
*/

SELECT
    *
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    eventsource = 'signin.amazonaws.com'
    AND eventname = 'ConsoleLogin'
    AND Element_at(additionaleventdata, 'MFAUsed'
    ) = 'No'

-- ==== aws-samples cross-account-access.sql
/* Cross-account access. */


SELECT
    userIdentity.principalid, eventName, eventSource, userIdentity.accountId, recipientAccountId, requestParameters, eventTime
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    eventTime > '2022-04-30 00:00:00'
    AND eventTime < '2023-06-01 00:00:00'
    AND userIdentity.accountId != recipientAccountId

-- ==== aws-samples data-by-week-day.sql
/* Data events by day of the week. */

SELECT
    day_of_week(eventTime
    ) as weekday,  COUNT(*
    ) as eventCount
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    eventTime > '2022-01-01 00:00:00'
    AND eventTime < '2024-01-01 00:00:00'
    AND eventCategory = 'Data'
GROUP
    BY day_of_week(eventTime
    )ORDER BY day_of_week(eventTime
    )

-- ==== aws-samples ec2-public-security-group.sql
/*
Security groups opened to 0.0.0.0/0.
*/

-- the AuthorizeSecurityGroupIngress half
SELECT
    eventName,
    userIdentity.arn AS user,
    sourceIPAddress,
    eventTime,
    eventSource,
    element_at(requestParameters, 'groupId') AS securityGroup,
    element_at(requestParameters, 'ipPermissions') AS securityGroupRule
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    eventTime >= '2023-07-06 00:00:00'
    AND eventTime <= '2023-07-08 00:00:00'
    AND eventName = 'AuthorizeSecurityGroupIngress'
    AND element_at(requestParameters, 'ipPermissions') LIKE '%0.0.0.0/0%' -- public rules only

UNION ALL

-- the ModifySecurityGroupRules half
SELECT
    eventName,
    userIdentity.arn AS user,
    sourceIPAddress,
    eventTime,
    eventSource,
    json_extract_scalar(element_at(requestParameters, 'ModifySecurityGroupRulesRequest'), '$.GroupId') securityGroup,
    element_at(requestParameters, 'ModifySecurityGroupRulesRequest') securityGroupRule
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
	eventTime >= '2023-07-06 00:00:00'
    AND eventTime <= '2023-07-09 00:00:00'
	AND eventName = 'ModifySecurityGroupRules'
    AND element_at(requestParameters, 'ModifySecurityGroupRulesRequest') LIKE '%0.0.0.0/0%'  -- public rules only
ORDER
    BY eventTime DESC

-- ==== aws-samples list-all-events-in-a-flatten-table-format.sql
/* Every attribute of the objects, one column each. */

SELECT
    eventVersion,
    userIdentity.principalID,
    userIdentity.arn,
    userIdentity.accountID,
    userIdentity.accessKeyID,
    userIdentity.username,
    userIdentity.sessionContext.attributes.creationDate,
    userIdentity.sessionContext.attributes.mfaAuthenticated,
    userIdentity.sessionContext.sessionIssuer.type,
    userIdentity.sessionContext.sessionIssuer.principalID,
    userIdentity.sessionContext.sessionIssuer.arn,
    userIdentity.sessionContext.sessionIssuer.accountID,
    userIdentity.sessionContext.sessionIssuer.username,
    userIdentity.sessionContext.webidfederationData.federatedProvider,
    userIdentity.sessionContext.webidfederationData.attributes,
    userIdentity.sessionContext.sourceIdentity,
    userIdentity.sessionContext.ec2RoleDelivery,
    userIdentity.sessionContext.ec2IssuedInVPC,
    userIdentity.invokedBy,
    userIdentity.identityProvider,
    eventTime,
    eventSource,
    eventName,
    awsRegion,
    sourceIpAddress,
    userAgent,
    errorCode,
    errorMessage,
    requestParameters,
    responseElements,
    additionalEventData,
    requestID,
    eventID,
    readOnly,
    resources,
    eventType,
    apiVersion,
    managementEvent,
    recipientAccountID,
    sharedEventID,
    annotation,
    vpcEndPointID,
    serviceEventDetails,
    addendum,
    edgeDeviceDetails,
    insightDetails,
    eventCategory,
    tlsDetails.tlsVersion,
    tlsDetails.cipherSuite,
    tlsDetails.clientProvidedHostHeader,
    sessionCredentialFromConsole,
    eventJson,
    eventJsonChecksum
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE eventTime >= '2023-06-20 00:00:00'
    AND eventTime <= '2023-06-20 00:00:00'
    -- add filters here

-- ==== aws-samples s3-buckets-public-access-block-historical-changes.sql
/* Public access block changes of a bucket. */

SELECT
	element_at(requestParameters, 'bucketName') AS bucketName,
    json_extract_scalar(element_at(requestParameters, 'PublicAccessBlockConfiguration'), '$.RestrictPublicBuckets') AS restrictPublicBuckets,
    json_extract_scalar(element_at(requestParameters, 'PublicAccessBlockConfiguration'), '$.BlockPublicPolicy') AS blockPublicPolicy,
    element_at(requestParameters, 'PublicAccessBlockConfiguration') AS publicAccessBlockConfiguration,
    eventName,
    eventTime,
    requestParameters,
    userIdentity.arn AS user,
    responseElements
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    eventTime >= '2023-01-07 00:00:00'
    AND eventSource = 's3.amazonaws.com'
    and element_at(requestParameters, 'bucketName') = 'acme-logs'
    and eventName IN ('PutPublicAccessBlock', 'DeletePublicAccessBlock', 'PutBucketPublicAccessBlock', 'CreateBucket')
ORDER BY
	bucketName,
    eventTime DESC


-- ==== aws-samples SelfAssumeRole.sql
/* Roles that assume themselves. */


SELECT
    eventid, eventtime, userIdentity.sessioncontext.sessionissuer.arn as RoleARN, userIdentity.principalId as RoleIdColonRoleSessionName
from
    03543d1c-054c-4016-95ae-1f8faef24485
where
    eventSource = 'sts.amazonaws.com'
    and eventName = 'AssumeRole'
    and userIdentity.type = 'AssumedRole'
    and errorcode IS NULL
    and userIdentity.sessioncontext.sessionissuer.arn = element_at(resources,1
    ).arn

-- ==== aws-samples tls-unsupported-version.sql
/* Calls over old TLS versions. */

SELECT
    eventSource,
    tlsDetails.tlsVersion,
    sourceIPAddress,
    recipientAccountId,
    COUNT(*) AS numOutdatedTlsCalls
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    eventTime >= '2023-01-01 00:00:00' -- a start
    AND eventTime <= '2023-06-27 00:00:00' -- an end
    AND tlsDetails.tlsVersion LIKE 'TLSv%'
    AND CAST(REPLACE(tlsDetails.tlsVersion, 'TLSv', '') AS DOUBLE) <= 1.1
GROUP BY
    eventSource,
    tlsDetails.tlsVersion,
    sourceIPAddress,
    recipientAccountId
ORDER BY
    numOutdatedTlsCalls DESC

-- ==== aws-samples iam-idc-user-count-and-group-activity.sql
/* Activity of an IAM Identity Center user. */

SELECT eventSource, eventName, COUNT(*) AS apiCount
FROM 03543d1c-054c-4016-95ae-1f8faef24485
WHERE userIdentity.principalId LIKE '%alice@example.com'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
GROUP BY eventSource, eventName
ORDER BY apiCount DESC

-- ==== aws-samples list-all-manually-created-resources.sql
/*Resources created outside CloudFormation.*/

SELECT
    userIdentity.arn AS user, userIdentity, eventTime, eventSource, eventName, awsRegion, requestParameters, resources, requestID, eventID
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    (eventName LIKE '%Create%'
        OR eventName LIKE '%Update%'
        OR eventName LIKE '%Put%'
        OR eventName LIKE '%Delete%'
    )
    AND resources IS NOT NULL
    AND userIdentity.sessioncontext.sessionissuer.username NOT LIKE 'AWSServiceRole%'
    AND userIdentity.sessioncontext.sessionissuer.username NOT IN (''
    )
    AND sourceIpAddress != 'cloudformation.amazonaws.com'ORDER BY eventTime DESC

-- ==== aws-samples iam-principal-by-launched-ec2-instance-id.sql
/* Who launched an instance. */

SELECT userIdentity.principalid, eventName, eventTime, recipientAccountId, awsRegion
FROM 03543d1c-054c-4016-95ae-1f8faef24485
WHERE responseElements IS NOT NULL AND
element_at(responseElements, 'instancesSet') like '%"instanceId":"i-b188560f"%'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
AND eventName='RunInstances'

-- ==== aws-samples network-activity-events-vpce-access-denied.sql
/* Network activity denied by a VPC endpoint policy. */

SELECT count(*) as VPCAccessDenied,
    userIdentity.arn,
    userIdentity.accountid,
    eventName,
    errorMessage,
    vpcEndpointId,
    vpcEndpointAccountId,
    sourceIPAddress
FROM 03543d1c-054c-4016-95ae-1f8faef24485
WHERE eventCategory = 'NetworkActivity'
    AND errorCode = 'VpceAccessDenied'
    AND eventTime >= '2023-06-20 00:00:00'
    AND eventTime <= '2023-06-20 00:00:00'
GROUP BY
    userIdentity.arn,
    userIdentity.accountid,
    eventName,
    errorMessage,
    vpcEndpointId,
    vpcEndpointAccountId,
    sourceIPAddress
ORDER BY eventName DESC

-- ==== aws-samples bedrock-model-invocation.sql
/*
    Bedrock model invocations.
*/

SELECT
    eventTime,
    eventName,
    userIdentity.arn AS userArn,
    userIdentity.type AS identityType,
    sourceIPAddress,
    userAgent,
    awsRegion,
    errorCode,
    errorMessage
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    eventSource = 'bedrock.amazonaws.com'
    AND eventName IN ('InvokeModel', 'InvokeModelWithResponseStream')
    AND eventTime >= '2023-06-20 00:00:00'
    AND eventTime <= '2023-06-20 00:00:00'
ORDER BY eventTime DESC;



-- ==== aws-samples tag-history-by-resource.sql
/* Tag history of resources. */

SELECT
    awsRegion, eventSource, json_extract_scalar(eventjson, '$.requestParameters.resourcesSet.items[0].resourceId'
    ) as resourceId, eventTime, eventName, json_extract_scalar(eventjson, '$.requestParameters.tagSet.items[0].key'
    ) as key, json_extract_scalar(eventjson, '$.requestParameters.tagSet.items[0].value'
    ) as value, useridentity.arn as identityarn
from
    03543d1c-054c-4016-95ae-1f8faef24485
where
    eventTime > '2022-01-01 00:00:00'
    and eventName in ('CreateTags','DeleteTags','CreateBucket'
    )order by resourceId,key,eventTime desc

-- ==== aws-samples list-all-S3-PutObjects-Encryption-status.sql
/* Encryption of uploaded objects.*/

/*Prerequisites: S3 data events.
*/

select
    recipientAccountId, eventTime, element_at(requestParameters,'bucketName'
    ) AS S3BUCKET , element_at(requestParameters,'key'
    ) AS S3OBJECT, element_at(requestParameters,'x-amz-server-side-encryption'
    ) AS ReqENCRYPTION,element_at(responseElements,'x-amz-server-side-encryption'
    ) AS RespENCRYPTION
from
    03543d1c-054c-4016-95ae-1f8faef24485
where
    eventName='PutObject' order by eventTime desc

-- ==== aws-samples iam-role-assumed-by-iam-access-key.sql
/*
Roles assumed with a user's access key.
*/

SELECT requestParameters,responseElements
FROM 03543d1c-054c-4016-95ae-1f8faef24485
WHERE eventName = 'AssumeRole'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
AND userIdentity.accessKeyId = 'AKIAIOSFODNN7EXAMPLE';

-- ==== aws-samples cloudformation-stacksets-service-managed-investigation.sql
/* The StackSet behind a service-managed operation. */


SELECT
    userIdentity.principalId,
    element_at(requestParameters, 'stackSetName') as stackSetName,
    eventName,
    eventTime,
    sourceIPAddress
FROM
    03543d1c-054c-4016-95ae-1f8faef24485
WHERE
    eventName LIKE '%StackSet'
    AND eventTime > '2022-10-20 00:00:00'
    AND eventTime < '2024-10-25 00:00:00'
    AND element_at(requestParameters, 'stackSetName') IN (
        SELECT
            regexp_replace(
                element_at(requestParameters, 'stackName'),
                '^StackSet-|(-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$'
            ) AS stackName
        FROM
            03543d1c-054c-4016-95ae-1f8faef24485
        WHERE
            eventName LIKE '%Stack'
            AND userIdentity.principalId IN (
                SELECT
                    userIdentity.principalid
                FROM
                    03543d1c-054c-4016-95ae-1f8faef24485
                WHERE
                    eventID = 'e2'
            )
    )

-- ==== spec §6.1, the lambda form seen in real CloudTrail Lake SQL
SELECT eventName, eventTime FROM 03543d1c-054c-4016-95ae-1f8faef24485
WHERE any_match(resources, x -> x.type = 'AWS::S3::Bucket')
  AND cardinality(filter(resources, x -> x.arn LIKE '%acme%')) > 0
  AND contains(map_keys(requestParameters), 'bucketName')
  AND eventTime > '2020-01-01'

-- ==== aws-samples users-by-account.sql and logs-by-region.sql (their shape: counts grouped by one column)
SELECT useridentity.accountid, COUNT(*) AS eventCount
FROM 03543d1c-054c-4016-95ae-1f8faef24485
WHERE eventTime > '2022-01-01 00:00:00'
GROUP BY useridentity.accountid
ORDER BY eventCount DESC
