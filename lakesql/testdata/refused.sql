-- Statements that Translate must refuse with InvalidQueryStatementException
-- (TestRefused). Each entry starts with a line "-- ==== " saying why it is
-- refused. Statements with control characters, invalid UTF-8 or extreme
-- sizes are in TestRefusedSpecial instead.

-- ==== statement type: INSERT writes
INSERT INTO eds_03543d1c_054c_4016_95ae_1f8faef24485 VALUES (1)
-- ==== statement type: UPDATE writes
UPDATE x SET a = 1
-- ==== statement type: DELETE writes
DELETE FROM x
-- ==== statement type: COPY ... TO writes a file
COPY (SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485) TO '/tmp/out.csv'
-- ==== statement type: COPY ... FROM reads a file
COPY x FROM '/etc/passwd'
-- ==== statement type: ATTACH opens another database file
ATTACH '/tmp/other.duckdb' AS other
-- ==== statement type: DETACH
DETACH other
-- ==== statement type: INSTALL fetches an extension
INSTALL httpfs
-- ==== statement type: LOAD loads an extension
LOAD httpfs
-- ==== statement type: PRAGMA
PRAGMA database_list
-- ==== statement type: SET changes the configuration
SET enable_external_access = true
-- ==== statement type: RESET
RESET enable_external_access
-- ==== statement type: CREATE
CREATE TABLE x AS SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== statement type: CREATE MACRO
CREATE MACRO m(x) AS x
-- ==== statement type: DROP
DROP VIEW eds_03543d1c_054c_4016_95ae_1f8faef24485
-- ==== statement type: ALTER
ALTER TABLE x RENAME TO y
-- ==== statement type: CALL
CALL pragma_version()
-- ==== statement type: EXPORT DATABASE writes files
EXPORT DATABASE '/tmp/dump'
-- ==== statement type: IMPORT DATABASE reads files
IMPORT DATABASE '/tmp/dump'
-- ==== statement type: CHECKPOINT
CHECKPOINT
-- ==== statement type: VACUUM
VACUUM
-- ==== statement type: USE
USE memory
-- ==== statement type: BEGIN
BEGIN TRANSACTION
-- ==== statement type: COMMIT
COMMIT
-- ==== statement type: EXPLAIN (read-only, but not a query of events)
EXPLAIN SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== statement type: EXPLAIN ANALYZE runs the query
EXPLAIN ANALYZE SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== statement type: DESCRIBE
DESCRIBE 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== statement type: SHOW
SHOW TABLES
-- ==== statement type: SUMMARIZE
SUMMARIZE SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== statement type: PIVOT
PIVOT 03543d1c-054c-4016-95ae-1f8faef24485 ON eventname USING count(*)
-- ==== statement type: DuckDB's FROM-first query
FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== statement type: a bare VALUES reads no store
VALUES (1)
-- ==== statement type: WITH followed by INSERT
WITH a AS (SELECT 1) INSERT INTO x SELECT * FROM a
-- ==== statement type: SELECT INTO would create a table
SELECT * INTO t FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== statement type: TABLE x is SELECT * FROM x in DuckDB
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 WHERE eventname IN (TABLE duckdb_tables)
-- ==== empty: only a semicolon
;
-- ==== empty: only comments
/* nothing */ -- at all
-- ==== several statements
SELECT 1 FROM 03543d1c-054c-4016-95ae-1f8faef24485; SELECT 2 FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== several statements: a second, empty one
SELECT 1 FROM 03543d1c-054c-4016-95ae-1f8faef24485;;
-- ==== several statements: the second after a comment
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485; /* harmless? */ DROP VIEW x
-- ==== several statements: a semicolon inside a comment does not end the statement, the next one does
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 /* ; */ ; ATTACH '/tmp/x.db'
-- ==== several statements: a semicolon inside a string does not end the statement, the next one does
SELECT ';' FROM 03543d1c-054c-4016-95ae-1f8faef24485; COPY x TO '/tmp/x'
-- ==== several statements: block comments do not nest (as in Trino), so "; DROP" is outside the comment
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 /* /* */ ; DROP VIEW x */
-- ==== unterminated block comment
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 /* ATTACH '/tmp/x'
-- ==== unterminated string literal
SELECT 'x FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== unterminated quoted identifier
SELECT "x FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== unbalanced parentheses
SELECT (1 FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== mismatched brackets
SELECT (1] FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== file function: read_csv in FROM
SELECT * FROM read_csv('/etc/passwd')
-- ==== file function: read_csv_auto next to a store
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485, read_csv_auto('/etc/passwd')
-- ==== file function: read_json
SELECT * FROM read_json('/etc/x.json')
-- ==== file function: read_json_auto in a JOIN
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 a JOIN read_json_auto('/x.json') b ON true
-- ==== file function: read_ndjson_objects
SELECT * FROM read_ndjson_objects('/x')
-- ==== file function: read_parquet in a CTE
WITH x AS (SELECT * FROM read_parquet('s3://bucket/x.parquet')) SELECT * FROM x, 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== file function: parquet_scan
SELECT * FROM parquet_scan('/data/segments/*/*.parquet')
-- ==== file function: parquet_metadata
SELECT * FROM parquet_metadata('/data/x.parquet')
-- ==== file function: parquet_schema in a subquery
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 WHERE eventname IN (SELECT name FROM parquet_schema('/x.parquet'))
-- ==== file function: read_text in the SELECT list
SELECT read_text('/etc/passwd') FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== file function: read_blob in a lambda
SELECT list_transform(['/etc/passwd'], f -> read_blob(f)) FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== file function: read_text called as a method
SELECT '/etc/passwd'.read_text() FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== file function: a quoted function name
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 WHERE eventname = (SELECT content FROM "read_text"('/etc/passwd'))
-- ==== file function: case games
sElEcT * FrOm 03543d1c-054c-4016-95ae-1f8faef24485 WhErE 1 = (SeLeCt CoUnT(*) FrOm ReAd_TeXt('/etc/passwd'))
-- ==== file function: glob lists files
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 LIMIT (SELECT count(*) FROM glob('/*'))
-- ==== file function: sniff_csv
SELECT * FROM sniff_csv('/etc/passwd')
-- ==== file function: iceberg_scan
SELECT * FROM iceberg_scan('s3://b/t')
-- ==== file function: delta_scan
SELECT * FROM delta_scan('s3://b/t')
-- ==== other databases: sqlite_scan
SELECT * FROM sqlite_scan('/tmp/x.db', 't')
-- ==== other databases: postgres_scan
SELECT * FROM postgres_scan('host=10.0.0.1', 'public', 't')
-- ==== catalog: duckdb_settings() shows paths and settings
SELECT * FROM duckdb_settings()
-- ==== catalog: duckdb_extensions()
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 WHERE eventname IN (SELECT extension_name FROM duckdb_extensions())
-- ==== catalog: duckdb_tables as a view name
SELECT * FROM duckdb_tables
-- ==== catalog: duckdb_views in a UNION
SELECT eventname FROM 03543d1c-054c-4016-95ae-1f8faef24485 UNION SELECT sql FROM duckdb_views
-- ==== catalog: pragma_table_info
SELECT * FROM pragma_table_info('eds_03543d1c_054c_4016_95ae_1f8faef24485')
-- ==== catalog: information_schema
SELECT * FROM information_schema.tables
-- ==== catalog: pg_catalog, quoted
SELECT * FROM "pg_catalog"."pg_settings"
-- ==== catalog: sqlite_master
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485, sqlite_master
-- ==== catalog: pg_get_viewdef shows a view's SQL, with its file paths
SELECT pg_get_viewdef('eds_03543d1c_054c_4016_95ae_1f8faef24485') FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== settings: current_setting
SELECT current_setting('temp_directory') FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== environment: getenv
SELECT getenv('HOME') FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== settings: getvariable
SELECT getvariable('x') FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== SQL inside SQL: query()
SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')')
-- ==== SQL inside SQL: query_table
SELECT * FROM query_table('duckdb_settings')
-- ==== SQL inside SQL: json_execute_serialized_sql
SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))
-- ==== process: pg_sleep
SELECT pg_sleep(3600) FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== process: checkpoint()
SELECT * FROM checkpoint()
-- ==== process: enable_profiling writes a profile file
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 WHERE 1 = (SELECT count(*) FROM enable_profiling())
-- ==== process: which_secret
SELECT which_secret('s3://b/x', 's3') FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== table position: a string literal is a file for DuckDB
SELECT * FROM 'data.parquet'
-- ==== table position: a string literal after a comma
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485, '/etc/passwd'
-- ==== table position: a quoted name with an extension is a file for DuckDB
SELECT * FROM "secrets.csv"
-- ==== table position: a string literal after JOIN
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 a JOIN 'x.csv' b ON true
-- ==== table position: a string literal after POSITIONAL JOIN
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 POSITIONAL JOIN 'x.csv'
-- ==== table position: a string literal in a scalar subquery
SELECT (SELECT count(*) FROM '/etc/passwd') FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== table position: a string literal in the second branch of a UNION
SELECT eventname FROM 03543d1c-054c-4016-95ae-1f8faef24485 UNION ALL SELECT * FROM '/etc/passwd'
-- ==== table position: DuckDB's FROM-first form after UNION
SELECT eventname FROM 03543d1c-054c-4016-95ae-1f8faef24485 UNION ALL FROM '/etc/passwd'
-- ==== table position: a FROM-first subquery
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 WHERE eventname IN (FROM 'x.csv')
-- ==== table position: a string literal inside a parenthesised join
SELECT * FROM ((03543d1c-054c-4016-95ae-1f8faef24485 CROSS JOIN 'x.csv'))
-- ==== table position: a string literal first in a parenthesised join
SELECT * FROM ('x.csv' CROSS JOIN 03543d1c-054c-4016-95ae-1f8faef24485)
-- ==== table position: a LATERAL subquery reading a file
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485, LATERAL (SELECT * FROM 'x.csv')
-- ==== table position: EXISTS over a quoted file name
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 WHERE EXISTS (SELECT 1 FROM "x.parquet")
-- ==== table position: SELECT DISTINCT FROM is not IS DISTINCT FROM
SELECT DISTINCT FROM 'x.csv'
-- ==== table position: a subquery inside SUBSTRING(... FROM ...) is still checked
SELECT substring((SELECT content FROM 'x.txt') FROM 1) FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== table position: EXTRACT with a query inside
SELECT extract(SELECT 1 FROM 'x.csv') FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== table position: the engine's view name written directly
SELECT * FROM eds_03543d1c_054c_4016_95ae_1f8faef24485
-- ==== table position: a schema-qualified name
SELECT * FROM main.eds_03543d1c_054c_4016_95ae_1f8faef24485
-- ==== table position: a store id used as a schema
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485.duckdb_settings
-- ==== table position: a store id called as a function
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485('x')
-- ==== table position: a qualified table function
SELECT * FROM main.read_csv('x')
-- ==== table position: a column path as a table (DuckDB would need it to be a table)
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 t, t.resources
-- ==== table position: other table functions (range is harmless, but only UNNEST is Trino)
SELECT * FROM range(10), 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== WITH: a name in its own definition is a catalog table in DuckDB
WITH secret AS (SELECT * FROM secret) SELECT * FROM secret, 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== WITH: a name used before its definition is a catalog table in DuckDB
WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a, 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== WITH: RECURSIVE
WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r, 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== WITH: a name defined in a subquery is not visible outside it
SELECT * FROM (WITH t AS (SELECT 1) SELECT * FROM t) s, t, 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== WITH: a name shaped like a file
WITH "x.csv" AS (SELECT 1) SELECT * FROM "x.csv", 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== WITH: a name with the engine's prefix
WITH eds_other AS (SELECT 1) SELECT * FROM eds_other, 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== WITH: a name of DuckDB's catalog
WITH duckdb_tables AS (SELECT * FROM duckdb_tables) SELECT * FROM duckdb_tables, 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== WITH: defined twice
WITH a AS (SELECT 1), a AS (SELECT 2) SELECT * FROM a, 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== WITH: not at the start of a query
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 UNION WITH a AS (SELECT 1) SELECT * FROM a
-- ==== subquery statement: DESCRIBE in FROM
SELECT * FROM (DESCRIBE 03543d1c-054c-4016-95ae-1f8faef24485)
-- ==== subquery statement: SHOW in FROM
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485, (SHOW TABLES)
-- ==== subquery statement: SUMMARIZE in FROM
SELECT * FROM (SUMMARIZE 03543d1c-054c-4016-95ae-1f8faef24485)
-- ==== subquery statement: PIVOT in FROM
SELECT * FROM (PIVOT 03543d1c-054c-4016-95ae-1f8faef24485 ON eventname)
-- ==== subquery statement: SET in parentheses
SELECT (SET x = 1) FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== WITH: a DuckDB schema name
WITH main AS (SELECT 1) SELECT * FROM main, 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== DuckDB syntax: $ parameters
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 WHERE eventname = $1
-- ==== DuckDB syntax: dollar-quoted strings
SELECT $$read_text$$ FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== DuckDB syntax: ? parameters
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 WHERE eventname = ?
-- ==== DuckDB syntax: :: casts
SELECT eventtime::VARCHAR FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== DuckDB syntax: struct literals
SELECT {'a': 1} FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== DuckDB syntax: ->> JSON operator
SELECT eventjson ->> '$.a' FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== DuckDB syntax: named parameters
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 WHERE x = f(a := 1)
-- ==== unicode: a fullwidth quote is not a quote
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485 WHERE eventname = ＇x＇
-- ==== unicode: fullwidth letters in a function name
SELECT ｒｅａｄ_text('/etc/passwd') FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== unicode: a zero-width space inside a name
SELECT read​_text('/etc/passwd') FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== unicode: a Cyrillic е in a quoted function name
SELECT "rеad_text"('/etc/passwd') FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== unicode: a non-breaking space between words
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== store id: outside FROM and JOIN
SELECT 03543d1c-054c-4016-95ae-1f8faef24485 FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== store id: an ARN is not an id
SELECT * FROM "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/03543d1c-054c-4016-95ae-1f8faef24485"
-- ==== store id: the documentation's placeholder is not a UUID
SELECT * FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE
-- ==== store id: an unreplaced placeholder
SELECT * FROM $EDS_ID
-- ==== store id: an unreplaced placeholder
SELECT * FROM <EDS ID>
-- ==== store id: an unreplaced placeholder
SELECT * FROM event_data_store_ID
-- ==== store id: a UUID with a digit too many
SELECT * FROM 03543d1c-054c-4016-95ae-1f8faef244851
-- ==== store id: a comment splits the id
SELECT * FROM 03543d1c-054c-4016-95ae/**/-1f8faef24485
-- ==== no store: a query must read an event data store
SELECT 1
-- ==== no store: only names defined by WITH
WITH a AS (SELECT now() AS t) SELECT * FROM a
-- ==== rewrite: date_add needs a literal unit
SELECT date_add(unit, 1, eventtime) FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== rewrite: date_format needs a literal format
SELECT date_format(eventtime, fmt) FROM 03543d1c-054c-4016-95ae-1f8faef24485
-- ==== rewrite: a date_format specifier DuckDB has no equivalent for
SELECT date_format(eventtime, '%D') FROM 03543d1c-054c-4016-95ae-1f8faef24485
