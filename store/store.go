// Package store is the data layer: a Store over a PostgreSQL pool that owns
// every transaction and turns driver errors into *Error values.
package store

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tcms/tcms/store/internal/db"
)

// Store is the database behind the server. It is safe for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	q      *db.Queries
	cache  *authCache
	policy atomic.Pointer[LoginPolicy]
	// hashSlots bounds concurrent password hashes; see SetMaxHashes.
	hashSlots chan struct{}
	cancel    context.CancelFunc // stops the listener
	done      chan struct{}      // closed when the listener has stopped

	defaultGroups []string // joined by new users; see SetDefaultGroups

	aead atomic.Pointer[cipher.AEAD] // encrypts stored credentials; see encrypt.go
}

// Open connects to the database and starts the listener that keeps the
// in-memory session and credential caches coherent with other processes.
// It does not migrate.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	cfg, err := poolConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	scopeConnections(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	s := &Store{pool: pool, q: db.New(pool), cache: newAuthCache(), done: make(chan struct{}),
		defaultGroups: []string{TesterGroup}}
	s.SetLoginPolicy(DefaultLoginPolicy)
	s.SetMaxHashes(0)
	// The first LISTEN happens here so that a bad URL fails Open and the
	// caches work from the first call.
	conn, err := s.listenConn(ctx)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	lctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.listen(lctx, conn)
	return s, nil
}

// poolConfig reads a database URL, with two defaults of ours where the
// URL says nothing (pool_max_conns, plan_cache_mode):
//   - up to 4 connections per CPU, at least 8, so that concurrent CI
//     jobs do not queue for a connection while PostgreSQL idles;
//   - generic plans for prepared statements. Every statement we send is
//     prepared once per connection; PostgreSQL would otherwise plan the
//     hot-path statements (CTEs of several steps) anew on each call, which
//     costs more than running them (about 1 ms against 0.3 ms for
//     TestRun.add_case, docs/performance.md).
func poolConfig(databaseURL string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = int32(max(8, 4*runtime.GOMAXPROCS(0)))
	}
	if _, set := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !set {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	}
	return cfg, nil
}

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
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLock); err != nil {
			return err
		}
		before, err := s.q.WithTx(tx).SchemaObjects(ctx)
		if err != nil {
			return err
		}
		// Without arguments pgx uses the simple protocol, which runs a
		// multi-statement script.
		if _, err := tx.Exec(ctx, shared+tenant); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, "SELECT schema_name FROM tenants ORDER BY id")
		schemas, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, schema := range schemas {
			if err := inSchema(ctx, tx, schema, tenant); err != nil {
				return fmt.Errorf("tenant %s: %w", schema, err)
			}
		}
		after, err := s.q.WithTx(tx).SchemaObjects(ctx)
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

// filter runs an entity's row query narrowed by a Kiwi query dict, in its
// own transaction.
func filter[T any](ctx context.Context, s *Store, e *Entity, selectSQL string, query map[string]any, tail string) ([]T, error) {
	var out []T
	err := s.inTx(ctx, func(tx pgx.Tx) (err error) {
		out, err = Select[T](ctx, tx, e, selectSQL, query, tail)
		return err
	})
	return out, translate(err, e.Model)
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
	err := s.withTx(ctx, func(q *db.Queries) error {
		return q.SettingPut(ctx, db.SettingPutParams{Key: domainKey, Value: []byte(domain)})
	})
	return translate(err, "Setting")
}

// Domain returns the public domain, or "" when none was set.
func (s *Store) Domain(ctx context.Context) (string, error) {
	var v []byte
	err := s.withTx(ctx, func(q *db.Queries) (err error) {
		v, err = q.SettingGet(ctx, domainKey)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return string(v), translate(err, "Setting")
}

// lockMatching returns, in id order, the ids of the rows a query selects
// from the entity's row source (from: "FROM t a JOIN ..."; the row alias
// is a) and locks those rows until the transaction ends.
func lockMatching(ctx context.Context, tx pgx.Tx, e *Entity, a, from string, query map[string]any) ([]int64, error) {
	rows, err := Select[struct {
		ID int64 `db:"id"`
	}](ctx, tx, e, "SELECT "+a+".id "+from, query, "ORDER BY "+a+".id FOR UPDATE OF "+a)
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, err
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

// deleteMatching deletes the rows of table whose id the query selects
// from the entity's row source (from: " FROM t p JOIN ..."; the row alias
// is p), in one statement.
func deleteMatching(ctx context.Context, s *Store, e *Entity, table, from string, query map[string]any) error {
	cond, args, err := e.Where(query, 1)
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE id IN (SELECT p.id"+from+" WHERE "+cond+")", args...)
		return err
	})
	return e.translate(err)
}
