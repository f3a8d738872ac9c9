package awsjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Time is a timestamp member. On the wire it is epoch seconds as a JSON
// number (the protocol's default format): aws-sdk-go-v2 fails a whole call on
// a string timestamp. Responses carry milliseconds; requests may be integers
// (botocore), decimals (aws-sdk-go-v2) or, leniently, ISO-8601 strings.
type Time struct{ time.Time }

// NewTime returns t as a Time, or nil for the zero time, so that absent
// timestamps are left out of responses rather than sent as 0.
func NewTime(t time.Time) *Time {
	if t.IsZero() {
		return nil
	}
	return &Time{t}
}

// MarshalJSON writes epoch seconds with up to three decimals.
func (t Time) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return []byte(strconv.FormatInt(ms/1000, 10)), nil
	}
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

// UnmarshalJSON reads epoch seconds (integer, decimal or exponent form) or an
// ISO-8601 / RFC 3339 string.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		parsed, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return &Error{Status: 400, Code: "SerializationException", Message: fmt.Sprintf("The timestamp %q is neither epoch seconds nor ISO-8601 (2006-01-02T15:04:05Z).", s)}
		}
		t.Time = parsed.UTC()
		return nil
	}
	secs, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(secs, 0) || math.IsNaN(secs) || math.Abs(secs) > 253402300799 {
		return &Error{Status: 400, Code: "SerializationException", Message: fmt.Sprintf("The timestamp %s is not epoch seconds in the range of years 0001 to 9999.", b)}
	}
	whole, frac := math.Modf(secs)
	t.Time = time.Unix(int64(whole), int64(math.Round(frac*1e3))*1e6).UTC()
	return nil
}
