package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/api"
	"github.com/ctlake/ctlake/console"
	"github.com/ctlake/ctlake/duckdb"
	"github.com/ctlake/ctlake/importer"
	"github.com/ctlake/ctlake/lake"
	"github.com/ctlake/ctlake/metrics"
	"github.com/ctlake/ctlake/s3"
	"github.com/ctlake/ctlake/segment"
	"github.com/ctlake/ctlake/server"
	"github.com/ctlake/ctlake/sigv4"
	"github.com/ctlake/ctlake/sqlite"
)

// Config is the configuration of ctlake serve. Every field has an embedded
// default: the server runs with no file and no other process.
type Config struct {
	Addr                          string
	DataDir                       string
	AccountID                     string
	NoAuth                        bool
	OrganizationManagementAccount bool
	LogFormat                     string
	LogLevel                      string
	MaxConcurrentImports          int
	ImportWorkers                 int
	MemoryLimit                   string
	KeepOutOfWindowRecords        bool
	AssumeSourceRole              bool
	ImportRoots                   []string // folders file:// imports may read; none: the working directory's parent
	DedupeEventIDs                bool
	QueryTimeout                  time.Duration
	QueryWorkers                  int
	QueryMemoryLimit              string
	ResultLimits                  ctlake.ResultLimits
	Metrics                       bool
	MaxConcurrentRequests         int
	MaxRequestsPerClient          int
	ReadHeaderTimeout             time.Duration
	ReadBodyTimeout               time.Duration
	AllowedHosts                  []string
	ConsoleIdleTimeout            time.Duration
}

// Main is the running server and everything it wired together, so that one
// place builds the parts and one place closes them, in reverse order.
type Main struct {
	Config  Config
	Logger  *slog.Logger
	Catalog *sqlite.Catalog
	Lake    *lake.Service
	Engine  *duckdb.QueryEngine
	Server  *server.Server
	Metrics *metrics.Metrics // nil with --metrics=false

	dataLock   *dataLock
	stopPurger context.CancelFunc
	purgerDone chan struct{}
	logOut     io.Writer
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	return &Main{
		Config: Config{
			Addr:      "127.0.0.1:4599",
			DataDir:   "./ctlake-data",
			AccountID: "123456789012",
			LogFormat: "text",
			LogLevel:  "info",
			Metrics:   true,
		},
		logOut: os.Stderr,
	}
}

var accountPattern = regexp.MustCompile(`^\d{12}$`)

