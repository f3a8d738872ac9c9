// Package bench holds ctlake's end-to-end import benchmark: on one machine
// and in one run, it generates two trail data sets with trailgen, imports
// them through ctlake's API and times the tools a user would use instead,
// then prints one table (figure, ctlake, peer, ratio) and writes it as
// JSON.
//
//   - Large files from a folder (about 1M events in 2,016 files of 400–600
//     events): ctlake's import (StartImport → COMPLETED) against DuckDB's
//     read_json of the same files into a table with the Lake schema, and
//     against the floor, gzip -dc of every file on all cores.
//   - Tiny files from an S3 server (about 20,000 files of 2–6 events, served
//     by versitygw on loopback): ctlake's import against aws s3 sync of the
//     prefix to a folder, and against the floor, a 64-way concurrent GET of
//     every object.
//   - The server's peak RSS during the large import, and during an import
//     of four times the data; the segments' size on disk against DuckDB's
//     own zstd Parquet of the same rows.
//
// The full run is scripts/bench-import (CTLAKE_BENCH=1). Without it, the
// same code runs at a tiny scale as a test, so the harness cannot rot.
package bench
