package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// linked are the tag and property operations of a kind of record that
// runs, executions and bugs share: the generated queries of
// queries/recordlink.sql for that kind.
type linked struct {
	model    string // Kiwi's model name, for "does not exist" messages
	keyShare func(q *db.Queries, ctx context.Context, id int64) (int64, error)
	tags     func(q *db.Queries, ctx context.Context, id int64) ([]db.Tag, error)
	// addTag links a tag and lists all the record's tags.
	addTag func(q *db.Queries, ctx context.Context, id, tag int64) ([]db.Tag, error)
	// removeTag unlinks the tags of a name and says whether one exists.
	removeTag func(q *db.Queries, ctx context.Context, id int64, name string) (bool, error)
	// addProperty is get-or-create; nil for records without properties.
	addProperty func(q *db.Queries, ctx context.Context, id int64, name, value string) (Property, error)
}

var (
	runLinks = linked{model: "TestRun", keyShare: (*db.Queries).TestRunKeyShare, tags: (*db.Queries).TestRunTags,
		addTag: func(q *db.Queries, ctx context.Context, id, tag int64) ([]db.Tag, error) {
			return q.TestRunAddTag(ctx, db.TestRunAddTagParams{RunID: id, TagID: tag})
		},
		removeTag: func(q *db.Queries, ctx context.Context, id int64, name string) (bool, error) {
			return q.TestRunRemoveTag(ctx, db.TestRunRemoveTagParams{RunID: id, Name: name})
		},
		addProperty: func(q *db.Queries, ctx context.Context, id int64, name, value string) (Property, error) {
			r, err := q.TestRunPropertyAdd(ctx, db.TestRunPropertyAddParams{RunID: id, Name: name, Value: value})
			return Property(r), err
		}}
	executionLinks = linked{model: "TestExecution", keyShare: (*db.Queries).TestExecutionKeyShare, tags: (*db.Queries).TestExecutionTags,
		addTag: func(q *db.Queries, ctx context.Context, id, tag int64) ([]db.Tag, error) {
			return q.TestExecutionAddTag(ctx, db.TestExecutionAddTagParams{ExecutionID: id, TagID: tag})
		},
		removeTag: func(q *db.Queries, ctx context.Context, id int64, name string) (bool, error) {
			return q.TestExecutionRemoveTag(ctx, db.TestExecutionRemoveTagParams{ExecutionID: id, Name: name})
		},
		addProperty: func(q *db.Queries, ctx context.Context, id int64, name, value string) (Property, error) {
			r, err := q.TestExecutionPropertyAdd(ctx, db.TestExecutionPropertyAddParams{ExecutionID: id, Name: name, Value: value})
			return Property(r), err
		}}
	// bugLinks are the tag operations of bugs; bugs have no properties.
	bugLinks = linked{model: "Bug", keyShare: (*db.Queries).BugKeyShare, tags: (*db.Queries).BugTags,
		addTag: func(q *db.Queries, ctx context.Context, id, tag int64) ([]db.Tag, error) {
			return q.BugAddTag(ctx, db.BugAddTagParams{BugID: id, TagID: tag})
		},
		removeTag: func(q *db.Queries, ctx context.Context, id int64, name string) (bool, error) {
			return q.BugRemoveTag(ctx, db.BugRemoveTagParams{BugID: id, Name: name})
		}}
)

// lock makes sure the record exists and keeps it until the transaction
// ends.
func (l linked) lock(ctx context.Context, tx pgx.Tx, id int64) error {
	_, err := l.keyShare(db.New(tx), ctx, id)
	return translate(err, l.model)
}

// tagList turns generated tags into S-TagList.
func tagList(rows []db.Tag) []Tag {
	return convert(rows, func(t db.Tag) Tag { return Tag(t) })
}

// addTag tags the record by the tagIDs rule (tagging twice changes
// nothing) and returns all its tags.
func (s *Store) addTag(ctx context.Context, by Principal, l linked, id int64, name string) (out []Tag, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := l.lock(ctx, tx, id); err != nil {
			return err
		}
		q := s.q.WithTx(tx)
		ids, err := s.tagIDs(ctx, q, by, []string{name})
		if err != nil {
			return err
		}
		rows, err := l.addTag(q, ctx, id, ids[0])
		out = tagList(rows)
		return err
	})
	return out, translate(err, l.model)
}

// removeTag unlinks the tags of a name from the record and returns the
// tags left. With mustExist an unknown tag name is NotFound; the record
// must exist either way.
func (s *Store) removeTag(ctx context.Context, l linked, id int64, name string, mustExist bool) (out []Tag, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := l.lock(ctx, tx, id); err != nil {
			return err
		}
		q := s.q.WithTx(tx)
		known, err := l.removeTag(q, ctx, id, name)
		if err != nil {
			return err
		}
		if !known && mustExist {
			return Errorf(NotFound, "Tag matching query does not exist.")
		}
		rows, err := l.tags(q, ctx, id)
		out = tagList(rows)
		return err
	})
	return out, translate(err, l.model)
}

// Property is a name/value pair of a record as the add_property methods
// return it; the RPC layer names the record's key (run, execution).
type Property struct {
	ID    int64
	Owner int64
	Name  string
	Value string
}

// addProperty is get-or-create on (record, name, value), in one
// statement: a duplicate returns the existing row.
func (s *Store) addProperty(ctx context.Context, l linked, id int64, name, value string) (Property, error) {
	p, err := l.addProperty(s.q, ctx, id, name, value)
	if errors.Is(err, pgx.ErrNoRows) {
		// A concurrent insert of the same property committed after this
		// statement's snapshot; a new statement sees it. Otherwise the
		// record does not exist.
		p, err = l.addProperty(s.q, ctx, id, name, value)
	}
	return p, translate(err, l.model)
}
