package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/internal/serializedsql"
	"github.com/ctlake/ctlake/internal/sqlquote"
	"github.com/ctlake/ctlake/segment"
	duckdbdrv "github.com/duckdb/duckdb-go/v2"
)

// Config configures the engine. Only AllowedDirs is required.
type Config struct {
	// MemoryLimit is DuckDB's memory_limit, shared by all queries, such as
	// "1GB"; "" means a quarter of the machine's memory, at most 4GB.
	MemoryLimit string
	// Threads is the number of DuckDB worker threads; 0 means
	// runtime.NumCPU().
	Threads int
	// TempDir is the folder DuckDB spills to when a query outgrows the
	// memory limit (temp_directory), inside the data folder; it is created
	// if missing. "" means no spilling: such a query fails.
	TempDir string
	// MaxTempDirSize bounds what the queries may spill to TempDir
	// (max_temp_directory_size); "" means 10GB.
	MaxTempDirSize string
	// AllowedDirs are the folders DuckDB may read (allowed_directories):
	// the segment root. Every path given to Query must lie inside one.
	AllowedDirs []string
	// Formatter formats the values of result rows; nil means TrinoText.
	Formatter Formatter
}

// Stats are the figures of one query.
type Stats struct {
	// EventsScanned and BytesScanned are the rows and bytes of the segment
	// files of the stores the query names, from the files' Parquet
	// metadata and sizes: what the query may read, before DuckDB skips
	// row groups by their statistics and reads only the columns it needs.
	EventsScanned, BytesScanned int64
	// Rows is the number of result rows delivered to the sink.
	Rows int64
}

// Engine runs Lake queries, already translated to DuckDB SQL, in a
// sandboxed DuckDB of the calling process: a worker process's (ServeWorker),
// or a test's. The server runs none itself: its QueryEngine runs every check
// and query in worker processes (Pool). It is safe for concurrent use.
type Engine struct {
	db        *sql.DB
	allowed   []string // cleaned, absolute
	format    Formatter
	columns   string // the Lake columns, quoted, in spec order
	emptyView string // SELECT of the Lake columns, typed, with no rows
}

// Open starts an in-memory DuckDB database, applies the sandbox settings
// and locks its configuration.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.TempDir != "" {
		if err := os.MkdirAll(cfg.TempDir, 0o755); err != nil {
			return nil, fmt.Errorf("open query engine: %w", err)
		}
	}
	connector, err := duckdbdrv.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("open query engine: %w", err)
	}
	db := sql.OpenDB(connector)
	// Every query runs on a new connection, closed after it: its store
	// views, which live in the connection's temporary schema, go with it.
	db.SetMaxIdleConns(0)
	e := &Engine{db: db, allowed: cfg.AllowedDirs, format: cfg.Formatter}
	if err := e.setup(ctx, cfg); err != nil {
		db.Close()
		return nil, fmt.Errorf("open query engine: %w", err)
	}
	return e, nil
}

// withDefaults checks cfg and fills in its defaults.
func withDefaults(cfg Config) (Config, error) {
	if len(cfg.AllowedDirs) == 0 {
		return cfg, errors.New("open query engine: no allowed folders")
	}
	dirs := make([]string, len(cfg.AllowedDirs))
	for i, d := range cfg.AllowedDirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return cfg, fmt.Errorf("open query engine: %w", err)
		}
		dirs[i] = abs
	}
	cfg.AllowedDirs = dirs
	if cfg.TempDir != "" {
		abs, err := filepath.Abs(cfg.TempDir)
		if err != nil {
			return cfg, fmt.Errorf("open query engine: %w", err)
		}
		cfg.TempDir = abs
	}
	if cfg.MemoryLimit == "" {
		cfg.MemoryLimit = defaultMemoryLimit()
	}
	if cfg.Threads <= 0 {
		cfg.Threads = runtime.NumCPU()
	}
	if cfg.MaxTempDirSize == "" {
		cfg.MaxTempDirSize = "10GB"
	}
	if cfg.Formatter == nil {
		cfg.Formatter = TrinoText
	}
	return cfg, nil
}

// setup learns the Lake schema from a template segment while files can
// still be read anywhere, then applies and checks the sandbox settings.
func (e *Engine) setup(ctx context.Context, cfg Config) error {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := e.learnSchema(ctx, conn, cfg.TempDir); err != nil {
		return fmt.Errorf("learn the segment schema: %w", err)
	}
	for _, s := range settings(cfg) {
		if _, err := conn.ExecContext(ctx, "SET GLOBAL "+s.name+" = "+s.value); err != nil {
			return fmt.Errorf("set %s: %w", s.name, err)
		}
	}
	var external, locked bool
	row := conn.QueryRowContext(ctx, "SELECT current_setting('enable_external_access'), current_setting('lock_configuration')")
	if err := row.Scan(&external, &locked); err != nil {
		return err
	}
	if external || !locked {
		return fmt.Errorf("sandbox not in force: enable_external_access=%t, lock_configuration=%t", external, locked)
	}
	return nil
}

