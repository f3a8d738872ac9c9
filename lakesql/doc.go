// Package lakesql is the front end of CloudTrail Lake SQL: it checks one
// statement as users write it for CloudTrail Lake (Trino SQL, spec §6.1) and
// rewrites it into DuckDB SQL for the query engine. It is pure: no I/O, no
// DuckDB, only the standard library and the domain's error codes.
//
//	st, err := lakesql.Translate(`SELECT eventName, COUNT(*) AS n
//	    FROM 03543d1c-054c-4016-95ae-1f8faef24485 GROUP BY 1`)
//	// st.SQL:    SELECT eventName AS "eventName", COUNT(*) AS "n"
//	//            FROM eds_03543d1c_054c_4016_95ae_1f8faef24485 GROUP BY 1
//	// st.Stores: [03543d1c-054c-4016-95ae-1f8faef24485]
//
// Every refusal is an *ctlake.Error with the code
// InvalidQueryStatementException and a message that names what is not
// supported and where ("line 3, column 8").
//
// # Approach
//
// Translate works on tokens, not on a full grammar:
//
//  1. lex splits the statement into identifiers, quoted identifiers,
//     strings, numbers, operators and event data store ids (UUIDs).
//     Comments and whitespace are dropped. Anything outside the small
//     character set of the dialect is refused: non-ASCII characters outside
//     literals and quoted identifiers, control characters anywhere, and
//     DuckDB-only syntax ($1, $$...$$, ::, {...}, ->>, :=, ?).
//  2. tree groups the tokens by parentheses and brackets (at most 100
//     levels), so an argument list, a subquery or a CAST is one node.
//  3. checker enforces the safety rules below and binds the store ids.
//  4. rewriteSeq rewrites Trino functions and types into DuckDB's, and
//     labelOutput gives the outermost SELECT list AWS's column labels.
//  5. render writes the tree back as SQL.
//
// Because render writes every token in a canonical form (strings and
// quoted identifiers re-quoted, a space wherever two tokens could run
// together, never a comment), DuckDB reads exactly the tokens that were
// checked: no lexing difference between this package and DuckDB (nested
// comments, backslashes, "--" formed by two minus signs, E'\x41' strings) can
// smuggle anything past the checks.
//
// # Event data store ids
//
// A table is named by its event data store id, a UUID in either case,
// bare (FROM 03543d1c-054c-4016-95ae-1f8faef24485, as AWS documents it and
// as a stock Trino lexer would read as subtractions) or double-quoted.
// Aliases follow as usual. Each becomes TableName(id), an unquoted DuckDB
// identifier, and is listed once in Statement.Stores, in lower case, in the
// order of first appearance. An ARN is refused (use the id, the last part of
// the ARN: AWS documents only the id, and taking the id out of an ARN would
// silently ignore its account and region); so are the documentation's
// placeholders (EXAMPLE-f852-..., $EDS_ID, <EDS ID>), a store id anywhere
// but a table position, and a statement that reads no store.
//
// # Rewrites
//
// Each rewrite was checked on the linked DuckDB (1.5) by the execution
// tests, against the results Trino gives:
//
//   - element_at(m, k) is (m)[k]: DuckDB's element_at returns a list for a
//     MAP and does not take arrays; the subscript gives the value or NULL
//     for a map, and for an array the 1-based element, from the end for a
//     negative index, NULL out of range, as Trino's element_at.
//   - json_extract_scalar(j, p) is json_extract_string(json_value(j, p),
//     '$'): the scalar as text, NULL for an object or array (as Trino;
//     json_extract_string alone would return their JSON text).
//     json_extract stays. json_parse(x) is CAST(x AS JSON), json_format(j)
//     is CAST(j AS VARCHAR), and CAST(json_extract(...) AS varchar) or
//     CAST(json_parse(...) AS varchar) is json_extract_string(..., '$'):
//     Trino unquotes a JSON string there, DuckDB's cast would not.
//   - day_of_week and dow are isodow (Monday 1 to Sunday 7; DuckDB's
//     dayofweek counts Sunday as 0); day_of_month is dayofmonth,
//     day_of_year and doy dayofyear, year_of_week and yow isoyear,
//     week_of_year weekofyear; millisecond(x) is millisecond(x) % 1000
//     (DuckDB's counts the seconds too). year, month, day, hour, minute,
//     second, quarter, week, date_trunc, date(x) and EXTRACT are alike.
//   - date_add(unit, n, x) is (x + INTERVAL (n) UNIT), unit a string
//     literal; months clamp to the end of a shorter month as in Trino.
//     date_diff(unit, a, b) is date_sub(unit, a, b): whole units elapsed,
//     truncated toward zero, as Trino (DuckDB's own date_diff counts unit
//     boundaries instead: 2 days from 10:00 to 09:00 two days later).
//   - date_format and date_parse (MySQL specifiers) are strftime and
//     strptime with the format converted (%i is %M, %s is %S, %T, %r, %e,
//     %c, %k, %l...); format_datetime and parse_datetime (Joda patterns)
//     likewise. The format must be a string literal.
//   - from_iso8601_timestamp(s) is CAST(s AS TIMESTAMPTZ),
//     from_iso8601_date(s) CAST(s AS DATE), from_unixtime(n) to_timestamp(n),
//     to_unixtime(x) epoch(x). now(), current_timestamp and TRY_CAST stay.
//   - regexp_like is regexp_matches (both match anywhere);
//     regexp_extract(s, p[, g]) is regexp_extract_all(s, p[, g])[1], NULL
//     when nothing matches as in Trino (DuckDB's regexp_extract gives "");
//     regexp_replace gains the 'g' flag (Trino replaces every match, DuckDB
//     the first) and its replacement's $1 becomes \1; regexp_count and
//     regexp_split map to list forms. split_part and strpos stay.
//   - cardinality(x) is len(x) for an array and cardinality(x) for a map
//     (DuckDB's cardinality takes only maps, len only lists). Without
//     types, the form of the argument decides: a MAP column of the Lake
//     schema, webidfederationdata.attributes, a map-returning function or a
//     CAST to MAP is a map; anything else an array.
//   - contains is list_contains, array_join array_to_string, filter
//     list_filter, transform list_transform; any_match(a, f) is
//     len(list_filter(a, f)) > 0, none_match its negation, all_match(a, x
//     -> p) is len(list_filter(a, x -> NOT (p))) = 0; reduce(a, s, f, g)
//     applies g to list_reduce(a, f, s). Lambdas (x -> e) are written as
//     Trino writes them; DuckDB 1.5 accepts that syntax.
//   - approx_distinct is an exact count(DISTINCT …), approx_percentile
//     approx_quantile; count_if, max_by, min_by, arbitrary stay.
//   - url_extract_host, _protocol, _port, _path, _query and _fragment are
//     regular expressions over RFC 3986's parts, NULL where a part is absent.
//   - Renames with the same meaning: sequence→generate_series,
//     format→printf, replace(s, x) with an empty third argument,
//     levenshtein_distance,
//     hamming_distance, codepoint, last_day_of_month, to_utf8, from_utf8,
//     is_nan, is_finite, is_infinite, rand, truncate, arrays_overlap,
//     array_max, array_min.
//   - Types in CAST and TRY_CAST: array(T) is T[], row(a T, ...) is
//     STRUCT(a T, ...), timestamp(p) [with time zone] drops the precision,
//     varbinary is BLOB; map(K, V), varchar(n), decimal(p, s) and json
//     are spelled alike.
//   - Unchanged because DuckDB agrees: eventTime > '2023-01-01 00:00:00'
//     (DuckDB casts the string to the timestamp's type; date-only and
//     ISO 8601 strings too), INTERVAL '7' DAY, ||, LIKE, BETWEEN,
//     IS [NOT] DISTINCT FROM, CASE, UNION/INTERSECT/EXCEPT (distinct by
//     default in both), JOINs, window functions, UNNEST in FROM,
//     map_keys, map_values, split_part, strpos.
//
// A function this package does not know is left as written: DuckDB
// reports it when the query runs, unless it is blocked (below).
//
// # Column labels
//
// The outermost SELECT list gets explicit quoted aliases so that DuckDB's
// result columns carry AWS's labels (spec §6.4): a column keeps its
// spelling (eventName AS "eventName"), a field path its last component
// (userIdentity.principalid AS "principalid"), an alias its spelling, any
// other expression _col0, _col1, ... by position; * and t.* are left to
// DuckDB, which names the columns as the schema does, in lower case. For a
// set operation the first SELECT names the columns, in Trino and DuckDB.
//
// # Security model
//
// The query engine runs DuckDB in sandboxed worker processes, and DuckDB
// can read and write files, reach the network, load extensions and change
// its own settings from SQL. This package is the first of two layers; the
// engine is the second (enable_external_access off except the store files,
// configuration locked, no extension loading, memory and time limits). Before anything
// runs, Translate refuses:
//
//   - anything but exactly one statement (one trailing ";" is allowed)
//     starting with SELECT, WITH or "(": INSERT, UPDATE, DELETE, COPY,
//     ATTACH, DETACH, INSTALL, LOAD, PRAGMA, SET, RESET, CREATE, DROP,
//     ALTER, CALL, EXPORT, IMPORT, CHECKPOINT, VACUUM, USE, BEGIN, COMMIT,
//     EXPLAIN, DESCRIBE, SHOW, SUMMARIZE, PIVOT, UNPIVOT, TABLE, INTO and
//     RETURNING are refused wherever they appear unquoted, since DuckDB
//     accepts several of them inside a subquery ("FROM (DESCRIBE t)"), and
//     a group may not start with FROM (DuckDB's FROM-first queries), SET,
//     RESET, BEGIN, COMMIT, ROLLBACK, ABORT or ANALYZE;
//   - any table position (after FROM, after any JOIN, after a comma of a
//     FROM list, first inside a parenthesised join, after LATERAL) that
//     holds anything but a store id, a name defined by a WITH in scope
//     there, a parenthesised query or join, or UNNEST(...). So a string
//     literal ('file.csv', which DuckDB's replacement scans would read as a
//     file), a quoted name ("x.parquet", likewise), a table function, a
//     qualified or catalog name (duckdb_tables, information_schema.tables,
//     main.t), the engine's view names written directly, and a store id
//     followed by "." or "(" are all refused. A FROM is a table position
//     unless it ends IS [NOT] DISTINCT FROM or stands in the argument list
//     of EXTRACT, SUBSTRING or TRIM (and that list holds no SELECT). A
//     keyword used as a name never ends a FROM list: DuckDB takes VALUES as
//     a table alias with or without AS, and any keyword as a name after AS,
//     so "FROM t AS values, x" still checks x; FROM or JOIN after AS is
//     refused (quote it). TestKeywordAliasEscapes tries every keyword of
//     the linked DuckDB in every alias position;
//   - names defined by WITH are scoped as DuckDB scopes them, with one
//     difference that matters: a name is not visible in its own definition
//     nor in earlier ones, because DuckDB resolves such a reference against
//     the catalog (WITH t AS (SELECT * FROM t) reads the table t;
//     TestCTEShadowing). WITH RECURSIVE is refused for the same reason, and names must be
//     plain identifiers without a prefix of the engine or of DuckDB's
//     catalog (eds_, duckdb_, pg_, sqlite_, pragma_...);
//   - any call, anywhere (select list, lambda, method syntax x.f(), quoted
//     name), of a function that reads files or other databases, reaches the
//     network, exposes settings, the environment, secrets or the catalog,
//     runs SQL of its own, reads a table named by a string (query_table and
//     the macros over it or over the catalog: histogram_values,
//     format_type, get_block_size), or changes the state of the database or
//     the process: blockedFuncs and the prefixes read_, parquet_, duckdb_,
//     pragma_, pg_, sqlite_, postgres_, mysql_, iceberg_, delta_, arrow_,
//     enable_, disable_ and others. TestDuckDBFunctions keeps a reviewed
//     verdict for every function of the linked DuckDB in
//     testdata/duckdb_functions.txt and fails when an upgrade adds one;
//   - statements over 10,000 characters or nested deeper than 100 levels,
//     invalid UTF-8, and the characters and syntax listed under Approach.
//
// FuzzTranslate and TestAcceptedInvariants check what is accepted with two
// oracles: this package's lexer over the output, and DuckDB's own parser
// (json_serialize_sql, which runs nothing): one SELECT, base tables only
// the stores' views and WITH names, no table function but UNNEST, no
// blocked function.
//
// The engine should still create views only for the stores of
// Statement.Stores that the caller may read, and never a table whose name
// a WITH could shadow in a way that matters.
//
// # Known gaps
//
//   - Types are unknown here, so cardinality decides map or array by the
//     argument's form, and a JSON value cast to VARCHAR is unquoted only
//     when the cast's operand is a json_extract or json_parse call.
//   - greatest and least ignore NULL arguments in DuckDB; Trino returns
//     NULL. all_match answers true, not NULL, when the predicate is NULL for
//     some elements and true for the others. split_part past the last
//     field gives "" in DuckDB, NULL in Trino.
//   - UNNEST of an array of rows gives one struct column in DuckDB, where
//     Trino gives one column per field.
//   - _colN counts select items as written: after a * that expands to
//     several columns, Trino's N would be larger.
//   - Regular expressions run on RE2 (Trino uses Java's syntax: no
//     backreferences or lookaround in RE2).
//   - Trino functions outside the list above pass through unchanged and
//     fail in DuckDB if it lacks them, as FAILED queries with DuckDB's
//     message.
//   - A name that is a DuckDB reserved word but not a Trino one (desc, to,
//     column...) must be quoted when used as an identifier.
package lakesql
