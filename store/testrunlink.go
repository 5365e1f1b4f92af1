package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// AddRunTag tags a run by the tagIDs rule (tagging twice changes nothing)
// and returns all its tags, S-TagList.
func (s *Store) AddRunTag(ctx context.Context, by Principal, runID int64, name string) ([]Tag, error) {
	return s.addTag(ctx, by, runLinks, runID, name)
}

// RemoveRunTag unlinks the tags of a name from a run and returns the tags
// left; the run and a tag of that name must exist.
func (s *Store) RemoveRunTag(ctx context.Context, runID int64, name string) ([]Tag, error) {
	return s.removeTag(ctx, runLinks, runID, name, true)
}

// RunProperty is a name/value pair of a run, S-RunProperty(-f).
type RunProperty struct {
	ID    int64  `json:"id" db:"id"`
	Run   int64  `json:"run" db:"run"`
	Name  string `json:"name" db:"name"`
	Value string `json:"value" db:"value"`
}

// AddRunProperty is get-or-create on (run, name, value): a duplicate
// returns the existing row.
func (s *Store) AddRunProperty(ctx context.Context, runID int64, name, value string) (RunProperty, error) {
	p, err := s.addProperty(ctx, runLinks, runID, name, value)
	return RunProperty{ID: p.ID, Run: p.Owner, Name: p.Name, Value: p.Value}, err
}

var runPropertyEntity = entity(&Entity{Model: "RunProperty", From: "FROM test_run_properties p", Fields: map[string]Field{
	"id": {Expr: "p.id", Kind: IntField}, "name": {Expr: "p.name", Kind: TextField},
	"value": {Expr: "p.value", Kind: TextField},
}, Relations: map[string]Relation{"run": {Expr: "p.run_id", To: "TestRun"}}})

// FilterRunProperties answers TestRun.properties, by run, name and value.
func (s *Store) FilterRunProperties(ctx context.Context, query map[string]any) ([]RunProperty, error) {
	return filterRows(ctx, s, runPropertyEntity, query, (*db.Queries).TestRunPropertyFilter,
		func(r db.TestRunPropertyFilterRow) RunProperty { return RunProperty(r) })
}

// ChangeRunCC adds the user (id, username or email) to a run's CC list,
// or removes it; adding twice changes nothing. The run and the user must
// exist.
func (s *Store) ChangeRunCC(ctx context.Context, runID int64, user UserRef, add bool) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := runLinks.lock(ctx, tx, runID); err != nil {
			return err
		}
		uid, err := resolveUserRef(ctx, tx, user)
		if err != nil || uid == nil {
			return orNotFound(err, "User")
		}
		q := s.q.WithTx(tx)
		if add {
			return q.TestRunCCAdd(ctx, db.TestRunCCAddParams{RunID: runID, UserID: *uid})
		}
		return q.TestRunCCRemove(ctx, db.TestRunCCRemoveParams{RunID: runID, UserID: *uid})
	})
	return translate(err, "TestRun")
}

// RunCC lists the email addresses of a run's CC list, by username.
func (s *Store) RunCC(ctx context.Context, runID int64) ([]string, error) {
	rows, err := s.q.TestRunCC(ctx, runID)
	if err == nil && len(rows) == 0 {
		err = pgx.ErrNoRows
	}
	out := []string{}
	for _, email := range rows {
		if email != nil {
			out = append(out, *email)
		}
	}
	return out, translate(err, "TestRun")
}
