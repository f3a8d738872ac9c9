package ctlake

import (
	"errors"
	"strings"
	"testing"
)

func str(s string) *string { return &s }

func TestResultTally(t *testing.T) {
	limits := ResultLimits{MaxRows: 3, MaxBytes: 100, MaxValueBytes: 20}.WithDefaults()
	if limits.MaxTotalBytes != DefaultMaxTotalResultBytes {
		t.Errorf("MaxTotalBytes %d, want the default %d", limits.MaxTotalBytes, DefaultMaxTotalResultBytes)
	}
	cols := []string{"a", "b"}
	cases := []struct {
		name string
		rows [][]*string
		want string // "" for no error
	}{
		{"three rows fit", [][]*string{{str("x"), nil}, {nil, nil}, {str("y"), str("z")}}, ""},
		{"the fourth row is one too many", [][]*string{{nil, nil}, {nil, nil}, {nil, nil}, {nil, nil}},
			"The query produced more than 3 rows, the most a query's result may hold (ctlake serve --max-result-rows); add a LIMIT or a narrower WHERE clause, or raise the limit."},
		// Rows of 16 + 20 bytes: two are 72, the third would be 108.
		{"bytes", [][]*string{{str(strings.Repeat("v", 20)), nil}, {str(strings.Repeat("v", 20)), nil}, {str(strings.Repeat("v", 20)), nil}},
			"The query's result grew past 100 bytes, the most a query's result may hold (ctlake serve --max-result-bytes); select fewer columns or rows, or raise the limit."},
		{"a value of 21 bytes", [][]*string{{nil, str(strings.Repeat("v", 21))}},
			`The query produced a value of 21 bytes in column "b", more than the 20 bytes a result value may hold (ctlake serve --max-result-value-bytes); select a shorter value, for example with substr.`},
	}
	for _, tc := range cases {
		tally := ResultTally{Limits: limits}
		var err error
		for _, r := range tc.rows {
			if err = tally.Add(cols, r); err != nil {
				break
			}
		}
		var le *ResultLimitError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (!errors.As(err, &le) || le.Message != tc.want):
			t.Errorf("%s:\n got %v\nwant %s", tc.name, err, tc.want)
		}
	}
}

func TestResultRowBytes(t *testing.T) {
	// 8 a value, NULL or not, plus the value's bytes.
	if got := ResultRowBytes([]*string{str("héllo"), nil, str("")}); got != 24+6 {
		t.Errorf("ResultRowBytes = %d, want 30", got)
	}
}

func TestCheckTotal(t *testing.T) {
	l := ResultLimits{MaxTotalBytes: 8 << 30}
	if err := l.CheckTotal(8<<30-10, 10); err != nil {
		t.Errorf("up to the limit: %v", err)
	}
	want := "The results kept on this server reached 8 GiB, the most they may take (ctlake serve --max-total-result-bytes); results expire seven days after their query, or raise the limit."
	if err := l.CheckTotal(8<<30-10, 11); err == nil || err.Error() != want {
		t.Errorf("past the limit:\n got %v\nwant %s", err, want)
	}
}
