package store

import (
	"context"

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