// learnSchema writes a one-event segment with the segment package into a
// scratch folder and reads back its columns as DuckDB types them, so that
// the store views list the Lake columns of the segment writer in its order
// (struct fields too, whatever order an older segment has them in),
// and an empty store's view has the very types of a full one.
func (e *Engine) learnSchema(ctx context.Context, conn *sql.Conn, tempDir string) error {
	dir, err := os.MkdirTemp(tempDir, "schema-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	store := segment.NewStore(dir)
	seg, err := store.WriteSegment(ctx, "schema", day, []*ctlake.Event{{EventTime: day, EventJSON: "{}"}})
	if err != nil {
		return err
	}
	rows, err := conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet("+
		sqlquote.String(store.Abs(seg.Path))+", hive_partitioning = false))")
	if err != nil {
		return err
	}
	defer rows.Close()
	var names, typed []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return err
		}
		// DuckDB types a struct read from several files as the first
		// file has it, and casts structs field by name: the cast gives
		// segments written before useridentity's fields took AWS's
		// documented order the writer's order (TestOldFieldOrder).
		// DuckDB drops a cast to the type a column already has.
		if strings.Contains(typ, "STRUCT") {
			names = append(names, "CAST("+sqlquote.Ident(name)+" AS "+typ+") AS "+sqlquote.Ident(name))
		} else {
			names = append(names, sqlquote.Ident(name))
		}
		typed = append(typed, "CAST(NULL AS "+typ+") AS "+sqlquote.Ident(name))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(names) == 0 {
		return errors.New("no columns")
	}
	e.columns = strings.Join(names, ", ")
	e.emptyView = "SELECT " + strings.Join(typed, ", ") + " LIMIT 0"
	return nil
}

// Close closes the database; queries still running fail.
func (e *Engine) Close() error { return e.db.Close() }

// tableName is the shape of the table names of stores, such as
// lakesql.TableName gives them ("eds_" and the store id, '-' made '_').
var tableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Query runs one statement, already checked and translated to DuckDB SQL by
// the front end, over the stores it names. stores maps each table name the
// statement uses to the absolute paths of that store's segment files; with
// no paths, the table has the Lake columns and no rows. Rows go to sink in
// order, each value formatted by the engine's Formatter (nil is SQL NULL);
// columns are the result's column names as DuckDB reports them, the same
// slice for every row, which sink must not change; sink may keep row. An
// error from sink ends the query with that error.
//
// A statement the sandbox does not allow fails with an error wrapping
// ErrNotAllowed; a query stopped by ctx fails with ctx.Err() itself; a
// DuckDB error (syntax, binding, memory limit, ...) is returned as DuckDB
// gave it, a *duckdbdrv.Error inside. Stats are valid as far as the query
// got.
func (e *Engine) Query(ctx context.Context, query string, stores map[string][]string,
	sink func(columns []string, row []*string) error) (Stats, error) {
	var st Stats
	tables := make(map[string]bool, len(stores))
	for name, paths := range stores {
		if !tableName.MatchString(name) {
			return st, fmt.Errorf("query: invalid table name %q", name)
		}
		if tables[strings.ToLower(name)] {
			return st, fmt.Errorf("query: table name %q given twice", name)
		}
		tables[strings.ToLower(name)] = true
		for _, p := range paths {
			if err := e.checkPath(p); err != nil {
				return st, fmt.Errorf("query: store %s: %w", name, err)
			}
		}
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return st, contextErr(ctx, fmt.Errorf("query: %w", err))
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdbdrv.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		r := run{Engine: e, ctx: ctx, conn: c, tables: tables}
		return r.query(query, stores, sink, &st)
	})
	if err != nil {
		return st, contextErr(ctx, err)
	}
	return st, nil
}

// contextErr returns ctx.Err() if ctx is done, so that a query stopped by
// its deadline or by cancellation fails with exactly that error, whatever
// DuckDB said when it was interrupted; otherwise err.
func contextErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// checkPath checks that p is a segment file DuckDB may read: absolute,
// clean, inside an allowed folder, and free of the characters DuckDB's
// read_parquet would take for a glob pattern.
func (e *Engine) checkPath(p string) error {
	return checkPath(e.allowed, p)
}

// checkPath checks that p is a clean absolute path, without glob
// characters, inside one of the folders allowed.
func checkPath(allowed []string, p string) error {
	if !filepath.IsAbs(p) || filepath.Clean(p) != p {
		return fmt.Errorf("segment path %q is not absolute and clean", p)
	}
	if strings.ContainsAny(p, "*?[]{}") {
		return fmt.Errorf("segment path %q has glob characters", p)
	}
	for _, d := range allowed {
		if !strings.HasSuffix(d, string(filepath.Separator)) {
			d += string(filepath.Separator)
		}
		if strings.HasPrefix(p, d) {
			return nil
		}
	}
	return fmt.Errorf("segment path %q is outside the allowed folders", p)
}

