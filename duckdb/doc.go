// Package duckdb is ctlake's query engine: QueryEngine implements
// ctlake.QueryEngine. It runs Lake queries, checked and translated to
// DuckDB SQL by the front end (package lakesql), in DuckDB
// (github.com/duckdb/duckdb-go/v2, DuckDB 1.5) inside worker processes,
// over the Parquet segment files of package segment, and delivers their
// rows as GetQueryResults shows them (spec §6.4). Engine is the DuckDB of
// one worker process; Pool runs workers; QueryEngine joins the front end
// and two bounded pools.
//
// # The sandbox
//
// A query is text from a caller, so the engine assumes it is hostile even
// though the front end has already refused everything but one SELECT. Two
// walls stand in its way: DuckDB's own settings, then the engine's check of
// every statement.
//
// The settings, applied with SET GLOBAL at Open, in this order:
//
//   - threads and memory_limit bound the CPU and memory of all queries
//     together (defaults: every CPU; a quarter of the machine's or cgroup's
//     memory, at most 4 GiB).
//   - temp_directory is where a query that outgrows memory_limit spills
//     (Config.TempDir, inside the data folder; "" disables spilling, so such
//     a query fails), and max_temp_directory_size bounds it (default 10GB),
//     so that a runaway query cannot fill the disk the segments live on.
//   - TimeZone = 'UTC': DuckDB has ICU built in, and eventtime is read as
//     TIMESTAMP WITH TIME ZONE, whose functions (date_trunc, casts to DATE or
//     text) otherwise follow the machine's zone.
//   - default_null_order = 'nulls_last', Trino's order for ASC and DESC.
//   - autoinstall_known_extensions, autoload_known_extensions and
//     allow_community_extensions = false, allow_persistent_secrets = false:
//     no extension is downloaded or loaded, and no secret read from disk.
//     The json, parquet and icu extensions are linked in.
//   - allowed_directories = Config.AllowedDirs (the segment root), then
//     enable_external_access = false: DuckDB reads and writes no file
//     outside those folders and reaches no network. Reading inside them
//     still works with external access off: that is how the store views
//     read segments. DuckDB adds temp_directory to the list by itself.
//   - lock_configuration = true, last: from then on no SET, RESET or PRAGMA
//     changes any setting, in the session or globally.
//
// What DuckDB 1.5.6 still allows with all that in force (TestDuckDBSettings
// logs it): reading any file inside an allowed folder, by a replacement scan
// (FROM '<segments>/<other store>/....parquet') or a table function
// (read_parquet, read_text, glob of the whole tree, parquet_metadata), which
// would let a query read the segments of a store it was not given; writing
// inside an allowed folder, the temp folder included, with COPY ... TO,
// EXPORT DATABASE and ATTACH of a new database file; ATTACH ':memory:'; SET
// VARIABLE. And duckdb-go's PrepareContext and QueryContext run every
// statement but the last of a multi-statement text before they prepare the
// last one, so a statement type checked on the prepared statement alone
// would come after "COPY ...; SELECT 1" had already written its file.
//
// The engine therefore checks each statement before anything runs, on the
// query's own connection:
//
//   - DuckDB's own parser reads it (json_serialize_sql, a pure function of
//     the text): it must be exactly one statement, and a SELECT, the only
//     kind json_serialize_sql serializes;
//   - every table in the syntax tree, at any depth (subqueries, CTEs, set
//     operations, function arguments), must be one of the query's store
//     views or a common table expression of the statement, unqualified, and
//     a CTE name must be a plain identifier, so that no name in FROM can
//     reach a replacement scan;
//   - the only table functions are unnest, range and generate_series, which
//     make rows from their arguments alone; DESCRIBE, SHOW and SUMMARIZE are
//     refused, and so are the scalar functions current_setting (it shows the
//     configuration, data folder included) and write_log;
//   - DuckDB must then prepare it as a SELECT (the prepared statement's
//     type) without parameters.
//
// Such refusals wrap ErrNotAllowed. With those rules no COPY, ATTACH,
// EXPORT, SET, PRAGMA, INSTALL, LOAD, CREATE or second statement reaches
// DuckDB, and a query reads only the segment files of the stores it was
// given. TestEscapes runs the corpus of attempts through Query and checks
// that each fails and that no file appeared.
//
// # Stores as views
//
// Each Query runs on a new DuckDB connection, closed when the query ends.
// On it the engine creates, for every store, a temporary view named by the
// store's table name:
//
//	CREATE TEMP VIEW eds_... AS SELECT <the Lake columns> FROM read_parquet(
//	    ['<segment>', ...], hive_partitioning = false, union_by_name = true)
//
// The column list is explicit, in spec order (§6.2), so that "SELECT *"
// gives exactly the Lake columns: hive_partitioning = false keeps DuckDB
// from adding eventday from the folder names, and union_by_name reads a
// segment written before a column existed as NULLs in it. A store without
// segments gets a view of the same columns with the same types and no rows
// (SELECT CAST(NULL AS <type>) AS <column>, ... LIMIT 0). The columns and
// their DuckDB types are learned at Open from a one-event segment that the
// segment package writes into a scratch folder, so the views follow the
// writer's schema without restating it. The views live in the connection's
// temporary schema, which only that connection sees, and go away with it:
// no query can see another's stores, even while they run side by side.
//
// # Limits
//
// A query runs until its context ends: duckdb-go interrupts DuckDB when the
// context is cancelled (CancelQuery) or its deadline passes (TIMED_OUT), and
// Query then returns ctx.Err() itself, within milliseconds (TestDeadline).
// A query that needs more than memory_limit and cannot spill fails with
// DuckDB's out-of-memory error (a *duckdbdrv.Error of type
// ErrorTypeOutOfMemory), and the engine goes on. Query is safe for
// concurrent use; DuckDB shares its threads and memory among the queries
// running, and the caller bounds how many run (the lake service runs
// --query-workers at once).
//
// Those limits do not hold everywhere. DuckDB computes constant
// expressions while it plans (table function arguments above all:
// UNNEST(sequence(1, 1000000000)) builds 8 GB at prepare), heedless of
// memory_limit and of interruption, and it allocates a single large value
// (repeat(s, 100000000), a chain of s || s) outside memory_limit while it
// runs: one such statement, run in the server's own process, could take
// the whole machine. Hence the worker processes.
//
// # Worker processes
//
// The server does not call Check and Query in its own process: a Pool
// (of a QueryEngine) runs each check and each query in a child process of
// the server's own executable, started with the hidden argument WorkerArg
// (ctlake __query-worker), which calls ServeWorker. The worker gets the
// engine's configuration, then a job (check or query: the SQL, the store
// table names, the segment paths) as JSON lines on its stdin, opens its own
// sandboxed DuckDB exactly as Open does (the rules above all hold in it),
// and answers on stdout: the columns, the rows in batches (512 rows, 1 MiB
// or a tenth of a second, whichever first) as they come, then "done" or an
// error (protocol.go). It serves jobs one at a time, each on a new DuckDB
// connection as above. The pool keeps workers started (Idle), since
// starting one and opening DuckDB takes far longer than an idle one takes
// to answer a check (the README's performance section has the figures); a
// worker whose job ended by itself goes back to them (at most 100 jobs,
// and only while its RSS is under 256 MiB), and one that was killed or
// cancelled never serves again.
//
// A pool has at most MaxWorkers processes alive, idle ones and ones still
// exiting included; a job that finds them all busy waits (Wait). A
// QueryEngine has two pools: one of --query-workers workers for queries
// (the lake service runs no more at once) and one of DefaultCallWorkers
// for what an API call waits on, StartQuery's checks and LookupEvents,
// which wait at most DefaultCallWait and are then answered
// ThrottlingException. Apart, long queries never hold up StartQuery and a
// burst of StartQuery never takes memory from running queries. Without
// --query-memory-limit, the OS budgets of all the workers together are
// WorkersMemoryShare (half) of the machine's memory (workerMemory).
//
// The walls the worker adds:
//
//   - Memory: before it opens DuckDB the worker sets RLIMIT_DATA to what
//     its data mappings are then plus a budget (by default its share of
//     half the machine's memory, memory_limit being that less 512 MiB or
//     half; with a memory_limit given, DefaultMemoryBudget: memory_limit +
//     512 MiB, at least 1 GiB). RLIMIT_DATA counts what
//     malloc and the Go heap map, not address space reserved and unused
//     (glibc's arenas, thread stacks, the race detector's shadow), which
//     RLIMIT_AS would count and refuse first; counting from the current
//     figure keeps the budget the query's even in a -race build. Past it
//     malloc fails and DuckDB reports "Failed to allocate ... (bad
//     allocation)" at once, instead of growing. The query ends with an error wrapping ErrOutOfMemory
//     that names the limit. A worker killed by the kernel (SIGKILL it did
//     not get from the pool) or whose Go runtime ran out of memory is
//     reported the same way.
//   - Time: a check whose worker uses more than PoolConfig.CheckTimeout
//     (5 s) of CPU time, which a loaded machine does not inflate as it does
//     wall-clock time (with a wall-clock backstop for a worker that hangs
//     idle), is killed and the statement refused with ErrCheckTimeout (the
//     server answers InvalidQueryStatementException): planning a legitimate Lake
//     query takes milliseconds, and a statement whose constants take
//     seconds to compute is one to rewrite, not to run. A query whose
//     context ends gets its stdin closed (the worker interrupts DuckDB and
//     sends the rows it has, which are kept), then SIGKILL to its process
//     group after PoolConfig.Grace (1 s) if it has not ended.
//   - Life: a worker is its own process group leader, and the kernel kills
//     it when the server dies (PR_SET_PDEATHSIG), however the server dies.
//     Its environment holds none of the server's variables (the server's
//     credentials stay out of reach), and it spills to its own folder inside
//     the engine's temp_directory, removed when it ends.
//   - Size: no row larger than 16 MiB and no line larger than 64 MiB
//     crosses the pipe, so that the server never holds a huge value.
//
// memory_limit, threads and max_temp_directory_size are therefore per
// query, not shared by the queries running together; the server bounds how
// many run at once (--query-workers).
//
// # Statistics
//
// EventsScanned and BytesScanned are the rows and bytes of all the segment
// files of the stores a query names, read from the files' Parquet footers
// and sizes by the engine itself: what the query may read. They do not
// shrink when DuckDB skips row groups by their eventtime statistics or
// reads only some columns. Rows is the number of rows delivered to the
// sink.
//
// # Values
//
// Every value of a row is text, or nil for SQL NULL. The default Formatter,
// TrinoText, writes each in the text form Trino (CloudTrail Lake's engine)
// gives it when a client prints it; Config.Formatter replaces it. The rules:
//
//   - VARCHAR as it is; BOOLEAN "true" or "false"; ENUM its label.
//   - Integers of every width (HUGEINT too) in decimal, without exponent.
//   - DECIMAL with exactly its scale's digits after the point: "1.50".
//   - DOUBLE and REAL as Java's Double.toString and Float.toString: the
//     shortest digits that read back to the same value, "0.5", "100.0",
//     "0.001", and scientific notation below 1e-3 or from 1e7 on:
//     "1.0E7", "1.0E-4"; "NaN", "Infinity", "-Infinity".
//   - TIMESTAMP and TIMESTAMP WITH TIME ZONE, of any precision, in UTC as
//     "2006-01-02 15:04:05.000": the millisecond precision of eventTime and
//     of Trino's timestamp(3); finer digits are cut, not rounded. DATE
//     "2006-01-02"; TIME "15:04:05.000".
//   - INTERVAL of months only as Trino's year-to-month form "1-2" (1 year 2
//     months); of days and time only as its day-to-second form
//     "3 04:05:06.789"; of both, which Trino cannot express, as DuckDB's own
//     "1 year 2 months 3 days 04:05:06".
//   - LIST and ARRAY as "[a, b]", MAP as "{k1=v1, k2=v2}" in the map's
//     order (segments store maps sorted by key), STRUCT as
//     "{field1=value1, field2=value2}" in field order: Trino's text form,
//     recursively, elements unquoted, a NULL inside as "null".
//   - JSON as its text, exactly as DuckDB holds it: the engine casts JSON
//     values, however nested, to text in the statement itself (duckdb-go
//     would decode them into Go maps, losing key order and big numbers).
//   - BLOB as two lower-case hex digits a byte, separated by spaces
//     ("00 01 ff"), as Trino's command-line client prints a VARBINARY; UUID
//     in its 8-4-4-4-12 form; BIT as its digits; a UNION as its value.
//
// Column names are as DuckDB reports them: an alias as written, a bare
// column by its name in the table (lower case). The front end writes the
// aliases that give AWS's labels (eventName, _col0, ...).
package duckdb
