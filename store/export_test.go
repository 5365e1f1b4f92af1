package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// TagIDs runs tagIDs in a transaction of its own, for tests.
func (s *Store) TagIDs(ctx context.Context, by Principal, names []string) ([]int64, error) {
	var ids []int64
	err := s.withTx(ctx, func(q *db.Queries) (err error) {
		ids, err = s.tagIDs(ctx, q, by, names)
		return err
	})
	return ids, translate(err, "Tag")
}

// HoldConnection keeps a pool connection, in a transaction, until release
// is closed.
func (s *Store) HoldConnection(ctx context.Context, release <-chan struct{}) error {
	return s.inTx(ctx, func(pgx.Tx) error {
		<-release
		return nil
	})
}

// InUse is the number of pool connections taken.
func (s *Store) InUse() int { return int(s.pool.Stat().AcquiredConns()) }

// PoolSettings are the pool size and statement_timeout that OpenWith would
// use for a URL and options.
func PoolSettings(databaseURL string, opts Options) (int32, string, error) {
	cfg, err := poolConfig(databaseURL, opts)
	if err != nil {
		return 0, "", err
	}
	return cfg.MaxConns, cfg.ConnConfig.RuntimeParams["statement_timeout"], nil
}
