// Package ctlake is the domain of ctlake, a self-hosted CloudTrail Lake: the
// types, rules and interfaces that the rest of the program implements or
// uses. It imports only the standard library.
//
// # The map of the code
//
// The domain (this package): event data stores and their state machine,
// imports, queries and their results, LookupEvents' filter, tags, callers,
// ARNs, ids, input validation, and errors named after CloudTrail's
// exceptions (one catalogue of codes). Its interfaces are the seams the
// service depends on, each implemented by an adapter:
//
//   - Catalog (Tx): the durable record of stores, imports, files, segments
//     and queries; package sqlite.
//   - SegmentStore (SegmentWriter): the stores' Parquet segment files;
//     package segment.
//   - Source and SourceOpener: where trail log files are read; packages s3
//     and file.
//   - ImportRunner (ImportScope): the work of an import; package importer.
//   - QueryEngine: checks and runs CloudTrail Lake SQL and answers
//     LookupEvents; package duckdb.
//   - ResultDelivery: writes query results to S3; package s3.
//   - Observer: told when imports and queries start and end; package
//     metrics.
//
// The other packages, by layer (deps_test.go keeps the direction: domain ←
// adapters ← lake ← api, server, console ← cmd):
//
//   - awsjson: the AWS JSON 1.1 wire protocol, nothing CloudTrail-specific.
//   - sigv4: verification of AWS Signature Version 4.
//   - trail: CloudTrail log files: key layout (which part of a key is the
//     account, region, day) and a streaming decoder.
//   - segment: Parquet segment files, one store and event day each.
//   - sqlite: the Catalog on SQLite.
//   - s3, file: import sources; s3 also delivers query results.
//   - importer: the import engine (discovery, fetch, decode, streaming
//     segment writes, batched commits).
//   - lakesql: CloudTrail Lake (Trino) SQL checked and rewritten for DuckDB;
//     pure, no I/O.
//   - duckdb: the query engine over segment files: sandboxed DuckDB in
//     bounded pools of worker processes (the server's own executable run
//     as "ctlake __query-worker"), each under a kernel memory limit.
//   - metrics: Prometheus metrics at /metrics.
//   - internal/sqlquote: SQL string literals and quoted identifiers, the
//     one quoting helper; internal/serializedsql: DuckDB's syntax trees;
//     internal/bytesize: the one grammar of size flags; internal/procfs:
//     memory figures from /proc.
//   - lake: the Lake service, every rule that needs the catalog (names,
//     quotas, state transitions, import and query runs, result paging,
//     purges), written against the seams above only.
//   - api: the CloudTrail operations, wire shapes to domain calls and back.
//   - server: the HTTP server (auth, limits, request ids, access log).
//   - console: the web console at /console/ (sessions, CSRF, static files).
//   - cmd/ctlake: the binary: ctlake serve, the hidden query worker entry,
//     and the CLI for people (a client of the API over HTTP, like the AWS
//     CLI); the only place that wires the parts together.
//   - trailgen, cmd/ctgen: a generator of trail trees with ground truth.
//   - ctlaketest, e2e, bench, internal/sqlcorpus: conformance suites and a
//     real S3 server, the end-to-end tests against the built binary, the
//     import benchmark, the SQL corpora the tests run.
//
// # The data flow
//
// A request is signed with SigV4 (server, sigv4), decoded from AWS JSON
// 1.1 and validated (api, awsjson), and handled by the lake service (lake),
// which keeps its state in the Catalog.
//
// StartImport: lake checks the store and the source and records the import;
// the ImportRunner (importer) lists the source (s3 or file) below the
// trail prefixes of the ImportScope, decodes each gzip JSON log file
// (trail), writes the events as segments through the SegmentStore
// (segment), and commits each batch of segments with its files and
// statistics in one catalog transaction.
//
// StartQuery: lake asks the QueryEngine (duckdb) to Prepare the statement
// (lakesql translates it; a worker process checks it with DuckDB's own
// parser and planner), records the query QUEUED, and runs it when a slot
// is free: the engine runs it in a worker process over the segments the
// catalog lists for its stores, and lake commits the rows to the catalog
// in batches, bounded by ResultLimits, for GetQueryResults and, when asked,
// ResultDelivery (s3).
// LookupEvents is one engine query over the account's stores.
//
// The Observer (metrics) is told of every import run and every query.
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
//   - No query runs DuckDB in the server's process: every check and query
//     runs in a worker process, so a statement that exhausts memory or
//     time ends its worker, never the server.
package ctlake
