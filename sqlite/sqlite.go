// Package sqlite implements ctlake.Catalog on SQLite, the embedded default:
// one file in the data folder, WAL mode, synchronous commits, so a commit
// that returned survives a crash of the process or the machine.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"

	"github.com/ctlake/ctlake"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver: no second cgo library beside DuckDB
)

// Catalog is a ctlake.Catalog in one SQLite file.
type Catalog struct {
	Path string

	// SQLite allows one writer at a time. Writes go through a pool of one
	// connection whose transactions begin IMMEDIATE (taking the write lock
	// up front, so two read-then-write transactions never deadlock on lock
	// upgrade); reads use their own pool and run beside the writer in WAL.
	writer *sql.DB
	reader *sql.DB
}

var _ ctlake.Catalog = (*Catalog)(nil)

// NewCatalog returns a catalog for the SQLite file at path; Open opens it.
func NewCatalog(path string) *Catalog { return &Catalog{Path: path} }

// Open opens (creating if needed) the database and brings its schema up to
// date.
func (c *Catalog) Open(ctx context.Context) (err error) {
	dsn := func(txlock string) string {
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Set("_txlock", txlock)
		return "file:" + (&url.URL{Path: c.Path}).EscapedPath() + "?" + q.Encode()
	}
	if err := createPrivate(c.Path); err != nil {
		return err
	}
	if c.writer, err = sql.Open("sqlite", dsn("immediate")); err != nil {
		return fmt.Errorf("open catalog %s: %w", c.Path, err)
	}
	c.writer.SetMaxOpenConns(1)
	if c.reader, err = sql.Open("sqlite", dsn("deferred")); err != nil {
		c.writer.Close()
		return fmt.Errorf("open catalog %s: %w", c.Path, err)
	}
	c.reader.SetMaxOpenConns(8)
	if err := migrate(ctx, c.writer); err != nil {
		c.Close()
		return fmt.Errorf("migrate catalog %s: %w", c.Path, err)
	}
	return nil
}

// OpenReadOnly opens an existing database for View alone, leaving its
// schema as it is: for reading the catalog of a server that has stopped
// (tests check its invariants) without changing a byte of it.
func (c *Catalog) OpenReadOnly(ctx context.Context) (err error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	if c.reader, err = sql.Open("sqlite", "file:"+(&url.URL{Path: c.Path}).EscapedPath()+"?"+q.Encode()); err != nil {
		return fmt.Errorf("open catalog %s: %w", c.Path, err)
	}
	if err := c.reader.PingContext(ctx); err != nil {
		c.reader.Close()
		return fmt.Errorf("open catalog %s: %w", c.Path, err)
	}
	return nil
}

// Close closes the database.
func (c *Catalog) Close() error {
	var errs []error
	if c.reader != nil {
		errs = append(errs, c.reader.Close())
	}
	if c.writer != nil {
		errs = append(errs, c.writer.Close())
	}
	return errors.Join(errs...)
}

// Update runs fn in a write transaction.
func (c *Catalog) Update(ctx context.Context, fn func(ctlake.Tx) error) error {
	if c.writer == nil {
		return fmt.Errorf("catalog %s is open read-only", c.Path)
	}
	return run(ctx, c.writer, nil, fn)
}

// View runs fn in a read transaction.
func (c *Catalog) View(ctx context.Context, fn func(ctlake.Tx) error) error {
	return run(ctx, c.reader, &sql.TxOptions{ReadOnly: true}, fn)
}

func run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(ctlake.Tx) error) error {
	sqlTx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin catalog transaction: %w", err)
	}
	if err := fn(&Tx{ctx: ctx, tx: sqlTx}); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit catalog transaction: %w", err)
	}
	return nil
}

// Tx is a ctlake.Tx on SQLite.
type Tx struct {
	ctx context.Context
	tx  *sql.Tx
}

var _ ctlake.Tx = (*Tx)(nil)

// Setting returns a server-wide value.
func (tx *Tx) Setting(name string) ([]byte, error) {
	var v []byte
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ctlake.ErrNotFound
	}
	return v, err
}

// PutSetting stores a server-wide value.
func (tx *Tx) PutSetting(name string, value []byte) error {
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO settings (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	return err
}

// createPrivate creates the catalog file readable by its owner alone (0600,
// as the key file), or narrows an existing one and its -wal and -shm files
// to that mode. SQLite gives the -wal and -shm files the mode of the
// database file, so the three stay private. The catalog holds every store's
// configuration and every query's results: other users of the machine have
// no business reading it.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open catalog %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("open catalog %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("make catalog file %s private: %w", p, err)
		}
	}
	return nil
}
