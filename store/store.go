package store

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tcms/tcms/store/internal/db"
)

// Store is the database behind the server. It is safe for concurrent use.
type Store struct {
	pool   *pool
	q      *db.Queries
	cache  *authCache
	policy atomic.Pointer[LoginPolicy]
	// hashSlots bounds concurrent password hashes; see SetMaxHashes.
	hashSlots chan struct{}
	cancel    context.CancelFunc // stops the listener
	done      chan struct{}      // closed when the listener has stopped
	log       *slog.Logger
	down      atomic.Bool // the listener cannot reach the database
	opts      Options

	defaultGroups []string // joined by new users; see SetDefaultGroups

	aead atomic.Pointer[cipher.AEAD] // encrypts stored credentials; see encrypt.go
}

// Options are the limits of a Store (docs/running.md). The zero value
// gives the default pool and no statement timeout, which is what the
// administrative commands (migrate, create-tenant) want.
type Options struct {
	// PoolSize is the most connections the pool opens; <= 0: the URL's
	// pool_max_conns if it has one, else DefaultPoolSize.
	PoolSize int
	// PoolWait is how long a statement waits for a free connection before
	// it fails with ErrBusy; <= 0: DefaultPoolWait.
	PoolWait time.Duration
	// StatementTimeout cancels any statement that runs longer
	// (ErrQueryTimeout); <= 0: none.
	StatementTimeout time.Duration
	// Logger receives the store's warnings; nil: slog.Default().
	Logger *slog.Logger
	// Tracer, if not nil, sees every statement the store sends: the tests
	// count round trips per call with it.
	Tracer pgx.QueryTracer
}

// DefaultStatementTimeout is what tcms serve uses unless configured.
const DefaultStatementTimeout = 30 * time.Second

// DefaultPoolWait bounds the wait for a connection unless configured.
const DefaultPoolWait = 5 * time.Second

// DefaultPoolSize is 8 connections per CPU, between 32 and 64: room for a
// dozen statements stuck until the statement timeout and a few requests
// of many calls besides the normal traffic, which needs about two per CPU
// (docs/running.md has the measurements), and within PostgreSQL's default
// max_connections of 100.
func DefaultPoolSize() int { return min(max(32, 8*runtime.GOMAXPROCS(0)), 64) }

// Open connects to the database with the default Options.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	return OpenWith(ctx, databaseURL, Options{})
}

// OpenWith connects to the database and starts the listener that keeps
// the in-memory session and credential caches coherent with other
// processes and tells whether the database is reachable (Available). It
// does not migrate.
func OpenWith(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	if opts.PoolWait <= 0 {
		opts.PoolWait = DefaultPoolWait
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	cfg, err := poolConfig(databaseURL, opts)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	scopeConnections(cfg)
	pgPool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	p := &pool{Pool: pgPool, wait: opts.PoolWait}
	s := &Store{pool: p, q: db.New(p), cache: newAuthCache(), done: make(chan struct{}),
		defaultGroups: []string{TesterGroup}, log: opts.Logger, opts: opts}
	s.SetLoginPolicy(DefaultLoginPolicy)
	s.SetMaxHashes(0)
	// The first LISTEN happens here so that a bad URL fails Open and the
	// caches work from the first call.
	conn, err := s.listenConn(ctx)
	if err != nil {
		pgPool.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	lctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.listen(lctx, conn)
	return s, nil
}

// poolConfig reads a database URL and applies the options:
//   - the pool size (opts, else the URL's pool_max_conns, else
//     DefaultPoolSize);
//   - statement_timeout as a parameter of every connection, so that it
//     bounds every statement of every transaction at no cost per call;
//   - a cancelled context (a client gone, a timeout of ours) sends the
//     server a cancel request, so the statement stops there too: pgx's
//     default only closes the socket, and PostgreSQL would go on running
//     a CPU-bound statement until it next writes to the client;
//   - generic plans for prepared statements, unless the URL says
//     otherwise. Every statement we send is prepared once per connection;
//     PostgreSQL would otherwise plan the hot-path statements (CTEs of
//     several steps) anew on each call, which costs more than running them
//     (about 1 ms against 0.3 ms for TestRun.add_case,
//     docs/performance.md).
func poolConfig(databaseURL string, opts Options) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	switch {
	case opts.PoolSize > 0:
		cfg.MaxConns = int32(opts.PoolSize)
	case !strings.Contains(databaseURL, "pool_max_conns"):
		cfg.MaxConns = int32(DefaultPoolSize())
	}
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(max(opts.StatementTimeout, 0).Milliseconds(), 10)
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: time.Second}
	}
	if opts.Tracer != nil {
		cfg.ConnConfig.Tracer = opts.Tracer
	}
	if _, set := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !set {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	}
	return cfg, nil
}

