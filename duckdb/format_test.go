package duckdb

import (
	"math"
	"math/big"
	"strings"
	"testing"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"
)

// TestFormatTypes checks the text of every DuckDB type through a real
// query, so that what is checked is what duckdb-go scans and the engine
// prints.
func TestFormatTypes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	for _, c := range []struct{ expr, want string }{
		{"'text'", "text"},
		{"''", ""},
		{"NULL", "NULL"},
		{"CAST(NULL AS VARCHAR)", "NULL"},
		{"true", "true"},
		{"false", "false"},
		{"CAST(-7 AS TINYINT)", "-7"},
		{"CAST(300 AS SMALLINT)", "300"},
		{"CAST(70000 AS INTEGER)", "70000"},
		{"CAST(9007199254740993 AS BIGINT)", "9007199254740993"},
		{"CAST(255 AS UTINYINT)", "255"},
		{"CAST(18446744073709551615 AS UBIGINT)", "18446744073709551615"},
		{"CAST('170141183460469231731687303715884105727' AS HUGEINT)", "170141183460469231731687303715884105727"},
		{"count(*)", "1"},
		{"CAST(1.5 AS DECIMAL(10, 2))", "1.50"},
		{"CAST(-0.05 AS DECIMAL(4, 3))", "-0.050"},
		{"CAST(12345678901234567890.12 AS DECIMAL(38, 2))", "12345678901234567890.12"},
		{"CAST(42 AS DECIMAL(5, 0))", "42"},
		{"CAST(0.5 AS DOUBLE)", "0.5"},
		{"CAST(100 AS DOUBLE)", "100.0"},
		{"CAST(1e7 AS DOUBLE)", "1.0E7"},
		{"CAST(12345678.9 AS DOUBLE)", "1.23456789E7"},
		{"CAST(0.0001 AS DOUBLE)", "1.0E-4"},
		{"CAST(0.001 AS DOUBLE)", "0.001"},
		{"CAST(-2.5 AS DOUBLE)", "-2.5"},
		{"1 / 3", "0"}, // integer division, as Trino
		{"avg(x) FROM (VALUES (1), (2)) t(x) --", "1.5"},
		{"CAST('NaN' AS DOUBLE)", "NaN"},
		{"CAST('-Infinity' AS DOUBLE)", "-Infinity"},
		{"CAST(0.1 AS REAL)", "0.1"},
		{"CAST(1.5 AS FLOAT)", "1.5"},
		{"TIMESTAMP '2023-01-22 16:53:53'", "2023-01-22 16:53:53.000"},
		{"TIMESTAMP '2023-01-22 16:53:53.123456'", "2023-01-22 16:53:53.123"},
		{"TIMESTAMPTZ '2023-01-22 16:53:53.9999+02'", "2023-01-22 14:53:53.999"},
		{"CAST('2023-01-22 16:53:53.123456789' AS TIMESTAMP_NS)", "2023-01-22 16:53:53.123"},
		{"CAST('2023-01-22 16:53:53' AS TIMESTAMP_S)", "2023-01-22 16:53:53.000"},
		{"date_trunc('day', TIMESTAMPTZ '2023-01-22 16:53:53+00')", "2023-01-22 00:00:00.000"},
		{"DATE '2023-01-22'", "2023-01-22"},
		{"TIME '16:53:53.5'", "16:53:53.500"},
		{"INTERVAL 3 DAY", "3 00:00:00.000"},
		{"INTERVAL 90 MINUTE", "0 01:30:00.000"},
		{"TIMESTAMP '2023-01-02 01:00:00' - TIMESTAMP '2023-01-01 00:00:00'", "1 01:00:00.000"},
		{"INTERVAL '-36 hours'", "-1 12:00:00.000"},
		{"INTERVAL 14 MONTH", "1-2"},
		{"INTERVAL '1 year 2 months 3 days 04:05:06'", "1 year 2 months 3 days 04:05:06"},
		{"[1, 2, NULL]", "[1, 2, null]"},
		{"CAST([] AS INTEGER[])", "[]"},
		{"['a', 'b c']", "[a, b c]"},
		{"[[1], [2, 3]]", "[[1], [2, 3]]"},
		{"[TIMESTAMP '2023-01-22 16:53:53']", "[2023-01-22 16:53:53.000]"},
		{"{'b': 1, 'a': 'x', 'c': NULL}", "{b=1, a=x, c=null}"},
		{"{'s': {'t': [true, false]}}", "{s={t=[true, false]}}"},
		{"MAP {'k2': 'v2', 'k1': NULL}", "{k2=v2, k1=null}"},
		{"MAP {1: [1.5]}", "{1=[1.5]}"},
		{"CAST(MAP {} AS MAP(VARCHAR, VARCHAR))", "{}"},
		{"array_value(1, 2)", "[1, 2]"},
		{"'{\"b\": 1, \"a\": [1, 2.50]}'::JSON", `{"b": 1, "a": [1, 2.50]}`},
		{"json_object('b', 1, 'a', 2)", `{"b":1,"a":2}`},
		{"[json('{\"b\":1,\"a\":2}')]", `[{"b":1,"a":2}]`},
		{"{'j': json('12345678901234567890')}", `{j=12345678901234567890}`},
		{"MAP {'k': json('[1]')}", `{k=[1]}`},
		{"CAST('\\x00\\x01\\xFF' AS BLOB)", "00 01 ff"},
		{"CAST('550e8400-e29b-41d4-a716-446655440000' AS UUID)", "550e8400-e29b-41d4-a716-446655440000"},
		{"CAST('b' AS ENUM('a', 'b'))", "b"},
		{"CAST('0101' AS BIT)", "0101"},
		{"union_value(n := 2)", "2"},
	} {
		q := "SELECT " + c.expr + " AS v"
		if strings.HasSuffix(c.expr, "--") {
			q = "SELECT " + strings.Replace(c.expr, " FROM", " AS v FROM", 1)
		}
		r, err := f.query(t.Context(), q)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if len(r.rows) != 1 || len(r.rows[0]) != 1 || r.rows[0][0] != c.want {
			t.Errorf("%s = %q, want %q", c.expr, r.rows, c.want)
		}
	}
}

