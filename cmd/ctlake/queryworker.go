package main

import (
	"fmt"
	"os"

	"github.com/ctlake/ctlake/duckdb"
)

// isQueryWorker tells whether this process was started as a query worker:
// the server runs each query's DuckDB work in a child process of its own
// binary (duckdb.Pool), with the hidden first argument duckdb.WorkerArg.
func isQueryWorker(args []string) bool {
	return len(args) > 0 && args[0] == duckdb.WorkerArg
}

// queryWorker serves one check or query for the server over stdin and
// stdout, and returns the exit status.
func queryWorker() int {
	if err := duckdb.ServeWorker(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ctlake query worker:", err)
		return 1
	}
	return 0
}
