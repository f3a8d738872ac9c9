-- CloudTrail Lake queries as AWS publishes them, the one copy read by
-- e2e's TestQueryCorpus (over a running server, rows compared with answers
-- computed from the raw trail files) and lakesql's TestAWSExamples
-- (translated and run on DuckDB). Entries are pasted unchanged but for the
-- last ones, marked @retyped. Each entry is the source's text byte for byte (comments,
-- trailing blanks, quirks such as ")ORDER BY" or "count (*)"); the test
-- substitutes only the event data store id for the placeholder the source
-- uses (@placeholder). Where a source's time range misses the test data the
-- query finds no rows, which is still its right answer.
--
-- Sources: the example queries of the AWS CloudTrail user guide
-- (awsdocs/aws-cloudtrail-user-guide, doc_source/query-lake-examples.md) and
-- the sample queries of aws-samples/cloud-trail-lake-query-samples (MIT-0),
-- each with its path and commit in @source. Two samples lost their line
-- breaks upstream ("errorMessageORDER BY ... DESCLIMIT", "...': select") and
-- are not SQL: Trino refuses them, so their answer is
-- InvalidQueryStatementException (@expect).
--
-- Format (package sqlcorpus reads it): as hunting.sql: "-- ==== <name>",
-- then "-- @key value" header lines, then the statement up to the next
-- entry.

-- ==== ug-createbucket-principals
-- @source awsdocs/aws-cloudtrail-user-guide doc_source/query-lake-examples.md @26e2653ff681be33f4fd13affeee0f185122d421, "Find all principal user identities who called CreateBucket on January 22, 2023"
-- @placeholder event_data_store_ID
SELECT 
    userIdentity.principalid, 
    eventName 
FROM 
    event_data_store_ID
WHERE 
    userIdentity.principalid IS NOT NULL 
AND 
    eventTime > '2023-01-22 00:00:00' 
AND 
    eventTime < '2023-01-23 00:00:00' 
AND 
    eventName='CreateBucket'

-- ==== ug-apis-called-by-user
-- @source awsdocs/aws-cloudtrail-user-guide doc_source/query-lake-examples.md @26e2653ff681be33f4fd13affeee0f185122d421, "Find all APIs that a user called on January 22, 2023"
-- @placeholder event_data_store_ID
SELECT 
    eventID, 
    eventName, 
    eventSource, 
    eventTime
FROM 
    event_data_store_ID
WHERE 
    userIdentity.username = 'bob' 
AND 
    eventTime > '2023-01-22 00:00:00' 
AND 
    eventTime < '2023-01-23 00:00:00'

-- ==== ug-api-calls-by-source
-- @source awsdocs/aws-cloudtrail-user-guide doc_source/query-lake-examples.md @26e2653ff681be33f4fd13affeee0f185122d421, "Find the number of API calls since January 1, 2023, grouped by eventName and eventSource"
-- @placeholder event_data_store_ID
SELECT 
    eventSource, 
    eventName, 
    COUNT(*) AS apiCount
FROM 
    event_data_store_ID
WHERE 
    eventTime > '2023-01-01 00:00:00' 
GROUP BY 
    eventSource, eventName 
ORDER BY 
    apiCount DESC

-- ==== ug-console-logins-by-region
-- @source awsdocs/aws-cloudtrail-user-guide doc_source/query-lake-examples.md @26e2653ff681be33f4fd13affeee0f185122d421, "Find all users who signed in to the console in a set of Regions"
-- @placeholder event_data_store_ID
SELECT 
    eventTime, 
    useridentity.arn, 
    awsRegion
FROM 
    event_data_store_ID
WHERE 
    awsRegion in ('us-east-1', 'us-west-2') 
AND
    eventName = 'ConsoleLogin'

-- ==== ug-lake-queries
-- @source awsdocs/aws-cloudtrail-user-guide doc_source/query-lake-examples.md @26e2653ff681be33f4fd13affeee0f185122d421, "Find all CloudTrail Lake queries that were run in January 2023"
-- @placeholder event_data_store_ID
SELECT 
    element_at(responseElements, 'queryId'), 
    element_at(requestParameters, 'queryStatement')