// TestFormatJSON checks JSON values from the stores: their text, key order
// and numbers as they were, at the top and nested, and that the cast that
// keeps them keeps the statement's order and column names too.
func TestFormatJSON(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	r := f.mustQuery(t, `SELECT eventname AS "eventName", json_extract(eventjson, '$.userIdentity') AS "userIdentity",
		json_extract(eventjson, '$.n') AS "n", [json_extract(eventjson, '$.eventName')] AS "_col3",
		json_extract(eventjson, '$.n') AS "n"
		FROM `+tableA+` WHERE eventjson <> '{}' ORDER BY eventtime DESC;`, tableA)
	checkRows(t, r, []string{"eventName", "userIdentity", "n", "_col3", "n"}, [][]string{
		{"PutObject", "NULL", "NULL", `["PutObject"]`, "NULL"},
		{"ConsoleLogin", `{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice","accountId":"111122223333"}`,
			"12345678901234567890", `["ConsoleLogin"]`, "12345678901234567890"},
	})

	r = f.mustQuery(t, "SELECT to_json(range) AS j FROM range(50000) ORDER BY range DESC -- comment")
	if len(r.rows) != 50000 {
		t.Fatalf("%d rows", len(r.rows))
	}
	for i, row := range r.rows {
		if want := big.NewInt(int64(49999 - i)).String(); row[0] != want {
			t.Fatalf("row %d = %q, want %q", i, row[0], want)
		}
	}
}

func TestJavaDouble(t *testing.T) {
	t.Parallel()
	tenth := 0.1 // a variable: constant arithmetic is exact
	for _, c := range []struct {
		x    float64
		bits int
		want string
	}{
		{1, 64, "1.0"},
		{-1, 64, "-1.0"},
		{0, 64, "0.0"},
		{math.Copysign(0, -1), 64, "-0.0"},
		{123.456, 64, "123.456"},
		{9999999, 64, "9999999.0"},
		{1e7, 64, "1.0E7"},
		{1.5e300, 64, "1.5E300"},
		{0.001, 64, "0.001"},
		{0.00099, 64, "9.9E-4"},
		{2e23, 64, "2.0E23"},
		{math.MaxFloat64, 64, "1.7976931348623157E308"},
		{tenth + 0.2, 64, "0.30000000000000004"},
		{float64(float32(0.1)), 32, "0.1"},
		{float64(float32(3.4e38)), 32, "3.4E38"},
		{math.NaN(), 64, "NaN"},
		{math.Inf(1), 64, "Infinity"},
	} {
		if got := javaDouble(c.x, c.bits); got != c.want {
			t.Errorf("javaDouble(%v, %d) = %q, want %q", c.x, c.bits, got, c.want)
		}
	}
}

func TestIntervalText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		iv   duckdbdrv.Interval
		want string
	}{
		{duckdbdrv.Interval{}, "0-0"},
		{duckdbdrv.Interval{Months: -3}, "-0-3"},
		{duckdbdrv.Interval{Months: 25}, "2-1"},
		{duckdbdrv.Interval{Micros: 1_500}, "0 00:00:00.001"},
		{duckdbdrv.Interval{Days: 1, Micros: 30 * 3_600_000_000}, "2 06:00:00.000"},
		{duckdbdrv.Interval{Days: -1, Micros: -1_000_000}, "-1 00:00:01.000"},
		{duckdbdrv.Interval{Months: 1, Days: 1}, "1 month 1 day"},
		{duckdbdrv.Interval{Months: 12, Micros: 1_250_000}, "1 year 00:00:01.25"},
	} {
		if got := intervalText(c.iv); got != c.want {
			t.Errorf("intervalText(%+v) = %q, want %q", c.iv, got, c.want)
		}
	}
}

// TestFormatter checks that a Formatter of the configuration replaces the
// default one.
func TestFormatter(t *testing.T) {
	t.Parallel()
	upper := func(v any, typ duckdbdrv.TypeInfo) *string {
		s := TrinoText(v, typ)
		if s != nil {
			*s = strings.ToUpper(*s)
		}
		return s
	}
	f := newFixture(t, Config{Formatter: upper})
	r := f.mustQuery(t, "SELECT eventname, useridentity.type AS t FROM "+tableB+" ORDER BY 1", tableB)
	checkRows(t, r, []string{"eventname", "t"}, [][]string{{"GETOBJECT", "NULL"}, {"LISTBUCKETS", "NULL"}})
}