// ParseFlags reads the flags of ctlake serve.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("ctlake serve", flag.ContinueOnError)
	c := &m.Config
	fs.StringVar(&c.Addr, "addr", c.Addr, "address to listen on (host:port)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data folder: catalog, keys and event storage")
	fs.StringVar(&c.AccountID, "account-id", c.AccountID, "the 12-digit AWS account id the server acts as")
	fs.BoolVar(&c.NoAuth, "no-auth", c.NoAuth, "accept requests without checking signatures (local emulator use only)")
	fs.BoolVar(&c.OrganizationManagementAccount, "organization-management-account", c.OrganizationManagementAccount,
		"act as an organization's management account, so stores may be OrganizationEnabled")
	fs.IntVar(&c.MaxConcurrentImports, "max-concurrent-imports", 1, "imports one account may run at once in a region (AWS allows 1)")
	fs.IntVar(&c.ImportWorkers, "import-workers", 64, "files an import fetches at once (it decodes as many as there are cores)")
	fs.BoolVar(&c.KeepOutOfWindowRecords, "import-keep-out-of-window-records", false,
		"keep every record of the files an import's time window selects, instead of only records with StartEventTime <= eventTime <= EndEventTime")
	fs.BoolVar(&c.AssumeSourceRole, "assume-source-role", false,
		"read S3 import sources as the import's S3BucketAccessRoleArn, assumed through STS (default: the server's own AWS credentials)")
	fs.Func("import-root", "folder that file:// imports may read, with everything under it (repeatable; default: the working directory's parent, never /)",
		func(v string) error { c.ImportRoots = append(c.ImportRoots, v); return nil })
	fs.BoolVar(&c.DedupeEventIDs, "import-dedupe-event-ids", false,
		"keep one event per eventID within each import (AWS does not de-duplicate; costs ~40 bytes of memory per imported event)")
	fs.DurationVar(&c.QueryTimeout, "query-timeout", time.Hour, "a query running longer ends TIMED_OUT (CloudTrail Lake allows about an hour)")
	fs.IntVar(&c.QueryWorkers, "query-workers", 4, "queries that run at once; up to 10 per account and region wait QUEUED")
	fs.StringVar(&c.QueryMemoryLimit, "query-memory-limit", "", "DuckDB memory limit, e.g. 2GB (default: DuckDB's choice, capped)")
	resultLimitFlags(fs, &c.ResultLimits)
	fs.DurationVar(&c.ConsoleIdleTimeout, "console-idle-timeout", console.DefaultIdleTimeout, "a web console session unused this long ends")
	fs.IntVar(&c.MaxConcurrentRequests, "max-concurrent-requests", server.DefaultMaxConcurrentRequests,
		"API calls served at once; past it a call waits up to 1s, then gets ThrottlingException (which SDKs retry)")
	fs.IntVar(&c.MaxRequestsPerClient, "max-concurrent-requests-per-client", 0,
		"API calls one client address may have in progress; past it a call gets ThrottlingException at once (default: half of --max-concurrent-requests)")
	fs.DurationVar(&c.ReadHeaderTimeout, "read-header-timeout", server.DefaultReadHeaderTimeout, "time a client may take to send its request headers")
	fs.DurationVar(&c.ReadBodyTimeout, "read-body-timeout", server.DefaultReadBodyTimeout,
		"time a client may take to send a request body; past it the call gets 408 RequestTimeoutException")
	fs.Func("allowed-host", "a name clients may use in the Host header, beside the --addr host, localhost and loopback IPs (repeatable)", func(v string) error {
		if v == "" || strings.ContainsAny(v, "/ ") {
			return fmt.Errorf("%q is not a host name", v)
		}
		c.AllowedHosts = append(c.AllowedHosts, v)
		return nil
	})
	fs.BoolVar(&c.Metrics, "metrics", c.Metrics, "serve Prometheus metrics at GET /metrics, unsigned (--metrics=false turns it off)")
	fs.StringVar(&c.MemoryLimit, "memory-limit", defaultMemoryLimit, "soft limit of the Go heap, e.g. 512MiB, or off (GOMEMLIMIT wins; DuckDB's memory is apart)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: ctlake serve [flags]\n\nServes the CloudTrail Lake API. Flags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	if !accountPattern.MatchString(c.AccountID) {
		return fmt.Errorf("--account-id %q is not a 12-digit AWS account id", c.AccountID)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "text":
		m.Logger = slog.New(slog.NewTextHandler(m.logOut, opts))
	case "json":
		m.Logger = slog.New(slog.NewJSONHandler(m.logOut, opts))
	default:
		return fmt.Errorf("--log-format %q: want text or json", c.LogFormat)
	}
	return nil
}

