// Package ctlake is the domain of ctlake, a self-hosted CloudTrail Lake: the
// types, rules and interfaces that the rest of the program implements or
// uses. It imports only the standard library.
//
// # The map of the code
//
//   - ctlake (this package): event data stores, tags, callers, ARNs, ids,
//     errors named after CloudTrail's exceptions, the Catalog interface.
//   - awsjson: the AWS JSON 1.1 wire protocol, nothing CloudTrail-specific.
//   - sigv4: verification of AWS Signature Version 4.
//   - api: the CloudTrail operations, wire shapes to domain calls and back.
//   - lake: the Lake service, the rules that need the catalog.
//   - sqlite: the Catalog on SQLite.
//   - importer: the import engine (discovery, fetch, decode, streaming
//     segment writes, commit).
//   - trail: CloudTrail log files: key layout and a streaming decoder.
//   - segment: Parquet segment files, one store and event day each.
//   - s3, file: import sources (and, for s3, query result delivery).
//   - lakesql: CloudTrail Lake SQL checked and rewritten for DuckDB.
//   - duckdb: the query engine (ctlake.QueryEngine) over segment files:
//     sandboxed DuckDB in a bounded set of worker processes, each with a
//     kernel memory limit.
//   - server: the HTTP server (auth, limits, request ids, access log).
//   - console: the web console at /console/ (sessions, CSRF, static files).
//   - metrics: Prometheus metrics at /metrics.
//   - cmd/ctlake: the binary (server, CLI for people, query worker); the
//     only place that wires the parts together.
//   - trailgen, cmd/ctgen: a generator of trail trees with ground truth.
//   - ctlaketest, e2e, bench: conformance suites and a real S3 server, the
//     end-to-end tests against the built binary, the import benchmark.
//
// # Invariants
//
//   - Every error a client sees has a CloudTrail exception name (Error.Code);
//     anything else is InternalFailure, with details only in the server log.
//   - Every resource belongs to one account and one region (Caller): a
//     request signed for another region sees none of it.
//   - Every change to the catalog happens in one transaction (Catalog.Update),
//     so rules that read before they write hold under concurrency.
//   - A segment file is part of a store only once the catalog records it, in
//     the transaction that marks its source files done and adds to the
//     import's statistics: imports are exactly-once, and unknown segment
//     files are garbage from a crash, removed at start-up.
package ctlake