FROM 
    event_data_store_ID
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

-- ==== console-login-with-no-mfa
-- @source aws-samples/cloud-trail-lake-query-samples console-login-with-no-mfa.sql @7fafdd148fa2190775065a67aa80cbb54b5a1fe3
-- @placeholder $EDS_ID
/* This query returns console logins with no MFA. 
Replace <EDS ID> with your Event Data Store Id number.
*/

SELECT
    *
FROM
    $EDS_ID 
WHERE
    eventsource = 'signin.amazonaws.com'  
    AND eventname = 'ConsoleLogin'  
    AND Element_at(additionaleventdata, 'MFAUsed' 
    ) = 'No'

-- ==== cross-account-access
-- @source aws-samples/cloud-trail-lake-query-samples cross-account-access.sql @7fafdd148fa2190775065a67aa80cbb54b5a1fe3
-- @placeholder $EDS_ID
/* This query returns results where cross-account access was granted. 
Replace <EDS ID> with your Event Data Store Id number.
*/


SELECT
    userIdentity.principalid, eventName, eventSource, userIdentity.accountId, recipientAccountId, requestParameters, eventTime
FROM
    $EDS_ID 
WHERE
    eventTime > '2022-04-30 00:00:00'  
    AND eventTime < '2022-06-01 00:00:00'  
    AND userIdentity.accountId != recipientAccountId

-- ==== logs-by-region
-- @source aws-samples/cloud-trail-lake-query-samples logs-by-region.sql @7fafdd148fa2190775065a67aa80cbb54b5a1fe3
-- @placeholder $EDS_ID
/* This query returns summary of regions in use and well as what services are used in these regions.
Replace <EDS ID> with your Event Data Store Id number.
*/

SELECT
    awsRegion, eventSource, COUNT(*  
    ) AS apiCount 
FROM
    $EDS_ID 
WHERE
    eventTime > '2022-04-23 00:00:00'  
    AND eventTime < '2022-11-26 00:00:00' 
GROUP
    BY awsRegion, eventSource ORDER BY apiCount DESC

-- ==== users-by-account
-- @source aws-samples/cloud-trail-lake-query-samples users-by-account.sql @7fafdd148fa2190775065a67aa80cbb54b5a1fe3
-- @placeholder $EDS_ID
/* This query returns all requests by user by account for the specified time period. Ordered by request count. 
Replace <EDS ID> with your Event Data Store Id number.
*/

SELECT
    userIdentity.principalid, useridentity.accountId, count(* 
    ) as eventCount 
FROM
    $EDS_ID 
WHERE
    userIdentity.principalid IS NOT NULL  
    AND eventTime > '2022-01-01 00:00:00'  
    AND eventTime < '2022-01-01 00:00:00'
GROUP
    BY userIdentity.principalid, useridentity.accountId ORDER BY EventCount DESC

-- ==== top-iam-actions-by-principal
-- @source aws-samples/cloud-trail-lake-query-samples top-iam-actions-by-principal.sql @093a2fa05864d0e50acc565b176e97b505441090
-- @placeholder <event_data_store_id>
/* This query identifies the top callers of the AWS IAM service based on their number of API calls. It
   can help you identity which principals are calling IAM the most and if these principals may be close 
   to service limits.
    
    To use this query, Replace <EDS ID> with your Event Data Store Id.
*/


SELECT
	COUNT(*) AS apiCount, eventName, recipientAccountId, userIdentity.principalid
FROM
	<event_data_store_id> 
WHERE
	userIdentity.principalid IS NOT NULL AND eventTime >= '2022-01-08 00:00:00'
    AND
	    eventSource='iam.amazonaws.com'
GROUP BY
	eventName, recipientAccountId, userIdentity.principalid
ORDER BY
	apiCount DESC

