package lakesql

import (
	"slices"
	"strings"
	"testing"
)

// withStores replaces {A} and {B} in q by the fixture's store ids.
func withStores(q string) string {
	return strings.NewReplacer("{A}", storeA, "{B}", storeB).Replace(q)
}

// TestExecute runs translated CloudTrail Lake queries on DuckDB over the
// fixture's segments and checks the column labels and the rows, which were
// worked out by hand from fixture() with Trino's semantics.
func TestExecute(t *testing.T) {
	db := openLake(t)
	for _, c := range []struct {
		name string
		q    string
		cols []string
		rows [][]string
	}{
		{"principal ids of CreateBucket on a day (AWS example)",
			`SELECT userIdentity.principalid, eventName FROM {A}
			 WHERE userIdentity.principalid IS NOT NULL AND eventTime > '2023-01-22 00:00:00'
			   AND eventTime < '2023-01-23 00:00:00' AND eventName='CreateBucket'`,
			[]string{"principalid", "eventName"},
			[][]string{{"AROAEXAMPLE:alice", "CreateBucket"}}},
		{"APIs a user called on a day (AWS example)",
			`SELECT eventID, eventName, eventSource, eventTime FROM {A}
			 WHERE userIdentity.username = 'bob' AND eventTime > '2023-01-22 00:00:00' AND eventTime < '2023-01-23 00:00:00'
			 ORDER BY eventTime`,
			[]string{"eventID", "eventName", "eventSource", "eventTime"},
			[][]string{
				{"e1", "ConsoleLogin", "signin.amazonaws.com", "2023-01-22 16:53:53.000"},
				{"e7", "ListBuckets", "s3.amazonaws.com", "2023-01-22 20:25:01.000"},
			}},
		{"counts by source with an alias in ORDER BY",
			`SELECT eventSource, COUNT(*) AS apiCount FROM {A} WHERE eventTime > '2023-01-01 00:00:00'
			 GROUP BY eventSource ORDER BY apiCount DESC, eventSource`,
			[]string{"eventSource", "apiCount"},
			[][]string{{"s3.amazonaws.com", "3"}, {"ec2.amazonaws.com", "2"}, {"cloudtrail.amazonaws.com", "1"},
				{"signin.amazonaws.com", "1"}, {"sts.amazonaws.com", "1"}}},
		{"unnamed expressions are _colN (AWS example)",
			`SELECT element_at(responseElements, 'queryId'), element_at(requestParameters, 'queryStatement')
			 FROM {A} WHERE eventName='StartQuery' AND responseElements IS NOT NULL;`,
			[]string{"_col0", "_col1"},
			[][]string{{"arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/" + storeA, "select * from x limit 1;"}}},
		{"labels",
			`SELECT eventName, eventName AS "Event Name", count(*) OVER (), 'lit', eventTime c, t.awsRegion,
			        USERIDENTITY.SESSIONCONTEXT.SESSIONISSUER.USERNAME, useridentity.sessioncontext.attributes.mfaauthenticated,
			        tlsDetails.tlsVersion, "eventSource", upper(eventName) AS up
			 FROM {A} t WHERE eventid = 'e2'`,
			[]string{"eventName", "Event Name", "_col2", "_col3", "c", "awsRegion", "USERNAME", "mfaauthenticated",
				"tlsVersion", "eventSource", "up"},
			[][]string{{"CreateBucket", "CreateBucket", "1", "lit", "2023-01-22 10:00:00.250", "us-east-1", "Admin", "true",
				"TLSv1.3", "s3.amazonaws.com", "CREATEBUCKET"}}},
		{"element_at on arrays, negative and out of range, and a field of the element",
			`SELECT element_at(resources, 1).arn, element_at(resources, -1).type, element_at(resources, 5) IS NULL
			 FROM {A} WHERE eventid = 'e5'`,
			[]string{"arn", "type", "_col2"},
			[][]string{{"arn:aws:iam::111122223333:role/Deployer", "AWS::STS::AssumedRole", "true"}}},
		{"element_at on a map, missing key",
			`SELECT element_at(requestParameters, 'bucketName'), element_at(requestParameters, 'nope'),
			        Element_at(additionaleventdata, 'MFAUsed') FROM {A} WHERE eventid IN ('e2', 'e1') ORDER BY eventid`,
			[]string{"_col0", "_col1", "_col2"},
			[][]string{{"NULL", "NULL", "No"}, {"acme-logs", "NULL", "NULL"}}},
		{"json_extract_scalar: scalars as text, NULL for objects and absent paths",
			`SELECT json_extract_scalar(element_at(requestParameters, 'PublicAccessBlockConfiguration'), '$.BlockPublicPolicy') AS b,
			        json_extract_scalar(element_at(requestParameters, 'PublicAccessBlockConfiguration'), '$.missing') AS m,
			        json_extract_scalar(eventjson, '$.requestParameters') AS obj,
			        json_extract_scalar(eventjson, '$.requestParameters.tagSet.items[0].value') AS v
			 FROM {A} WHERE eventid = 'e2'`,
			[]string{"b", "m", "obj", "v"},
			[][]string{{"false", "NULL", "NULL", "sec"}}},
		{"json_extract, json_format, json_parse, CAST(json AS varchar)",
			`SELECT json_format(json_extract(eventjson, '$.requestParameters.tagSet.items[0]')) AS j,
			        CAST(json_extract(eventjson, '$.eventName') AS varchar) AS n,
			        json_array_length(json_extract(eventjson, '$.requestParameters.tagSet.items')) AS l,
			        json_extract_scalar(json_parse('{"a":"b"}'), '$.a') AS p,
			        cast(json_parse('"x"') as VARCHAR) AS s
			 FROM {A} WHERE eventid = 'e2'`,
			[]string{"j", "n", "l", "p", "s"},
			[][]string{{`{"key":"team","value":"sec"}`, "CreateBucket", "1", "b", "x"}}},
		{"date parts (2023-01-10 was a Tuesday)",
			`SELECT day_of_week(eventTime), dow(eventTime), day_of_month(eventTime), day_of_year(eventTime), hour(eventTime),
			        minute(eventTime), second(eventTime), millisecond(eventTime), year(eventTime), month(eventTime),
			        day(eventTime), quarter(eventTime), week(eventTime), extract(year FROM eventTime)
			 FROM {A} WHERE eventid = 'e8'`,
			[]string{"_col0", "_col1", "_col2", "_col3", "_col4", "_col5", "_col6", "_col7", "_col8", "_col9", "_col10",
				"_col11", "_col12", "_col13"},
			[][]string{{"2", "2", "10", "10", "5", "6", "7", "890", "2023", "1", "10", "1", "2", "2023"}}},
		{"day_of_week of a Sunday is 7",
			`SELECT day_of_week(eventTime) AS weekday FROM {A} WHERE eventid = 'e1'`,
			[]string{"weekday"}, [][]string{{"7"}}},
		{"date_add, date_diff (whole units), date_trunc",
			`SELECT date_add('day', -7, eventTime), date_add('month', 1, TIMESTAMP '2024-01-31 10:00:00'),
			        date_diff('day', eventTime, from_iso8601_timestamp('2023-01-12T05:00:00Z')),
			        date_diff('hour', eventTime, eventTime + interval '90' minute),
			        date_diff('second', eventTime, date_add('millisecond', 2500, eventTime)),
			        date_trunc('month', eventTime), date(eventTime)
			 FROM {A} WHERE eventid = 'e8'`,
			[]string{"_col0", "_col1", "_col2", "_col3", "_col4", "_col5", "_col6"},
			[][]string{{"2023-01-03 05:06:07.890", "2024-02-29 10:00:00.000", "1", "1", "2", "2023-01-01 00:00:00.000",
				"2023-01-10 00:00:00.000"}}},
		{"date_format, format_datetime, date_parse",
			`SELECT date_format(eventTime, '%Y-%m-%d %H:%i:%s'), date_format(eventTime, '%W %M %e %l%p %%'),
			        format_datetime(eventTime, 'yyyy-MM-dd''T''HH:mm:ss.SSS'),
			        date_parse('2023/01/10 05:06', '%Y/%m/%d %H:%i')
			 FROM {A} WHERE eventid = 'e8'`,
			[]string{"_col0", "_col1", "_col2", "_col3"},
			[][]string{{"2023-01-10 05:06:07", "Tuesday January 10 5AM %", "2023-01-10T05:06:07.890", "2023-01-10 05:06:00.000"}}},
		{"unix time and ISO 8601",
			`SELECT from_unixtime(0), CAST(to_unixtime(from_iso8601_timestamp('2023-01-10T05:06:07Z')) AS bigint),
			        from_iso8601_timestamp('2023-01-10T05:06:07.5+01:00'), from_iso8601_date('2023-01-10')
			 FROM {A} WHERE eventid = 'e8'`,
			[]string{"_col0", "_col1", "_col2", "_col3"},
			[][]string{{"1970-01-01 00:00:00.000", "1673327167", "2023-01-10 04:06:07.500", "2023-01-10 00:00:00.000"}}},
		{"regular expressions and strings",
			`SELECT regexp_like(eventName, '^Create'), regexp_extract(userIdentity.arn, 'user/(.*)', 1),
			        regexp_extract(eventName, 'zzz'), regexp_replace(eventName, '([a-z])([A-Z])', '$1_$2'),
			        regexp_replace(eventName, 'o'), regexp_count(eventName, 'o'), split_part(userIdentity.arn, ':', 5),
			        strpos(eventName, 'Login'), replace(eventName, 'Console'), regexp_extract(eventName, '[A-Z][a-z]+')
			 FROM {A} WHERE eventid = 'e1'`,
			[]string{"_col0", "_col1", "_col2", "_col3", "_col4", "_col5", "_col6", "_col7", "_col8", "_col9"},
			[][]string{{"false", "bob", "NULL", "Console_Login", "CnsleLgin", "3", "111122223333", "8", "Login", "Console"}}},
		{"url_extract_*",
			`SELECT url_extract_host(element_at(additionalEventData, 'LoginTo')) AS host,
			        url_extract_protocol(element_at(additionalEventData, 'LoginTo')) AS protocol,
			        url_extract_path(element_at(additionalEventData, 'LoginTo')) AS path,
			        url_extract_query(element_at(additionalEventData, 'LoginTo')) AS query,
			        url_extract_fragment(element_at(additionalEventData, 'LoginTo')) AS fragment,
			        url_extract_port(element_at(additionalEventData, 'LoginTo')) AS port,
			        url_extract_port('http://user@h.example:8443/x') AS port2,
			        url_extract_host('http://user@h.example:8443/x') AS host2
			 FROM {A} WHERE eventid = 'e1'`,
			[]string{"host", "protocol", "path", "query", "fragment", "port", "port2", "host2"},
			[][]string{{"console.aws.amazon.com", "https", "/console/home", "state=hashArgs", "/x", "NULL", "8443", "h.example"}}},
		{"arrays, maps and lambdas",
			`SELECT cardinality(resources), cardinality(requestParameters), contains(transform(resources, r -> r.type), 'AWS::S3::Bucket'),
			        array_join(transform(resources, r -> r.type), ','), cardinality(filter(resources, r -> r.accountid IS NOT NULL)),
			        any_match(resources, r -> r.type = 'AWS::S3::Object'), all_match(resources, r -> r.arn LIKE 'arn:aws:s3:::acme-logs%'),
			        none_match(resources, r -> r.type = 'x'), reduce(transform(resources, r -> length(r.arn)), 0, (s, x) -> s + x, s -> s),
			        array_join(array_sort(map_keys(requestParameters)), ','), array_join(array_sort(map_values(requestParameters)), ','),
			        cardinality(ARRAY['a', 'b', 'c'])
			 FROM {A} WHERE eventid = 'e8'`,
			[]string{"_col0", "_col1", "_col2", "_col3", "_col4", "_col5", "_col6", "_col7", "_col8", "_col9", "_col10", "_col11"},
			[][]string{{"2", "2", "true", "AWS::S3::Object,AWS::S3::Bucket", "1", "true", "true", "true", "52",
				"bucketName,key", "a/b.txt,acme-logs", "3"}}},
		{"any_match over a NULL array is NULL",
			`SELECT any_match(resources, r -> r.type = 'x') FROM {A} WHERE eventid = 'e1'`,
			[]string{"_col0"}, [][]string{{"NULL"}}},
		{"aggregates",
			`SELECT approx_distinct(eventSource), count_if(readOnly), max_by(eventName, eventTime), min(eventTime),
			        approx_percentile(month(eventTime), 0.5), arbitrary(recipientAccountId) IS NOT NULL, count(DISTINCT awsRegion)
			 FROM {A}`,
			[]string{"_col0", "_col1", "_col2", "_col3", "_col4", "_col5", "_col6"},
			[][]string{{"5", "3", "AuthorizeSecurityGroupIngress", "2023-01-03 11:11:11.000", "1", "true", "2"}}},
		{"eventTime against strings",
			`SELECT count_if(eventTime BETWEEN '2023-01-22' AND '2023-01-23'), count_if(eventTime >= '2023-07-07T12:00:00Z'),
			        count_if(eventTime > now() - interval '36500' day), count_if(eventTime < current_timestamp),
			        count_if(eventTime = '2023-01-22 10:00:00.250'), count_if(eventTime IN ('2023-01-22 16:53:53'))
			 FROM {A}`,
			[]string{"_col0", "_col1", "_col2", "_col3", "_col4", "_col5"},
			[][]string{{"3", "1", "8", "8", "1", "1"}}},
		{"UNION is distinct and takes the first SELECT's labels",
			`SELECT eventName AS n FROM {A} WHERE eventSource = 's3.amazonaws.com' UNION SELECT eventName FROM {B}
			 UNION SELECT 'DeleteBucket' FROM {B} ORDER BY n`,
			[]string{"n"},
			[][]string{{"ConsoleLogin"}, {"CreateBucket"}, {"DeleteBucket"}, {"GetObject"}, {"ListBuckets"}}},
		{"UNION ALL keeps duplicates",
			`SELECT eventName FROM {B} UNION ALL SELECT eventName FROM {B} ORDER BY 1`,
			[]string{"eventName"},
			[][]string{{"ConsoleLogin"}, {"ConsoleLogin"}, {"DeleteBucket"}, {"DeleteBucket"}}},
		{"INTERSECT",
			`SELECT eventName FROM {A} INTERSECT SELECT eventName FROM {B}`,
			[]string{"eventName"}, [][]string{{"ConsoleLogin"}}},
		{"EXCEPT",
			`(SELECT eventSource FROM {A}) EXCEPT (SELECT eventSource FROM {B}) ORDER BY 1`,
			[]string{"eventSource"},
			[][]string{{"cloudtrail.amazonaws.com"}, {"ec2.amazonaws.com"}, {"sts.amazonaws.com"}}},
		{"JOIN across stores",
			`SELECT a.eventName, b.eventName AS other FROM {A} a INNER JOIN {B} AS b ON a.userIdentity.arn = b.userIdentity.arn
			 ORDER BY 1`,
			[]string{"eventName", "other"},
			[][]string{{"ConsoleLogin", "DeleteBucket"}, {"ListBuckets", "DeleteBucket"}, {"StartQuery", "DeleteBucket"}}},
		{"LEFT JOIN and a comma join",
			`SELECT count(*), count(b.eventid) FROM {A} a LEFT JOIN {B} b ON a.eventName = b.eventName`,
			[]string{"_col0", "_col1"}, [][]string{{"8", "1"}}},
		{"comma join",
			`SELECT count(*) FROM {A} a, {B} b WHERE a.awsRegion = b.awsRegion`,
			[]string{"_col0"}, [][]string{{"7"}}},
		{"WITH, IN (subquery), a derived table",
			`WITH logins AS (SELECT userIdentity.arn AS arn FROM {A} WHERE eventName = 'ConsoleLogin'),
			      names AS (SELECT eventName, eventTime, userIdentity.arn AS arn FROM {A})
			 SELECT eventName FROM (SELECT * FROM names) n WHERE arn IN (SELECT arn FROM logins) ORDER BY eventTime`,
			[]string{"eventName"},
			[][]string{{"ConsoleLogin"}, {"ListBuckets"}, {"StartQuery"}}},
		{"operators",
			`SELECT errorCode IS DISTINCT FROM NULL, errorCode IS NOT DISTINCT FROM 'AccessDenied', greatest(1, 5, 3),
			        least('b', 'a'), eventName || '@' || awsRegion, eventName LIKE 'List%', TRY_CAST('x' AS integer),
			        CAST('42' AS bigint), CASE WHEN errorCode IS NULL THEN 'ok' ELSE errorCode END, 7 % 3, -(-2),
			        readOnly AND NOT managementEvent, coalesce(errorMessage, 'none'), if(readOnly, 'r', 'w')
			 FROM {A} WHERE eventid = 'e7'`,
			[]string{"_col0", "_col1", "_col2", "_col3", "_col4", "_col5", "_col6", "_col7", "_col8", "_col9", "_col10",
				"_col11", "_col12", "_col13"},
			[][]string{{"true", "true", "5", "a", "ListBuckets@us-east-1", "true", "NULL", "42", "AccessDenied", "1", "2",
				"false", "Access Denied", "r"}}},
		{"quoted upper-case store id",
			`SELECT count(*) AS n FROM "5F1C3B1E-2A4D-4C6E-9F00-0123456789AB"`,
			[]string{"n"}, [][]string{{"2"}}},
		{"Trino types in CAST",
			`SELECT array_join(CAST(json_parse('["a","b"]') AS array(varchar)), '+'),
			        element_at(CAST(json_parse('{"k":"v"}') AS map(varchar, varchar)), 'k'),
			        CAST(eventTime AS timestamp(3) with time zone) = eventTime, CAST('1.5' AS double), CAST(1 AS varchar(10))
			 FROM {B} WHERE eventid = 'e10'`,
			[]string{"_col0", "_col1", "_col2", "_col3", "_col4"},
			[][]string{{"a+b", "v", "true", "1.5", "1"}}},
		{"UNNEST in FROM",
			`SELECT count(*) FROM {A} CROSS JOIN UNNEST(resources) AS t(r) WHERE r.type LIKE 'AWS::S3::%'`,
			[]string{"_col0"}, [][]string{{"3"}}},
		{"SELECT * keeps the schema's names",
			`SELECT * FROM {B} WHERE eventid = 'e10'`,
			nil, nil},
		{"self assume role (AWS sample)",
			`SELECT eventid, userIdentity.sessioncontext.sessionissuer.arn as RoleARN FROM {A}
			 WHERE eventSource = 'sts.amazonaws.com' AND userIdentity.sessioncontext.sessionissuer.arn = element_at(resources,1
			 ).arn`,
			[]string{"eventid", "RoleARN"},
			[][]string{{"e5", "arn:aws:iam::111122223333:role/Deployer"}}},
		{"window functions",
			`SELECT eventName, row_number() OVER (PARTITION BY eventSource ORDER BY eventTime) AS rn FROM {A}
			 WHERE eventSource = 'ec2.amazonaws.com' ORDER BY rn`,
			[]string{"eventName", "rn"},
			[][]string{{"RunInstances", "1"}, {"AuthorizeSecurityGroupIngress", "2"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := run(t, db, withStores(c.q))
			if err != nil {
				t.Fatal(err)
			}
			if c.cols == nil {
				if len(res.cols) != 34 || res.cols[0] != "eventversion" || res.cols[33] != "eventjsonchecksum" {
					t.Errorf("columns of SELECT *: %q", res.cols)
				}
				return
			}
			if !slices.Equal(res.cols, c.cols) {
				t.Errorf("columns %q, want %q", res.cols, c.cols)
			}
			if !slices.EqualFunc(res.rows, c.rows, slices.Equal) {
				t.Errorf("rows\n%q\nwant\n%q", res.rows, c.rows)
			}
		})
	}
}

// TestCTEShadowing checks the scoping of names defined by WITH against
// DuckDB's: with a catalog table named like the WITH name, every accepted
// use of the name must read the WITH query, never the table.
func TestCTEShadowing(t *testing.T) {
	db := openLake(t)
	if _, err := db.Exec("CREATE TABLE shadow AS SELECT 'LEAK' AS v"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`WITH shadow AS (SELECT 'ok' AS v) SELECT v FROM shadow, {A} LIMIT 1`,
		`WITH shadow AS (SELECT 'ok' AS v) SELECT eventname FROM {A} WHERE eventname IN (SELECT v FROM shadow) OR eventid = 'e1'`,
		`WITH shadow AS (SELECT 'ok' AS v), s2 AS (SELECT v FROM shadow) SELECT v FROM s2, {A} LIMIT 1`,
		`WITH shadow AS (SELECT 'ok' AS v), s2 AS (SELECT (SELECT max(v) FROM shadow) AS v) SELECT v FROM s2, {A} LIMIT 1`,
		`WITH shadow AS (SELECT 'ok' AS v) SELECT x.v FROM {A} a, LATERAL (SELECT v FROM shadow) x LIMIT 1`,
		`WITH shadow AS (SELECT 'ok' AS v) SELECT eventname FROM {A} WHERE eventid = 'e1' UNION SELECT v FROM shadow`,
		`WITH shadow AS (SELECT 'ok' AS v) (SELECT v FROM shadow) UNION ALL (SELECT eventname FROM {A} LIMIT 1)`,
		`WITH shadow AS (SELECT 'ok' AS v) SELECT (SELECT v FROM shadow) FROM {A} LIMIT 1`,
		`WITH shadow AS (SELECT 'ok' AS v) SELECT * FROM (SELECT * FROM (SELECT v FROM shadow)) CROSS JOIN {A} LIMIT 1`,
		`WITH shadow AS MATERIALIZED (SELECT 'ok' AS v) SELECT v FROM shadow JOIN {A} ON true LIMIT 1`,
		`SELECT * FROM (WITH shadow AS (SELECT 'ok' AS v) SELECT v FROM shadow) s, {A} LIMIT 1`,
		`WITH shadow AS (SELECT 'ok' AS v) SELECT v FROM {A} JOIN shadow ON EXISTS (SELECT 1 FROM shadow) LIMIT 1`,
		`WITH "SHADOW" AS (SELECT 'ok' AS v) SELECT v FROM Shadow, {A} LIMIT 1`,
	} {
		res, err := run(t, db, withStores(q))
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		for _, row := range res.rows {
			if slices.Contains(row, "LEAK") {
				t.Errorf("%s read the catalog table: %q", q, res.rows)
			}
		}
	}
}

// TestHuntingQueries runs queries of the kind CloudTrail users write to hunt
// (spec §6.1's dialect): each must translate and run without error.
func TestHuntingQueries(t *testing.T) {
	db := openLake(t)
	for _, q := range []string{
		`SELECT eventTime, eventName, sourceIPAddress FROM {A} WHERE userIdentity.type = 'Root' AND userIdentity.invokedBy IS NULL AND eventType != 'AwsServiceEvent' ORDER BY eventTime DESC`,
		`SELECT userIdentity.accessKeyId, count(*) AS calls, min(eventTime) AS firstSeen, max(eventTime) AS lastSeen FROM {A} WHERE userIdentity.accessKeyId LIKE 'AKIA%' GROUP BY 1 ORDER BY calls DESC`,
		`SELECT userIdentity.arn, errorCode, count(*) FROM {A} WHERE errorCode IS NOT NULL GROUP BY userIdentity.arn, errorCode HAVING count(*) > 0 ORDER BY 3 DESC LIMIT 20`,
		`SELECT date_trunc('hour', eventTime) AS hour, count(*) AS n FROM {A} WHERE eventTime > now() - interval '3650' day GROUP BY 1 ORDER BY 1`,
		`SELECT eventName, json_extract_scalar(element_at(requestParameters, 'ipPermissions'), '$.items[0].ipRanges.items[0].cidrIp') AS cidr FROM {A} WHERE eventName IN ('AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'CreateSecurityGroup', 'DeleteSecurityGroup')`,
		`SELECT eventTime, userIdentity.arn, sourceIPAddress FROM {A} WHERE eventName = 'ConsoleLogin' AND element_at(responseElements, 'ConsoleLogin') = 'Failure'`,
		`SELECT eventTime, useridentity.arn FROM {A} WHERE eventName = 'ConsoleLogin' AND element_at(additionalEventData, 'MFAUsed') <> 'Yes' AND userIdentity.type = 'IAMUser'`,
		`SELECT eventName, count(DISTINCT sourceIPAddress) AS ips FROM {A} GROUP BY eventName HAVING count(DISTINCT sourceIPAddress) > 1`,
		`SELECT * FROM {A} WHERE eventTime BETWEEN timestamp '2023-01-01 00:00:00' AND timestamp '2023-12-31 23:59:59' LIMIT 5`,
		`SELECT sourceIPAddress, array_agg(DISTINCT eventName) AS actions FROM {A} GROUP BY 1`,
		`SELECT useridentity.sessioncontext.sessionissuer.username AS role, count(*) AS n FROM {A} WHERE useridentity.type = 'AssumedRole' GROUP BY 1`,
		`SELECT eventName FROM {A} WHERE lower(userAgent) LIKE '%console%' OR regexp_like(eventName, '(?i)^delete')`,
		`SELECT eventTime FROM {A} ORDER BY eventTime DESC OFFSET 1 LIMIT 1`,
		`SELECT eventTime FROM {A} ORDER BY eventTime DESC LIMIT 2`,
		`SELECT count(*) FROM {A} WHERE eventTime > date_add('day', -30, current_date) OR eventTime > current_timestamp - interval '1' hour`,
		`SELECT element_at(split(userIdentity.arn, '/'), -1) AS principal FROM {A}`,
		`SELECT cast(eventTime as date) AS day, count(*) AS n FROM {A} GROUP BY 1 ORDER BY 1`,
		`SELECT eventName FROM {A} WHERE contains(ARRAY['ConsoleLogin', 'GetObject'], eventName)`,
		`SELECT eventName FROM {A} WHERE userIdentity.sessionContext.attributes.mfaAuthenticated = 'false'`,
		`SELECT json_extract_scalar(eventjson, '$.eventName') AS name, length(eventjson) AS size FROM {A}`,
		`SELECT format('%s:%s', eventSource, eventName) AS api, date_format(date_trunc('day', eventTime), '%Y-%m-%d') AS day FROM {A}`,
		`SELECT eventName, count(*) AS n FROM {A} GROUP BY ROLLUP (eventName)`,
		`WITH x AS (SELECT eventid, userIdentity.arn AS arn, eventTime FROM {A}) SELECT a.eventid, b.eventid FROM x a JOIN x b ON a.arn = b.arn AND a.eventTime < b.eventTime`,
		`SELECT recipientAccountId, userIdentity.accountId FROM {A} WHERE userIdentity.accountId <> recipientAccountId AND userIdentity.type NOT IN ('AWSService', 'AWSAccount')`,
		`SELECT eventName, approx_percentile(length(eventjson), 0.99) AS p99 FROM {A} GROUP BY eventName`,
		`SELECT eventTime, eventName FROM {A} WHERE eventName LIKE 'Delete%' AND readOnly = false AND managementEvent`,
		`SELECT DISTINCT awsRegion FROM {A} WHERE awsRegion NOT IN ('us-east-1', 'us-west-2')`,
		`SELECT eventName, count_if(errorCode = 'AccessDenied') AS denied, count(*) AS total, round(100.0 * count_if(errorCode = 'AccessDenied') / count(*), 2) AS pct FROM {A} GROUP BY 1`,
		`SELECT r.arn, count(*) AS n FROM {A} CROSS JOIN UNNEST(resources) AS t(r) GROUP BY 1`,
		`SELECT eventName, max_by(sourceIPAddress, eventTime) AS lastIp FROM {A} GROUP BY eventName`,
		`SELECT eventid FROM {A} WHERE eventid NOT IN (SELECT eventid FROM {B}) AND NOT EXISTS (SELECT 1 FROM {B} b WHERE b.eventid = eventid)`,
		`SELECT tlsDetails.tlsVersion, count(*) AS n FROM {A} WHERE tlsDetails.tlsVersion IN ('TLSv1', 'TLSv1.1') GROUP BY 1`,
		`SELECT hour(eventTime) AS h, day_of_week(eventTime) AS d, count(*) AS n FROM {A} WHERE hour(eventTime) NOT BETWEEN 8 AND 18 OR day_of_week(eventTime) IN (6, 7) GROUP BY 1, 2`,
		`SELECT userIdentity.arn, array_join(array_agg(DISTINCT eventName), ', ') AS apis FROM {A} WHERE eventSource = 'iam.amazonaws.com' GROUP BY 1`,
		`SELECT eventTime, element_at(requestParameters, 'bucketName') AS bucket, element_at(requestParameters, 'key') AS key FROM {A} WHERE eventSource = 's3.amazonaws.com' AND eventName IN ('GetObject', 'PutObject') ORDER BY eventTime DESC NULLS LAST`,
		`SELECT count(*) FILTER (WHERE readOnly) AS reads, count(*) FILTER (WHERE NOT readOnly) AS writes FROM {A}`,
		`SELECT eventName, lag(eventTime) OVER (ORDER BY eventTime) AS prev, date_diff('second', lag(eventTime) OVER (ORDER BY eventTime), eventTime) AS gap FROM {A}`,
		`SELECT coalesce(userIdentity.userName, userIdentity.sessionContext.sessionIssuer.userName, userIdentity.principalId) AS who, count(*) AS n FROM {A} GROUP BY 1 ORDER BY n DESC`,
		`SELECT eventTime, eventName FROM {A} WHERE eventTime >= from_iso8601_timestamp('2023-01-01T00:00:00Z') AND eventTime < from_unixtime(1704067200)`,
		`SELECT if(errorCode IS NULL, 'success', 'failure') AS outcome, count(*) AS n FROM {A} GROUP BY 1`,
	} {
		if _, err := run(t, db, withStores(q)); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}
