package lakesql

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ctlake/ctlake"
)

// placeholders writes {A} and {B} for the fixture's store ids in a
// statement, and for their table names in translated SQL.
var (
	toIDs    = strings.NewReplacer("{A}", storeA, "{B}", storeB)
	toTables = strings.NewReplacer("{A}", TableName(storeA), "{B}", TableName(storeB))
)

// TestTranslate is the table of translations: each input with the DuckDB SQL
// it becomes. TestExecute runs most of these forms and checks their results.
func TestTranslate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// Store ids, labels, comments and the trailing semicolon.
		{`SELECT eventName FROM {A}`, `SELECT eventName AS "eventName" FROM {A}`},
		{`select * from {A};`, `select * from {A}`},
		{"SELECT 1 FROM {A} -- ; ATTACH 'x'\n/* ; DROP */ ;", `SELECT 1 AS "_col0" FROM {A}`},
		{`SELECT t.* FROM {A} t`, `SELECT t.* FROM {A} t`},
		{`SELECT DISTINCT eventSource FROM {A}`, `SELECT DISTINCT eventSource AS "eventSource" FROM {A}`},
		{`SELECT userIdentity.principalid, useridentity.ARN FROM {A}`,
			`SELECT userIdentity.principalid AS "principalid", useridentity.ARN AS "ARN" FROM {A}`},
		{`SELECT count(*), count(*) AS n, count(*) n2, 1, 'x', eventName AS "Name" FROM {A}`,
			`SELECT count(*) AS "_col0", count(*) AS "n", count(*) AS "n2", 1 AS "_col3", 'x' AS "_col4", eventName AS "Name" FROM {A}`},
		{`SELECT CASE WHEN a THEN 1 END, CASE WHEN a THEN 1 END x, a IS NULL, interval '1' day, -x FROM {A}`,
			`SELECT CASE WHEN a THEN 1 END AS "_col0", CASE WHEN a THEN 1 END AS "x", a IS NULL AS "_col2", interval '1' day AS "_col3", - x AS "_col4" FROM {A}`},
		{`SELECT a.b.c.d, (x).y, x[1].y, f(x).y, x[1] FROM {A}`,
			`SELECT a.b.c.d AS "d", (x).y AS "y", x[1].y AS "y", f(x).y AS "y", x[1] AS "_col4" FROM {A}`},
		{`SELECT 'it''s', "a""b" FROM {A}`, `SELECT 'it''s' AS "_col0", "a""b" AS "a""b" FROM {A}`},
		{`SELECT * FROM "03543D1C-054C-4016-95AE-1F8FAEF24485" a JOIN {B} b ON a.x = b.x`,
			`SELECT * FROM {A} a JOIN {B} b ON a.x = b.x`},
		{`SELECT eventName FROM {A} a LEFT OUTER JOIN {B} AS b USING (eventid)`,
			`SELECT eventName AS "eventName" FROM {A} a LEFT OUTER JOIN {B} AS b USING (eventid)`},
		{`SELECT a FROM {A} UNION SELECT b FROM {B}`, `SELECT a AS "a" FROM {A} UNION SELECT b FROM {B}`},
		{`(SELECT a FROM {A}) UNION ALL (SELECT b FROM {B}) ORDER BY 1`,
			`(SELECT a AS "a" FROM {A}) UNION ALL (SELECT b FROM {B}) ORDER BY 1`},
		{`WITH x AS (SELECT eventname FROM {A}), y AS (SELECT * FROM x) SELECT eventname FROM y`,
			`WITH x AS (SELECT eventname FROM {A}), y AS (SELECT * FROM x) SELECT eventname AS "eventname" FROM y`},
		{`SELECT eventName FROM {A} WHERE x IN (SELECT y FROM {B}) AND EXISTS (SELECT 1 FROM {B} b WHERE b.z = 1)`,
			`SELECT eventName AS "eventName" FROM {A} WHERE x IN (SELECT y FROM {B}) AND EXISTS(SELECT 1 FROM {B} b WHERE b.z = 1)`},
		{`SELECT x FROM {A} CROSS JOIN UNNEST(resources) AS t(x)`, `SELECT x AS "x" FROM {A} CROSS JOIN UNNEST(resources) AS t(x)`},
		{`SELECT 1 - -1, a-b, 1.5e3, .5 FROM {A}`, `SELECT 1 - - 1 AS "_col0", a - b AS "_col1", 1.5e3 AS "_col2", .5 AS "_col3" FROM {A}`},
		{`SELECT count(*) FILTER (WHERE x), row_number() OVER (PARTITION BY a ORDER BY b) rn FROM {A}`,
			`SELECT count(*) FILTER(WHERE x) AS "_col0", row_number() OVER (PARTITION BY a ORDER BY b) AS "rn" FROM {A}`},
		{`SELECT eventName FROM {A} WHERE eventTime > '2023-01-01 00:00:00' AND eventTime < now() - interval '7' day ORDER BY eventTime DESC NULLS LAST LIMIT 10`,
			`SELECT eventName AS "eventName" FROM {A} WHERE eventTime > '2023-01-01 00:00:00' AND eventTime < now() - interval '7' day ORDER BY eventTime DESC NULLS LAST LIMIT 10`},
		{`SELECT eventtime AT TIME ZONE 'UTC', TIMESTAMP '2023-01-01 00:00:00' FROM {A}`,
			`SELECT eventtime AT TIME ZONE 'UTC' AS "_col0", TIMESTAMP '2023-01-01 00:00:00' AS "_col1" FROM {A}`},

		// Maps, arrays and JSON.
		{`SELECT element_at(requestParameters, 'bucketName'), element_at(resources, 1).arn FROM {A}`,
			`SELECT (requestParameters)['bucketName'] AS "_col0", (resources)[1].arn AS "arn" FROM {A}`},
		{`SELECT json_extract_scalar(eventjson, '$.a'), json_extract(eventjson, '$.a'), json_parse(x), json_format(j) FROM {A}`,
			`SELECT json_extract_string(json_value(eventjson, '$.a'), '$') AS "_col0", json_extract(eventjson, '$.a') AS "_col1", CAST(x AS JSON) AS "_col2", CAST(j AS VARCHAR) AS "_col3" FROM {A}`},
		{`SELECT CAST(json_extract(eventjson, '$.a') AS varchar), TRY_CAST(x AS array(varchar)), CAST(x AS map(varchar, array(bigint))), CAST(x AS row(a varchar, b timestamp(3))), CAST(x AS timestamp(3) with time zone), cast(x as varbinary) FROM {A}`,
			`SELECT json_extract_string(json_extract(eventjson, '$.a'), '$') AS "_col0", TRY_CAST(x AS varchar[]) AS "_col1", CAST(x AS MAP(varchar, bigint[])) AS "_col2", CAST(x AS STRUCT(a varchar, b timestamp)) AS "_col3", CAST(x AS timestamp with time zone) AS "_col4", cast(x as BLOB) AS "_col5" FROM {A}`},
		{`SELECT cardinality(resources), cardinality(requestParameters), cardinality(useridentity.sessioncontext.webidfederationdata.attributes), cardinality(map(k, v)), cardinality(CAST(x AS map(varchar, varchar))) FROM {A}`,
			`SELECT len(resources) AS "_col0", cardinality(requestParameters) AS "_col1", cardinality(useridentity.sessioncontext.webidfederationdata.attributes) AS "_col2", cardinality(map(k, v)) AS "_col3", cardinality(CAST(x AS MAP(varchar, varchar))) AS "_col4" FROM {A}`},
		{`SELECT contains(a, 'x'), array_join(a, ','), approx_distinct(x), approx_distinct(x, 0.01), approx_percentile(x, 0.9), count_if(x > 1) FROM {A}`,
			`SELECT list_contains(a, 'x') AS "_col0", (CASE WHEN (a) IS NULL THEN NULL ELSE coalesce(array_to_string(a, ','), '') END) AS "_col1", count(DISTINCT x) AS "_col2", count(DISTINCT x) AS "_col3", approx_quantile(x, 0.9) AS "_col4", count_if(x > 1) AS "_col5" FROM {A}`},
		{`SELECT any_match(resources, r -> r.type = 'x'), all_match(resources, (r) -> r.type = 'x'), none_match(resources, r -> r.type = 'x'), filter(resources, r -> r.arn IS NULL), transform(resources, r -> r.arn), reduce(a, 0, (s, x) -> s + x, s -> s) FROM {A}`,
			`SELECT (len(list_filter(resources, r -> r.type = 'x')) > 0) AS "_col0", (len(list_filter(resources, (r) -> NOT (r.type = 'x'))) = 0) AS "_col1", (len(list_filter(resources, r -> r.type = 'x')) = 0) AS "_col2", list_filter(resources, r -> r.arn IS NULL) AS "_col3", list_transform(resources, r -> r.arn) AS "_col4", (list_transform([list_reduce(a, (s, x) -> s + x, 0)], s -> s))[1] AS "_col5" FROM {A}`},

		// Dates and times.
		{`SELECT day_of_week(eventTime), dow(eventTime), day_of_month(eventTime), day_of_year(eventTime), doy(eventTime), year_of_week(eventTime), week_of_year(eventTime), millisecond(eventTime) FROM {A}`,
			`SELECT isodow(eventTime) AS "_col0", isodow(eventTime) AS "_col1", dayofmonth(eventTime) AS "_col2", dayofyear(eventTime) AS "_col3", dayofyear(eventTime) AS "_col4", isoyear(eventTime) AS "_col5", weekofyear(eventTime) AS "_col6", (millisecond(eventTime) % 1000) AS "_col7" FROM {A}`},
		{`SELECT date_add('day', -7, now()), date_add('Hour', 3, eventTime), date_diff('day', a, b), date_trunc('day', eventTime) FROM {A}`,
			`SELECT (now() + INTERVAL (- 7) DAY) AS "_col0", (eventTime + INTERVAL (3) HOUR) AS "_col1", date_sub('day', a, b) AS "_col2", date_trunc('day', eventTime) AS "_col3" FROM {A}`},
		{`SELECT date_format(eventTime, '%Y-%m-%d %H:%i:%s.%f %T %r %% %c/%e'), date_parse(s, '%d/%m/%Y'), format_datetime(eventTime, 'yyyy-MM-dd HH:mm:ss'), parse_datetime(s, 'yyyyMMdd') FROM {A}`,
			`SELECT strftime(eventTime, '%Y-%m-%d %H:%M:%S.%f %H:%M:%S %I:%M:%S %p %% %-m/%-d') AS "_col0", strptime(s, '%d/%m/%Y') AS "_col1", strftime(eventTime, '%Y-%m-%d %H:%M:%S') AS "_col2", strptime(s, '%Y%m%d') AS "_col3" FROM {A}`},
		{`SELECT from_iso8601_timestamp(s), from_iso8601_date(s), from_unixtime(n), to_unixtime(eventTime) FROM {A}`,
			`SELECT CAST(s AS TIMESTAMPTZ) AS "_col0", CAST(s AS DATE) AS "_col1", to_timestamp(n) AS "_col2", epoch(eventTime) AS "_col3" FROM {A}`},

		// Strings and regular expressions.
		{`SELECT regexp_like(a, 'x'), regexp_extract(a, 'x'), regexp_extract(a, '(x)', 1), regexp_replace(a, 'x'), regexp_replace(a, '(x)', '[$1]'), regexp_count(a, 'x'), regexp_split(a, ',') FROM {A}`,
			`SELECT regexp_matches(a, 'x') AS "_col0", (regexp_extract_all(a, 'x'))[1] AS "_col1", (regexp_extract_all(a, '(x)', 1))[1] AS "_col2", regexp_replace(a, 'x', '', 'g') AS "_col3", regexp_replace(a, '(x)', '[\1]', 'g') AS "_col4", len(regexp_extract_all(a, 'x')) AS "_col5", regexp_split_to_array(a, ',') AS "_col6" FROM {A}`},
		{`SELECT url_extract_host(u), url_extract_path(u) FROM {A}`,
			`SELECT (regexp_extract_all(u, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?(\[[^\]]*\]|[^:/?#]*)', 1))[1] AS "_col0", (regexp_extract_all(u, '^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1))[1] AS "_col1" FROM {A}`},
		{`SELECT replace(a, 'x'), replace(a, 'x', 'y'), format('%s', a), sequence(1, 3), rand(), levenshtein_distance(a, b), arrays_overlap(a, b) FROM {A}`,
			`SELECT replace(a, 'x', '') AS "_col0", replace(a, 'x', 'y') AS "_col1", printf('%s', a) AS "_col2", generate_series(1, 3) AS "_col3", random() AS "_col4", levenshtein(a, b) AS "_col5", list_has_any(a, b) AS "_col6" FROM {A}`},
		{`SELECT greatest(a, b), least(a, b), a || b, a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b, extract(year FROM eventtime), substring(a FROM 2 FOR 3), trim(BOTH 'x' FROM a) FROM {A}`,
			`SELECT greatest(a, b) AS "_col0", least(a, b) AS "_col1", a || b AS "_col2", a IS DISTINCT FROM b AS "_col3", a IS NOT DISTINCT FROM b AS "_col4", extract(year FROM eventtime) AS "_col5", substring(a FROM 2 FOR 3) AS "_col6", trim(BOTH 'x' FROM a) AS "_col7" FROM {A}`},
		// An unknown function is left for DuckDB to report.
		{`SELECT no_such_function(x) FROM {A}`, `SELECT no_such_function(x) AS "_col0" FROM {A}`},
	} {
		st, err := Translate(toIDs.Replace(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if want := toTables.Replace(c.want); st.SQL != want {
			t.Errorf("%s\n got %s\nwant %s", c.in, st.SQL, want)
		}
	}
}

func TestStores(t *testing.T) {
	const c = "0b1d6a52-8d1e-4c43-9d4e-8f6a3c2b1a00"
	st, err := Translate(toIDs.Replace(`
		WITH x AS (SELECT * FROM {B})
		SELECT * FROM "` + strings.ToUpper(storeA) + `" a JOIN x ON true
		JOIN {B} b ON true, ` + c + `
		WHERE a.eventid IN (SELECT eventid FROM {A})`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{storeB, storeA, c}; !slices.Equal(st.Stores, want) {
		t.Errorf("stores %q, want %q", st.Stores, want)
	}
}

func TestTableName(t *testing.T) {
	for id, want := range map[string]string{
		storeA:                  "eds_03543d1c_054c_4016_95ae_1f8faef24485",
		strings.ToUpper(storeB): "eds_5f1c3b1e_2a4d_4c6e_9f00_0123456789ab",
	} {
		if got := TableName(id); got != want || !isPlainName(got) {
			t.Errorf("TableName(%s) = %s, want %s", id, got, want)
		}
	}
}

// TestRefusedSpecial refuses statements that a text file cannot hold well.
func TestRefusedSpecial(t *testing.T) {
	from := " FROM " + storeA
	for _, c := range []struct{ why, sql, msg string }{
		{"a line comment ends at a carriage return", "SELECT 1" + from + " -- x\r; DROP VIEW v", "only one statement"},
		{"a line comment ends at a line feed", "SELECT 1" + from + " -- x\n; DROP VIEW v", "only one statement"},
		{"NUL in a string", "SELECT 'a\x00b'" + from, "control character"},
		{"NUL outside a string", "SELECT 1\x00" + from, "control character"},
		{"NUL in a comment", "SELECT 1" + from + " -- \x00", "control character"},
		{"a vertical tab", "SELECT\v1" + from, "control character"},
		{"an escape character in a quoted identifier", "SELECT \"a\x1bb\"" + from, "control character"},
		{"invalid UTF-8", "SELECT '\xff'" + from, "UTF-8"},
		{"longer than 10000 characters", "SELECT '" + strings.Repeat("é", 10000) + "'" + from, "10000"},
		{"nested deeper than 100", "SELECT " + strings.Repeat("(", 101) + "1" + strings.Repeat(")", 101) + from, "deeper than 100"},
		{"a byte-order mark", "\ufeffSELECT 1" + from, "U+FEFF"},
		{"an empty quoted identifier", `SELECT "" FROM ` + storeA, "empty quoted identifier"},
	} {
		st, err := Translate(c.sql)
		var ce *ctlake.Error
		switch {
		case err == nil:
			t.Errorf("%s: accepted as %s", c.why, st.SQL)
		case !errors.As(err, &ce) || ce.Code != ctlake.InvalidQueryStatementException:
			t.Errorf("%s: %v, want an InvalidQueryStatementException", c.why, err)
		case !strings.Contains(ce.Message, c.msg):
			t.Errorf("%s: message %q does not contain %q", c.why, ce.Message, c.msg)
		}
	}
	// The limits themselves are allowed.
	long := "SELECT '" + strings.Repeat("é", 10000-len("SELECT ''")-len(from)) + "'" + from
	deep := "SELECT " + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100) + from
	for _, q := range []string{long, deep} {
		if _, err := Translate(q); err != nil {
			t.Errorf("%.40s...: %v", q, err)
		}
	}
}

// TestErrorPosition checks that messages say what and where.
func TestErrorPosition(t *testing.T) {
	_, err := Translate("SELECT eventname\n  FROM " + storeA + ",\n       read_csv('/etc/passwd')")
	want := "InvalidQueryStatementException: the table function read_csv is not supported at line 3, column 8"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	_, err = Translate("SELECT 'é', ｘ FROM " + storeA)
	want = "InvalidQueryStatementException: character 'ｘ' (U+FF58) outside a string literal or quoted identifier is not supported at line 1, column 13"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// TestCallPositions checks that only names in the position of a call are
// rewritten as calls.
func TestCallPositions(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1 FROM {A} element_at(a, b)`, `SELECT 1 AS "_col0" FROM {A} element_at(a, b)`},
		{`SELECT 1 FROM {A} AS filter(a)`, `SELECT 1 AS "_col0" FROM {A} AS filter(a)`},
		{`SELECT 1 FROM (SELECT 1) dow(x), {A}`, `SELECT 1 AS "_col0" FROM (SELECT 1) dow(x), {A}`},
		{`SELECT t.contains(x), count(*) FILTER (WHERE x) FROM {A} t`, `SELECT t.contains(x) AS "_col0", count(*) FILTER(WHERE x) AS "_col1" FROM {A} t`},
		{`SELECT eventTime AT TIME ZONE element_at(m, 'tz'), NOT contains(a, 1), CASE WHEN dow(x) = 1 THEN dow(y) END FROM {A}`,
			`SELECT eventTime AT TIME ZONE (m)['tz'] AS "_col0", NOT list_contains(a, 1) AS "_col1", CASE WHEN isodow(x) = 1 THEN isodow(y) END AS "_col2" FROM {A}`},
	} {
		st, err := Translate(toIDs.Replace(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if want := toTables.Replace(c.want); st.SQL != want {
			t.Errorf("%s\n got %s\nwant %s", c.in, st.SQL, want)
		}
	}
}
