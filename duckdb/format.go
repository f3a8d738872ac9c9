package duckdb

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"
)

// A Formatter turns one value of a result row, as duckdb-go scans it, into
// the text GetQueryResults shows for it; nil stands for SQL NULL. t is the
// DuckDB type of the value's column, which the formatter needs to print
// the fields of a STRUCT in their declared order (duckdb-go scans a STRUCT
// into a Go map).
type Formatter func(v any, t duckdbdrv.TypeInfo) *string

// TrinoText is the default Formatter: every value in the text form that
// Trino, the engine behind CloudTrail Lake, gives it when a client prints
// it (spec §6.4). The rules are in the package documentation.
func TrinoText(v any, t duckdbdrv.TypeInfo) *string {
	if v == nil {
		return nil
	}
	var b strings.Builder
	writeValue(&b, v, t)
	s := b.String()
	return &s
}

// Layouts of the temporal types: millisecond precision, the precision of
// CloudTrail's eventTime and of Trino's timestamp(3).
const (
	timestampLayout = "2006-01-02 15:04:05.000"
	dateLayout      = "2006-01-02"
	timeLayout      = "15:04:05.000"
)

// writeValue writes the text of v, which is not nil, of type t, to b.
func writeValue(b *strings.Builder, v any, t duckdbdrv.TypeInfo) {
	typ := duckdbdrv.TYPE_INVALID
	if t != nil {
		typ = t.InternalType()
	}
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int8:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int16:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int32:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case uint8:
		b.WriteString(strconv.FormatUint(uint64(x), 10))
	case uint16:
		b.WriteString(strconv.FormatUint(uint64(x), 10))
	case uint32:
		b.WriteString(strconv.FormatUint(uint64(x), 10))
	case uint64:
		b.WriteString(strconv.FormatUint(x, 10))
	case *big.Int:
		b.WriteString(x.String())
	case float32:
		b.WriteString(javaDouble(float64(x), 32))
	case float64:
		b.WriteString(javaDouble(x, 64))
	case duckdbdrv.Decimal:
		b.WriteString(decimalText(x))
	case time.Time:
		writeTime(b, x, typ)
	case duckdbdrv.Interval:
		b.WriteString(intervalText(x))
	case []byte:
		if typ == duckdbdrv.TYPE_UUID && len(x) == 16 {
			b.WriteString(uuidText(x))
		} else {
			writeBytes(b, x)
		}
	case []any:
		writeList(b, x, t)
	case duckdbdrv.OrderedMap:
		writeMap(b, &x, t)
	case map[string]any:
		if typ == duckdbdrv.TYPE_STRUCT {
			writeStruct(b, x, t)
		} else {
			// A JSON object that reached the formatter without the
			// engine's cast to text (see jsonCast): its keys in
			// encoding/json's order.
			writeJSON(b, x)
		}
	case duckdbdrv.Union:
		writeNested(b, x.Value, unionMember(t, x.Tag))
	case duckdbdrv.Bit:
		b.WriteString(x.String())
	default:
		fmt.Fprint(b, x)
	}
}

// writeNested writes an element of a LIST, MAP, STRUCT or UNION: null for
// NULL, otherwise as a value of its own.
func writeNested(b *strings.Builder, v any, t duckdbdrv.TypeInfo) {
	if v == nil {
		b.WriteString("null")
		return
	}
	writeValue(b, v, t)
}

// writeTime writes a TIMESTAMP (of any precision or time zone) in UTC, a
// DATE or a TIME, to the millisecond; finer digits are cut, not rounded,
// so that a value never moves into the next second.
func writeTime(b *strings.Builder, x time.Time, typ duckdbdrv.Type) {
	switch typ {
	case duckdbdrv.TYPE_DATE:
		b.WriteString(x.Format(dateLayout))
	case duckdbdrv.TYPE_TIME:
		b.WriteString(x.Format(timeLayout))
	case duckdbdrv.TYPE_TIME_TZ:
		b.WriteString(x.Format(timeLayout + "-07:00"))
	default:
		b.WriteString(x.UTC().Format(timestampLayout))
	}
}

// writeList writes a LIST or ARRAY as [a, b].
func writeList(b *strings.Builder, x []any, t duckdbdrv.TypeInfo) {
	var child duckdbdrv.TypeInfo
	if t != nil {
		switch d := t.Details().(type) {
		case *duckdbdrv.ListDetails:
			child = d.Child
		case *duckdbdrv.ArrayDetails:
			child = d.Child
		}
	}
	b.WriteByte('[')
	for i, e := range x {
		if i > 0 {
			b.WriteString(", ")
		}
		writeNested(b, e, child)
	}
	b.WriteByte(']')
}

// writeMap writes a MAP as {k1=v1, k2=v2}, in the map's own order.
func writeMap(b *strings.Builder, m *duckdbdrv.OrderedMap, t duckdbdrv.TypeInfo) {
	var key, value duckdbdrv.TypeInfo
	if t != nil {
		if d, ok := t.Details().(*duckdbdrv.MapDetails); ok {
			key, value = d.Key, d.Value
		}
	}
	b.WriteByte('{')
	for i, k := range m.Keys() {
		if i > 0 {
			b.WriteString(", ")
		}
		writeNested(b, k, key)
		b.WriteByte('=')
		writeNested(b, m.Values()[i], value)
	}
	b.WriteByte('}')
}