-- ==== ec2-events
-- @source aws-samples/cloud-trail-lake-query-samples ec2-events.sql @7fafdd148fa2190775065a67aa80cbb54b5a1fe3
-- @placeholder $EDS_ID
/* This query lists raw records for all EC2 management events.
Replace <EDS ID> with your Event Data Store Id number.
*/

SELECT
    *
FROM
    $EDS_ID 
WHERE
    eventname IN ('AssociateAddress', 'DisassociateAddress', 'CancelReservedInstancesListing', 'CancelSpotInstanceRequests', 'CreateNetworkAcl', 'DeleteNetworkAcl', 'CreateNetworkAclEntry', '''CreateVpc' , 'DeleteVpcPeeringConnection', 'RevokeSecurityGroupIngress' , 'RevokeSecurityGroupEgress', 'DetachInternetGateway', 'PurchaseReservedInstancesOffering', 'ModifyReservedInstances', 'AcceptVpcPeeringConnection', 'RejectVpcPeeringConnection' , 'CreateVpcPeeringConnection' 
    )

-- ==== self-assume-role
-- @source aws-samples/cloud-trail-lake-query-samples SelfAssumeRole.sql @818624bbd699a38a4e9c5ee71fa1b19b7fa5e2aa
-- @placeholder <event_data_store_id>
/* This query identifies roles that are assuming themselves.

Roles assuming themselves are typically the result of unnecessary operations in code
Self assume role events count towards the STS quota.
    
    To use this query, Replace <event_data_store_id> with your Event Data Store Id.
*/


SELECT
    eventid, eventtime, userIdentity.sessioncontext.sessionissuer.arn as RoleARN, userIdentity.principalId as RoleIdColonRoleSessionName 
from
    <event_data_store_id> 
where
    eventSource = 'sts.amazonaws.com' 
    and eventName = 'AssumeRole' 
    and userIdentity.type = 'AssumedRole' 
    and errorcode IS NULL 
    and userIdentity.sessioncontext.sessionissuer.arn = element_at(resources,1
    ).arn

-- ==== manually-created-resources
-- @source aws-samples/cloud-trail-lake-query-samples list-all-manually-created-resources.sql @7fafdd148fa2190775065a67aa80cbb54b5a1fe3
-- @placeholder <EDS ID>
/*This query gets a list of all resources that have been created manually (i.e outside of CloudFormation or via set list of CI/CD users), along with details on the action taken. 
Replace <EDS ID> with your Event Data Store Id number.*/

SELECT
    userIdentity.arn AS user, userIdentity, eventTime, eventSource, eventName, awsRegion, requestParameters, resources, requestID, eventID
FROM
    <EDS ID>
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

-- ==== ec2-security-historical-changes
-- @source aws-samples/cloud-trail-lake-query-samples ec2-security-historical-changes.sql @5164492b876455e16a2792184606eb9728e57f9a
-- @placeholder <event_data_store_id>
/*

This query returns historical changes of security groups. This is useful when you are auditing / investigating
changes made to security groups.

*/

-- This part of the query returns AuthorizeSecurityGroupIngress events
SELECT
    element_at(requestParameters, 'groupId') AS securityGroup,
    eventName,
    eventTime,
    element_at(requestParameters, 'ipPermissions') AS securityGroupRule,
    userIdentity.arn AS user,
    sourceIPAddress,    
    eventSource
FROM
    <event_data_store_id>
WHERE
    eventTime >= '2023-07-06 00:00:00'
    AND eventTime <= '2023-07-08 00:00:00'
    AND eventName = 'AuthorizeSecurityGroupIngress'     

UNION ALL

-- This part of the query returns ModifySecurityGroupRulesRequest events
SELECT
    json_extract_scalar(element_at(requestParameters, 'ModifySecurityGroupRulesRequest'), '$.GroupId') securityGroup,
    eventName,
    eventTime,
    element_at(requestParameters, 'ModifySecurityGroupRulesRequest') securityGroupRule,
    userIdentity.arn AS user,
    sourceIPAddress,    
    eventSource
FROM
    <event_data_store_id>
WHERE
	eventTime >= '2023-07-06 00:00:00'
    AND eventTime <= '2023-07-09 00:00:00'
	AND eventName = 'ModifySecurityGroupRules'
ORDER BY securityGroup,
    eventTime

-- ==== top-actions-by-iam-role
-- @source aws-samples/cloud-trail-lake-query-samples top-actions-by-iam-role.sql @12955f5a649496caa75c66ed0d9399c9b5cd98b8
-- @placeholder <EDS ID>
/* 
This query count activity performed by an IAM role during specific time period grouped by AWS services and APIs.
Replace <EDS ID> with your Event Data Store Id number and the <arn:aws:iam::555555555555:role/alice> with the IAM role ARN.
*/

SELECT count (*) as NumberEvents, eventSource, eventName
FROM <EDS ID> 
WHERE eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00' 
AND useridentity.type = 'AssumedRole' 
AND useridentity.sessioncontext.sessionissuer.arn = 'arn:aws:iam::555555555555:role/alice'
GROUP by eventSource, eventName
order by NumberEvents desc;

-- ==== iam-access-key-activity
-- @source aws-samples/cloud-trail-lake-query-samples iam-access-key-activity.sql @0356670624b63e168d805dce3467b50b039f1e60
-- @placeholder <EDS ID>
/* 
This query returns AWS API activity performed by an IAM user access key and from which IP address during specific time window ordered by AWS service.
Replace <EDS ID> with your Event Data Store Id number and <AKIAIOSFODNN7EXAMPLE> with the IAM user access keys.
*/

SELECT eventSource,eventName,sourceIPAddress,eventTime,errorCode
FROM <EDS ID>
WHERE userIdentity.accessKeyId = 'AKIAIOSFODNN7EXAMPLE'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
order by eventTime;

-- ==== s3-buckets-using-acls
-- @source aws-samples/cloud-trail-lake-query-samples s3-buckets-using-acls.sql @035fd8ce645e4793e37a9784aaa4c4eef5f4ff41
-- @placeholder <EDS_ID>
/* This query identifies buckets across an Organization with requests that rely on ACLs. This can help when migrating away from legacy ACLs to IAM Policies.

Replace <EDS ID> with your Event Data Store ID number.
*/

SELECT DISTINCT
    element_at(requestParameters, 'bucketName') AS Bucket,
    awsRegion AS Region,
    recipientAccountId AS AccountID
FROM
    <EDS_ID> 
WHERE
	element_at(additionalEventData, 'aclRequired') = 'Yes'
ORDER BY
	recipientAccountId,
    awsRegion

-- ==== data-by-week-day
-- @source aws-samples/cloud-trail-lake-query-samples data-by-week-day.sql @7fafdd148fa2190775065a67aa80cbb54b5a1fe3
-- @placeholder $EDS_ID
/* This query shows counts of all Data events by Day of the Week. 
Replace <EDS ID> with your Event Data Store Id number.
*/

SELECT
    day_of_week(eventTime
    ) as weekday,  COUNT(*
    ) as eventCount
FROM
    $EDS_ID
WHERE
    eventTime > '2022-01-01 00:00:00' 
    AND eventTime < '2022-01-01 00:00:00' 
    AND eventCategory = 'Data'
GROUP
    BY day_of_week(eventTime
    )ORDER BY day_of_week(eventTime
    )

-- ==== find-snapshots-not-encrypted
-- @source aws-samples/cloud-trail-lake-query-samples find-snapshots-not-encrypted.sql @7fafdd148fa2190775065a67aa80cbb54b5a1fe3
-- @placeholder $EDS_ID
/* This query returns snapshots that are created which are not encrypted.  
Replace <EDS ID> with your Event Data Store Id number.
*/


select
    userIdentity.principalid,awsRegion,element_at(requestParameters,'volumeId'  
    ) as volume, json_extract(element_at(requestparameters, 'CreateSnapshotsRequest'  
        ),'$.InstanceSpecification.InstanceId'  
    ) as Instance, element_at(responseElements,'snapshotId'  
    ) as snapshotID 
from
    $EDS_ID
where
    eventName like '%CreateSnapshots%'  
    or eventName like '%CreateSnapshot'  
    and element_at(responseElements,'encrypted'  
    )='false'  
    and eventTime < '2022-01-01 00:00:00'  
    and eventTime > '2022-11-11 00:00:00' 

-- ==== user-added-to-admin-group
-- @source aws-samples/cloud-trail-lake-query-samples user-added-to-admin-group.sql @7fafdd148fa2190775065a67aa80cbb54b5a1fe3
-- @placeholder $EDS_ID
/* This query returns when some user was made admin and who did it (added to any groups with name containing word ‘admin’). Helps identifying privilege escalation related issues.
Replace <EDS ID> with your Event Data Store Id number.
*/

SELECT
    userIdentity.principalid, eventName, eventTime, element_at(requestParameters,'userName'  
    ) AS username, element_at(requestParameters,'groupName'  
    ) AS groupname
FROM
    $EDS_ID
WHERE
    eventTime > '2022-04-30 00:00:00'  
    AND eventTime < '2022-11-01 00:00:00'  
    AND eventName = 'AddUserToGroup'  
    AND element_at(requestParameters,'groupName'  
    ) like '%admin%'

-- ==== event-response-element-by-event-id
-- @source aws-samples/cloud-trail-lake-query-samples event-response-element-by-event-id.sql @12955f5a649496caa75c66ed0d9399c9b5cd98b8
-- @placeholder <EDS ID>
/* 
This query obtain response element for a given CloudTrail event Id.
Replace <EDS ID> with your Event Data Store Id number and the CloudTrail event Id <3270e016-59a1-4448-8dd1-d27a4796502d>
*/

SELECT responseElements
FROM <EDS ID>
WHERE eventID = '3270e016-59a1-4448-8dd1-d27a4796502d';

-- ==== top-errors
-- @source aws-samples/cloud-trail-lake-query-samples top-errors.sql @7fafdd148fa2190775065a67aa80cbb54b5a1fe3
-- @placeholder $EDS_ID
-- @expect InvalidQueryStatementException
/* This query lists the top Error messages for the specified time range
Replace <EDS ID> with your Event Data Store Id number.
*/

SELECT
    errorCode,  errorMessage,  COUNT(*
    ) as eventCount
FROM
    $EDS_ID
WHERE
    eventTime > '2022-01-01 00:00:00' 
    AND eventTime < '2022-01-01 00:00:00' 
    AND (errorCode is not null 
        or errorMessage is not null
    )
GROUP
    BY errorCode, errorMessageORDER BY eventCount DESCLIMIT 10;

-- ==== events-not-in-authorized-region
-- @source aws-samples/cloud-trail-lake-query-samples list-all-events-not-in-authorized-region.sql @7fafdd148fa2190775065a67aa80cbb54b5a1fe3
-- @placeholder <event_data_store_id>
-- @expect InvalidQueryStatementException
/* This query can be used if there are requirements to use only a subsets of AWS regions.  
It lists any events which involve non authorized regions which may help to identify non-compliance scenarios. 
Replace <EDS ID> with your Event Data Store Id number and replace <region>, <accountid> with the desired region and your account id.*/




select
    awsRegion, eventType, eventTime, eventName 
from
    <event_data_store_id> 
where
    awsRegion not in ('region','region' 
    )  
    and recipientAccountId='<accountid>': select
        awsRegion, eventType, eventTime, eventName  
    from
        <event_data_store_id>  
    where
        awsRegion not in ('<region>','<region>' 
        )  
        and recipientAccountId='<accountid>'

-- The entries below were retyped, not pasted (@retyped): they keep each
-- source's SQL and its formatting quirks, with the store id written in.
-- No truth function computes their rows yet: TestQueryCorpus checks that
-- they finish, and lakesql's TestAWSExamples that they translate and run.

-- ==== ug-query-results-statement
-- @source awsdocs/aws-cloudtrail-user-guide doc_source/query-lake-examples.md, the query results section: the statement shown inside a result row
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
select * from 03543d1c-054c-4016-95ae-1f8faef24485 limit 1;

-- ==== ec2-public-security-group
-- @source aws-samples/cloud-trail-lake-query-samples ec2-public-security-group.sql
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
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

-- ==== events-in-a-flat-table
-- @source aws-samples/cloud-trail-lake-query-samples list-all-events-in-a-flatten-table-format.sql
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
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

-- ==== s3-public-access-block-changes
-- @source aws-samples/cloud-trail-lake-query-samples s3-buckets-public-access-block-historical-changes.sql
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
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

-- ==== tls-unsupported-version
-- @source aws-samples/cloud-trail-lake-query-samples tls-unsupported-version.sql
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
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

-- ==== iam-idc-user-count-and-group-activity
-- @source aws-samples/cloud-trail-lake-query-samples iam-idc-user-count-and-group-activity.sql
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
/* Activity of an IAM Identity Center user. */

SELECT eventSource, eventName, COUNT(*) AS apiCount
FROM 03543d1c-054c-4016-95ae-1f8faef24485
WHERE userIdentity.principalId LIKE '%alice@example.com'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
GROUP BY eventSource, eventName
ORDER BY apiCount DESC

-- ==== iam-principal-by-launched-ec2-instance
-- @source aws-samples/cloud-trail-lake-query-samples iam-principal-by-launched-ec2-instance-id.sql
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
/* Who launched an instance. */

SELECT userIdentity.principalid, eventName, eventTime, recipientAccountId, awsRegion
FROM 03543d1c-054c-4016-95ae-1f8faef24485
WHERE responseElements IS NOT NULL AND
element_at(responseElements, 'instancesSet') like '%"instanceId":"i-b188560f"%'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
AND eventName='RunInstances'

-- ==== vpce-access-denied
-- @source aws-samples/cloud-trail-lake-query-samples network-activity-events-vpce-access-denied.sql
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
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

-- ==== bedrock-model-invocation
-- @source aws-samples/cloud-trail-lake-query-samples bedrock-model-invocation.sql
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
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

-- ==== tag-history-by-resource
-- @source aws-samples/cloud-trail-lake-query-samples tag-history-by-resource.sql
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
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

-- ==== s3-putobject-encryption-status
-- @source aws-samples/cloud-trail-lake-query-samples list-all-S3-PutObjects-Encryption-status.sql
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
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

-- ==== iam-role-assumed-by-access-key
-- @source aws-samples/cloud-trail-lake-query-samples iam-role-assumed-by-iam-access-key.sql
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
/*
Roles assumed with a user's access key.
*/

SELECT requestParameters,responseElements
FROM 03543d1c-054c-4016-95ae-1f8faef24485
WHERE eventName = 'AssumeRole'
AND eventTime > '2023-01-01 00:00:00' AND eventTime < '2023-01-07 00:00:00'
AND userIdentity.accessKeyId = 'AKIAIOSFODNN7EXAMPLE';

-- ==== cloudformation-stacksets-service-managed
-- @source aws-samples/cloud-trail-lake-query-samples cloudformation-stacksets-service-managed-investigation.sql
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
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

-- ==== spec-lambda-form
-- @source the CloudTrail API spec §6.1, the lambda form seen in real CloudTrail Lake SQL
-- @placeholder 03543d1c-054c-4016-95ae-1f8faef24485
-- @retyped from the source, rows not checked
SELECT eventName, eventTime FROM 03543d1c-054c-4016-95ae-1f8faef24485
WHERE any_match(resources, x -> x.type = 'AWS::S3::Bucket')
  AND cardinality(filter(resources, x -> x.arn LIKE '%acme%')) > 0
  AND contains(map_keys(requestParameters), 'bucketName')
  AND eventTime > '2020-01-01'
