package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
)

func TestReportExitStatusAndMessage(t *testing.T) {
	apiErr := &smithy.OperationError{ServiceID: "CloudTrail", OperationName: "GetImport",
		Err: fmt.Errorf("https response error: %w", &smithy.GenericAPIError{Code: "ImportNotFoundException", Message: "There is no import with id x."})}
	for _, c := range []struct {
		err  error
		code int
		out  string
	}{
		{nil, 0, ""},
		{flag.ErrHelp, 0, ""},
		{apiErr, 1, "ImportNotFoundException: There is no import with id x.\n"},
		{fmt.Errorf("list event data stores: %w", apiErr), 1, "ImportNotFoundException: There is no import with id x.\n"},
		{usageErrorf("give the SQL"), 2, "ctlake: give the SQL\n"},
		{&exitError{code: 1}, 1, ""},
		{&exitError{code: 2, err: fmt.Errorf("listen: busy")}, 2, "ctlake: listen: busy\n"},
		{fmt.Errorf("get results: %w", context.Canceled), exitInterrupted, "ctlake: interrupted\n"},
	} {
		var b strings.Builder
		if code := report(&b, c.err); code != c.code || b.String() != c.out {
			t.Errorf("report(%v) = %d, %q; want %d, %q", c.err, code, b.String(), c.code, c.out)
		}
	}
}