// run is one query on its own connection.
type run struct {
	*Engine
	ctx    context.Context
	conn   *duckdbdrv.Conn
	tables map[string]bool // the store views, in lower case
}

// query checks the statement, creates the store views, runs the statement
// and delivers its rows.
func (r *run) query(query string, stores map[string][]string, sink func([]string, []*string) error, st *Stats) error {
	if err := r.check(query); err != nil {
		return err
	}
	var err error
	if st.EventsScanned, st.BytesScanned, err = scanned(stores); err != nil {
		return err
	}
	for name, paths := range stores {
		if _, err := r.conn.ExecContext(r.ctx, r.viewSQL(name, paths), nil); err != nil {
			return fmt.Errorf("create the view of %s: %w", name, err)
		}
	}
	stmt, err := r.prepare(query)
	if err != nil {
		return err
	}
	defer stmt.Close()
	columns, types, err := describe(stmt)
	if err != nil {
		return err
	}
	// JSON values are cast to text in the statement itself: duckdb-go would
	// decode them, losing their key order and number spelling.
	if wrapped, ok := jsonCast(query, types); ok {
		if err := r.check(wrapped); err != nil {
			return err
		}
		outer, err := r.prepare(wrapped)
		if err != nil {
			return err
		}
		defer outer.Close()
		if _, types, err = describe(outer); err != nil {
			return err
		}
		if len(types) != len(columns) {
			return fmt.Errorf("the JSON cast changed the columns from %d to %d", len(columns), len(types))
		}
		stmt = outer
	}
	rows, err := stmt.QueryContext(r.ctx, nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	values := make([]driver.Value, len(columns))
	for {
		if err := rows.Next(values); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if err := r.ctx.Err(); err != nil {
			return err
		}
		row := make([]*string, len(values))
		for i, v := range values {
			row[i] = r.format(v, types[i])
		}
		if err := sink(columns, row); err != nil {
			return err
		}
		st.Rows++
	}
}

// check parses query with DuckDB's own parser, the one that will run it,
// and checks its syntax tree against the sandbox's rules (checkTree).
func (r *run) check(query string) error {
	rows, err := r.conn.QueryContext(r.ctx, "SELECT CAST(json_serialize_sql(CAST($1 AS VARCHAR)) AS VARCHAR)",
		[]driver.NamedValue{{Ordinal: 1, Value: query}})
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	defer rows.Close()
	v := make([]driver.Value, 1)
	if err := rows.Next(v); err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	text, _ := v[0].(string)
	tree, err := serializedsql.Decode(text)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	return checkTree(tree, r.tables)
}

// prepare prepares query, which check has found to be one statement (the
// driver would run all but the last of several), and makes sure DuckDB
// sees a SELECT without parameters.
func (r *run) prepare(query string) (*duckdbdrv.Stmt, error) {
	s, err := r.conn.PrepareContext(r.ctx, query)
	if err != nil {
		return nil, err
	}
	stmt, ok := s.(*duckdbdrv.Stmt)
	if !ok {
		s.Close()
		return nil, fmt.Errorf("unexpected driver statement %T", s)
	}
	typ, err := stmt.StatementType()
	if err == nil && typ != duckdbdrv.STATEMENT_TYPE_SELECT {
		err = fmt.Errorf("%w: statement type %d is not SELECT", ErrNotAllowed, typ)
	}
	if err == nil && stmt.NumInput() > 0 {
		err = fmt.Errorf("%w: parameters", ErrNotAllowed)
	}
	if err != nil {
		stmt.Close()
		return nil, err
	}
	return stmt, nil
}

// describe returns the names and types of the columns of a prepared
// statement.
func describe(stmt *duckdbdrv.Stmt) ([]string, []duckdbdrv.TypeInfo, error) {
	n, err := stmt.ColumnCount()
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, n)
	types := make([]duckdbdrv.TypeInfo, n)
	for i := range n {
		if names[i], err = stmt.ColumnName(i); err != nil {
			return nil, nil, err
		}
		if types[i], err = stmt.ColumnTypeInfo(i); err != nil {
			return nil, nil, err
		}
	}
	return names, types, nil
}

// viewSQL returns the statement that creates the temporary view of the
// store name over its segment files: the Lake columns, in spec order, of
// every row of every file. hive_partitioning = false keeps DuckDB from
// adding an eventday column from the folder names; union_by_name = true
// reads files written before a column was added (as NULL) when a later
// file has it.
func (r *run) viewSQL(name string, paths []string) string {
	view := "CREATE TEMP VIEW " + sqlquote.Ident(name) + " AS "
	if len(paths) == 0 {
		return view + r.emptyView
	}
	files := make([]string, len(paths))
	for i, p := range paths {
		files[i] = sqlquote.String(p)
	}
	return view + "SELECT " + r.columns + " FROM read_parquet([" + strings.Join(files, ", ") +
		"], hive_partitioning = false, union_by_name = true)"
}