// writeStruct writes a STRUCT as {field1=value1, field2=value2}, fields in
// the order of the type.
func writeStruct(b *strings.Builder, x map[string]any, t duckdbdrv.TypeInfo) {
	d, _ := t.Details().(*duckdbdrv.StructDetails)
	if d == nil {
		writeJSON(b, x)
		return
	}
	b.WriteByte('{')
	for i, e := range d.Entries {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.Name())
		b.WriteByte('=')
		writeNested(b, x[e.Name()], e.Info())
	}
	b.WriteByte('}')
}

// writeJSON writes a value that duckdb-go decoded from JSON as compact
// JSON.
func writeJSON(b *strings.Builder, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprint(b, v)
		return
	}
	b.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// unionMember returns the type of the member tag of the UNION type t.
func unionMember(t duckdbdrv.TypeInfo, tag string) duckdbdrv.TypeInfo {
	if t == nil {
		return nil
	}
	if d, ok := t.Details().(*duckdbdrv.UnionDetails); ok {
		for _, m := range d.Members {
			if m.Name == tag {
				return m.Type
			}
		}
	}
	return nil
}

// writeBytes writes a BLOB as Trino's command-line client prints a
// VARBINARY: two lower-case hex digits a byte, separated by spaces.
func writeBytes(b *strings.Builder, x []byte) {
	for i, c := range x {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hex.EncodeToString([]byte{c}))
	}
}

// uuidText returns the canonical 8-4-4-4-12 form of a UUID.
func uuidText(u []byte) string {
	h := hex.EncodeToString(u)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// decimalText writes a DECIMAL with exactly its scale's digits after the
// point, as Trino does: DECIMAL(10,2) 1.5 is "1.50".
func decimalText(d duckdbdrv.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	digits := new(big.Int).Abs(d.Value).String()
	scale := int(d.Scale)
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if d.Value.Sign() < 0 {
		return "-" + digits
	}
	return digits
}

// javaDouble formats a DOUBLE (bits 64) or REAL (bits 32) as Java's
// Double.toString and Float.toString do, which is how Trino prints them:
// the shortest digits that read back to the same value, in plain notation
// with at least one digit after the point when 1e-3 <= |x| < 1e7 ("0.5",
// "100.0"), otherwise in scientific notation ("1.0E7", "1.5E-4"); "NaN",
// "Infinity", "-Infinity".
func javaDouble(x float64, bits int) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	case x == 0:
		if math.Signbit(x) {
			return "-0.0"
		}
		return "0.0"
	}
	// "d.ddde±XX": the shortest digits and the decimal exponent.
	e := strconv.FormatFloat(x, 'e', -1, bits)
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mantissa, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	digits := strings.Replace(mantissa, ".", "", 1)
	abs := math.Abs(x)
	if abs >= 1e-3 && abs < 1e7 {
		var s string
		switch {
		case exp < 0:
			s = "0." + strings.Repeat("0", -exp-1) + digits
		case exp+1 >= len(digits):
			s = digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
		default:
			s = digits[:exp+1] + "." + digits[exp+1:]
		}
		return sign + s
	}
	frac := digits[1:]
	if frac == "" {
		frac = "0"
	}
	return sign + digits[:1] + "." + frac + "E" + strconv.Itoa(exp)
}

// intervalText writes an INTERVAL in Trino's forms where the interval fits
// one of Trino's two interval types: months only as INTERVAL YEAR TO MONTH
// ("1-2" for 1 year 2 months, "-0-3"), days and time only as INTERVAL DAY
// TO SECOND ("3 04:05:06.789", days counting whole 24-hour days, to the
// millisecond). An interval with both (DuckDB's age(), for one) has no
// Trino form and is written as DuckDB writes it ("1 year 2 months 3 days
// 04:05:06").
func intervalText(iv duckdbdrv.Interval) string {
	switch {
	case iv.Days == 0 && iv.Micros == 0:
		m := int64(iv.Months)
		sign := ""
		if m < 0 {
			sign, m = "-", -m
		}
		return fmt.Sprintf("%s%d-%d", sign, m/12, m%12)
	case iv.Months == 0:
		ms := int64(iv.Days)*86_400_000 + iv.Micros/1000
		sign := ""
		if ms < 0 {
			sign, ms = "-", -ms
		}
		day := ms / 86_400_000
		ms %= 86_400_000
		return fmt.Sprintf("%s%d %02d:%02d:%02d.%03d", sign, day, ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
	}
	var parts []string
	unit := func(n int64, name string) {
		if n == 0 {
			return
		}
		if n != 1 && n != -1 {
			name += "s"
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, name))
	}
	unit(int64(iv.Months)/12, "year")
	unit(int64(iv.Months)%12, "month")
	unit(int64(iv.Days), "day")
	if iv.Micros != 0 {
		us := iv.Micros
		sign := ""
		if us < 0 {
			sign, us = "-", -us
		}
		t := fmt.Sprintf("%s%02d:%02d:%02d", sign, us/3_600_000_000, us/60_000_000%60, us/1_000_000%60)
		if frac := us % 1_000_000; frac != 0 {
			t += strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, " ")
}