// StatementTimeout is the Options' statement timeout, 0 for none.
func (s *Store) StatementTimeout() time.Duration { return max(s.opts.StatementTimeout, 0) }

// Available reports whether the database was reachable when last seen: the
// listener's connection is up, or was re-established. While it is not,
// callers can refuse work at once instead of waiting on a dead database.
func (s *Store) Available() bool { return !s.down.Load() }

// Close stops the listener and closes every connection.
func (s *Store) Close() {
	s.cancel()
	<-s.done
	s.pool.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.pool.Ping(ctx)
}

// migrateLock is the pg_advisory_xact_lock key that serialises Migrate, as
// concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog.
const migrateLock = 0x7463_6d73 // "tcms"

// Migrate applies schemaSQL, the idempotent schema.sql, in one transaction:
// its shared part to public, its tenant part to public (the public tenant)
// and to every tenant's schema. Running it against an up-to-date database
// changes nothing. It returns what it created.
func (s *Store) Migrate(ctx context.Context, schemaSQL string) (Applied, error) {
	shared, tenant := splitSchema(schemaSQL)
	var done Applied
	err := pgx.BeginFunc(WithTenant(ctx, ""), s.pool, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		if err := q.SchemaLock(ctx, migrateLock); err != nil {
			return err
		}
		before, err := q.SchemaObjects(ctx)
		if err != nil {
			return err
		}
		// Without arguments pgx uses the simple protocol, which runs a
		// multi-statement script.
		if _, err := tx.Exec(ctx, shared+tenant); err != nil {
			return err
		}
		schemas, err := q.TenantSchemas(ctx)
		if err != nil {
			return err
		}
		for _, schema := range schemas {
			if err := inSchema(ctx, tx, schema, tenant); err != nil {
				return fmt.Errorf("tenant %s: %w", schema, err)
			}
		}
		after, err := q.SchemaObjects(ctx)
		done = applied(before, after)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return done, nil
}

// withTx runs fn in one transaction, committing if it returns nil and
// rolling back otherwise.
func (s *Store) withTx(ctx context.Context, fn func(q *db.Queries) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return fn(s.q.WithTx(tx)) })
}

// inTx is withTx for code that also runs dynamic SQL (filters) on the
// transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// secretKey is the settings key of the server secret.
const secretKey = "secret_key"

// ServerSecret returns the 32-byte HMAC secret for session tokens, creating
// it on first use.
func (s *Store) ServerSecret(ctx context.Context) ([]byte, error) {
	return s.generatedSetting(ctx, secretKey)
}

// generatedSetting returns the value of a setting holding 32 random bytes,
// creating it on first use. Concurrent first calls agree: the loser's
// insert does nothing and both read the winner's value.
func (s *Store) generatedSetting(ctx context.Context, key string) ([]byte, error) {
	secret := make([]byte, 32)
	rand.Read(secret)
	err := s.withTx(ctx, func(q *db.Queries) error {
		err := q.SettingInsert(ctx, db.SettingInsertParams{Key: key, Value: secret})
		if err != nil {
			return err
		}
		secret, err = q.SettingGet(ctx, key)
		return err
	})
	if err != nil {
		return nil, translate(err, "Setting")
	}
	return secret, nil
}

// domainKey is the settings key of the server's public domain.
const domainKey = "domain"

// SetDomain stores the public domain (host[:port]) used in absolute URLs.
func (s *Store) SetDomain(ctx context.Context, domain string) error {
	err := s.q.SettingPut(ctx, db.SettingPutParams{Key: domainKey, Value: []byte(domain)})
	return translate(err, "Setting")
}

// Domain returns the public domain, or "" when none was set.
func (s *Store) Domain(ctx context.Context) (string, error) {
	v, err := s.q.SettingGet(ctx, domainKey)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return string(v), translate(err, "Setting")
}

// deleted is S-Delete: the total and the per-model counts of a bulk
// delete, keeping the models with rows deleted and always main.
func deleted(main string, counts map[string]int64) (int64, map[string]int64) {
	var total int64
	for model, n := range counts {
		if n == 0 && model != main {
			delete(counts, model)
		}
		total += n
	}
	return total, counts
}
