package main

import (
	"errors"
	"flag"
	"strconv"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/internal/bytesize"
)

// resultLimitFlags registers the flags of the bounds on query results,
// with their defaults.
func resultLimitFlags(fs *flag.FlagSet, l *ctlake.ResultLimits) {
	*l = l.WithDefaults()
	fs.Var(positiveInt{&l.MaxRows}, "max-result-rows", "rows one query's result may hold; a query past it ends FAILED")
	fs.Var(byteSize{positiveInt{&l.MaxBytes}}, "max-result-bytes", "bytes one query's result may hold, e.g. 1GiB; a query past it ends FAILED")
	fs.Var(byteSize{positiveInt{&l.MaxTotalBytes}}, "max-total-result-bytes",
		"bytes the results of all queries kept (seven days) may take, e.g. 8GiB; a query that would pass it ends FAILED")
	fs.Var(byteSize{positiveInt{&l.MaxValueBytes}}, "max-result-value-bytes", "bytes one value of a query's result may hold; a query with a larger one ends FAILED")
}

var errNotPositive = errors.New("give a number above 0")

// positiveInt is a flag of a count above zero.
type positiveInt struct{ n *int64 }

func (f positiveInt) String() string {
	if f.n == nil {
		return ""
	}
	return strconv.FormatInt(*f.n, 10)
}

func (f positiveInt) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return errNotPositive
	}
	*f.n = n
	return nil
}

// byteSize is a flag of a size above zero, such as 512MiB or 1GiB.
type byteSize struct{ positiveInt }

func (f byteSize) Set(s string) error {
	n, err := bytesize.Parse(s)
	if err != nil {
		return err
	}
	if n <= 0 {
		return errNotPositive
	}
	*f.n = n
	return nil
}