// Run opens the data folder and the catalog, and starts serving.
func (m *Main) Run(ctx context.Context) error {
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	dataDir, err := filepath.Abs(m.Config.DataDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	if m.dataLock, err = lockDataDir(dataDir); err != nil {
		return err
	}
	if _, err := applyMemoryLimit(m.Config.MemoryLimit); err != nil {
		return err
	}

	roots, err := importRoots(m.Config.ImportRoots, dataDir)
	if err != nil {
		return err
	}

	m.Catalog = sqlite.NewCatalog(filepath.Join(dataDir, "catalog.db"))
	if err := m.Catalog.Open(ctx); err != nil {
		return err
	}
	segments := segment.NewStore(filepath.Join(dataDir, "segments"))
	m.Lake = &lake.Service{
		Catalog:                       m.Catalog,
		OrganizationManagementAccount: m.Config.OrganizationManagementAccount,
		Logger:                        m.Logger,
		Segments:                      segments,
		Sources:                       sourceOpener{assumeRole: m.Config.AssumeSourceRole, importRoots: roots, dataDir: dataDir},
		MaxConcurrentImports:          m.Config.MaxConcurrentImports,
		Importer: &importer.Importer{
			Catalog:                m.Catalog,
			Segments:               segments,
			Logger:                 m.Logger,
			Workers:                m.Config.ImportWorkers,
			KeepOutOfWindowRecords: m.Config.KeepOutOfWindowRecords,
			DedupeEventIDs:         m.Config.DedupeEventIDs,
		},
	}
	// The query engine's worker processes start now, so that an engine
	// that cannot run stops the server here, not at the first query.
	m.Engine, err = duckdb.NewQueryEngine(ctx, duckdb.QueryEngineConfig{
		Engine:   duckdb.Config{MemoryLimit: m.Config.QueryMemoryLimit, TempDir: filepath.Join(dataDir, "tmp", "duckdb")},
		Segments: segments,
		Workers:  m.Config.QueryWorkers,
		Logger:   m.Logger,
	})
	if err != nil {
		return err
	}
	m.Lake.Queries = m.Engine
	m.Logger.Info("query engine started", "worker_processes", m.Engine.MaxWorkers(), "duckdb_memory_limit", m.Engine.MemoryLimit(),
		"worker_memory_budget", m.Engine.MemoryBudget(), "workers_memory_total", int64(m.Engine.MaxWorkers())*m.Engine.MemoryBudget())
	m.Lake.Delivery = s3.Delivery{}
	m.Lake.QueryWorkers, m.Lake.QueryTimeout = m.Config.QueryWorkers, m.Config.QueryTimeout
	m.Lake.ResultLimits = m.Config.ResultLimits
	lakeAPI := api.New(api.Services{Stores: m.Lake, Tags: m.Lake, Imports: m.Lake, Queries: m.Lake, Lookup: m.Lake}, m.Logger)
	if m.Config.Metrics {
		// Observing from before the lake opens, so that resumed imports
		// and the queries a restart ends are counted too.
		m.Metrics = metrics.New(metrics.Config{Catalog: m.Catalog, Operations: lakeAPI.Operations(), Logger: m.Logger})
		m.Lake.Observer = m.Metrics
	}
	if err := m.Lake.Open(ctx); err != nil {
		return err
	}
	if err := m.Lake.FailInterruptedQueries(ctx); err != nil {
		return fmt.Errorf("end interrupted queries: %w", err)
	}
	// Segment files no commit recorded are what a crash left behind; they
	// go before any import runs again.
	if _, err := m.Lake.RemoveOrphanSegments(ctx); err != nil {
		return fmt.Errorf("sweep segment files: %w", err)
	}
	if err := m.Lake.ResumeImports(ctx); err != nil {
		return fmt.Errorf("resume imports: %w", err)
	}
	purgeCtx, stop := context.WithCancel(context.Background())
	m.stopPurger, m.purgerDone = stop, make(chan struct{})
	go func() {
		defer close(m.purgerDone)
		m.Lake.RunPurger(purgeCtx, time.Minute)
	}()

	m.Server = &server.Server{
		Addr:    m.Config.Addr,
		API:     lakeAPI,
		Account: m.Config.AccountID,
		Logger:  m.Logger,

		MaxConcurrentRequests: m.Config.MaxConcurrentRequests,
		MaxRequestsPerClient:  m.Config.MaxRequestsPerClient,
		ReadHeaderTimeout:     m.Config.ReadHeaderTimeout,
		ReadBodyTimeout:       m.Config.ReadBodyTimeout,
		AllowedHosts:          m.Config.AllowedHosts,
	}
	if m.Metrics != nil {
		m.Server.Metrics, m.Server.Requests = m.Metrics.Handler(), m.Metrics
	}
	if m.Config.NoAuth {
		m.Logger.Warn("AUTHENTICATION IS OFF (--no-auth): anyone who reaches this address can read and change every event data store. Use it only for local emulation.")
	} else {
		creds, err := m.credentials(dataDir)
		if err != nil {
			return err
		}
		// X-Amz-Target names the operation: every AWS client signs it.
		m.Server.Verifier = &sigv4.Verifier{Service: "cloudtrail", Credentials: creds, RequiredSignedHeaders: []string{"x-amz-target"}}
	}
	m.Server.Console, err = console.New(console.Config{API: m.Server.API, Verifier: m.Server.Verifier, Account: m.Config.AccountID,
		IdleTimeout: m.Config.ConsoleIdleTimeout, Logger: m.Logger})
	if err != nil {
		return err
	}
	if err := m.Server.Open(); err != nil {
		return err
	}
	m.Logger.Info("ctlake is serving the CloudTrail API", "url", m.Server.URL(), "data", dataDir,
		"account_id", m.Config.AccountID, "import_roots", roots, "version", Version)
	return nil
}

// Close shuts down in reverse order of Run: stop taking requests (letting
// those in flight finish), stop background work, close the catalog.
func (m *Main) Close() error {
	var errs []error
	if m.Server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		errs = append(errs, m.Server.Close(ctx))
		cancel()
	}
	if m.Lake != nil {
		m.Lake.Close() // running imports pause; they resume at the next start
	}
	if m.Engine != nil {
		errs = append(errs, m.Engine.Close())
	}
	if m.stopPurger != nil {
		m.stopPurger()
		<-m.purgerDone
	}
	if m.Catalog != nil {
		errs = append(errs, m.Catalog.Close())
	}
	// Last: another server may take the folder only once this one has
	// closed everything in it.
	errs = append(errs, m.dataLock.Close())
	err := errors.Join(errs...)
	if err == nil && m.Logger != nil {
		m.Logger.Info("ctlake stopped")
	}
	return err
}
