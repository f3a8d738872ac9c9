package ctlake

import "fmt"

// ResultLimits bound what query results may take, so that one query can
// neither fill the disk nor, read back, the server's memory.
type ResultLimits struct {
	// MaxRows and MaxBytes bound the result of one query; MaxTotalBytes
	// the results of all queries kept (seven days); MaxValueBytes one
	// value. A query that would pass one ends FAILED, its rows dropped.
	MaxRows, MaxBytes, MaxTotalBytes, MaxValueBytes int64
}

// Default result limits (ctlake serve --max-result-rows,
// --max-result-bytes, --max-total-result-bytes, --max-result-value-bytes).
const (
	DefaultMaxResultRows       = 1_000_000
	DefaultMaxResultBytes      = 1 << 30
	DefaultMaxTotalResultBytes = 8 << 30
	DefaultMaxResultValueBytes = 1 << 20
)

// ResultPageBytes bounds one page of GetQueryResults, as ResultRowBytes
// counts: a page stops at the row that reaches it (a page has at least one
// row), with fewer rows than MaxQueryResults asked and a NextToken for the
// rest, as AWS pages results.
const ResultPageBytes = 8 << 20

// WithDefaults returns l with each zero limit set to its default.
func (l ResultLimits) WithDefaults() ResultLimits {
	orDefault := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	orDefault(&l.MaxRows, DefaultMaxResultRows)
	orDefault(&l.MaxBytes, DefaultMaxResultBytes)
	orDefault(&l.MaxTotalBytes, DefaultMaxTotalResultBytes)
	orDefault(&l.MaxValueBytes, DefaultMaxResultValueBytes)
	return l
}

// ResultRowBytes is the size a result row counts for: the bytes of its
// values, plus 8 for each value (so that a row of NULLs is not free).
func ResultRowBytes(row []*string) int64 {
	n := int64(8 * len(row))
	for _, v := range row {
		if v != nil {
			n += int64(len(*v))
		}
	}
	return n
}

// ResultLimitError is why a query's result went past a ResultLimits bound:
// the query ends FAILED with Message.
type ResultLimitError struct{ Message string }

func (e *ResultLimitError) Error() string { return e.Message }

// ResultTally counts a query's rows against the limits as they come.
type ResultTally struct {
	Limits      ResultLimits
	Rows, Bytes int64
}

// Add counts row, of the result with these columns, unless it passes a
// limit.
func (t *ResultTally) Add(columns []string, row []*string) error {
	l := t.Limits
	for i, v := range row {
		if v != nil && int64(len(*v)) > l.MaxValueBytes {
			col := ""
			if i < len(columns) {
				col = columns[i]
			}
			return &ResultLimitError{fmt.Sprintf("The query produced a value of %d bytes in column %q, more than the %s a result value may hold "+
				"(ctlake serve --max-result-value-bytes); select a shorter value, for example with substr.", len(*v), col, sizeText(l.MaxValueBytes))}
		}
	}
	size := ResultRowBytes(row)
	if t.Rows+1 > l.MaxRows {
		return &ResultLimitError{fmt.Sprintf("The query produced more than %d rows, the most a query's result may hold "+
			"(ctlake serve --max-result-rows); add a LIMIT or a narrower WHERE clause, or raise the limit.", l.MaxRows)}
	}
	if t.Bytes+size > l.MaxBytes {
		return &ResultLimitError{fmt.Sprintf("The query's result grew past %s, the most a query's result may hold "+
			"(ctlake serve --max-result-bytes); select fewer columns or rows, or raise the limit.", sizeText(l.MaxBytes))}
	}
	t.Rows++
	t.Bytes += size
	return nil
}

// CheckTotal returns a ResultLimitError if adding bytes to the results
// stored would take them past MaxTotalBytes.
func (l ResultLimits) CheckTotal(stored, adding int64) error {
	if stored+adding > l.MaxTotalBytes {
		return &ResultLimitError{fmt.Sprintf("The results kept on this server reached %s, the most they may take "+
			"(ctlake serve --max-total-result-bytes); results expire seven days after their query, or raise the limit.", sizeText(l.MaxTotalBytes))}
	}
	return nil
}

// sizeText writes n bytes in the largest binary unit that divides it.
func sizeText(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
