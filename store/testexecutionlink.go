package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// Link is S-Link, a URL linked to an execution.
type Link struct {
	ID        int64  `json:"id" db:"id"`
	Execution int64  `json:"execution" db:"execution"`
	Name      string `json:"name" db:"name"`
	URL       string `json:"url" db:"url"`
	IsDefect  bool   `json:"is_defect" db:"is_defect"`
}

// LinkRow is S-Link-f, a link with its creation time.
type LinkRow struct {
	Link
	CreatedOn time.Time `json:"created_on" db:"created_on"`
}

// AddLink links a URL to the execution l.Execution and, in the same
// transaction, runs the action of the bug tracker the URL belongs to
// (linkToTracker). A missing execution is the form's choice error on
// execution.
func (s *Store) AddLink(ctx context.Context, l Link) (Link, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		r, err := s.q.WithTx(tx).LinkAdd(ctx, db.LinkAddParams{ExecutionID: l.Execution, Name: l.Name, Url: l.URL, IsDefect: l.IsDefect})
		if err != nil {
			return err
		}
		l = Link{ID: r.ID, Execution: r.ExecutionID, Name: r.Name, URL: r.Url, IsDefect: r.IsDefect}
		return linkToTracker(ctx, tx, l)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return Link{}, Errorf(Invalid, "[('execution', ['%s'])]", msgInvalidChoice)
	}
	return l, translate(err, "LinkReference")
}

var linkEntity = entity(&Entity{Model: "LinkReference", From: "FROM links p", Fields: map[string]Field{
	"id": {Expr: "p.id", Kind: IntField}, "name": {Expr: "p.name", Kind: TextField},
	"url": {Expr: "p.url", Kind: TextField}, "is_defect": {Expr: "p.is_defect", Kind: BoolField},
	"created_on": {Expr: "p.created_on", Kind: TimeField},
}, Relations: map[string]Relation{"execution": {Expr: "p.execution_id", To: "TestExecution"}}})

// FilterLinks answers TestExecution.get_links, by id.
func (s *Store) FilterLinks(ctx context.Context, query map[string]any) ([]LinkRow, error) {
	return filterRows(ctx, s, linkEntity, query, (*db.Queries).LinkFilter, func(r db.LinkFilterRow) LinkRow {
		return LinkRow{Link{ID: r.ID, Execution: r.Execution, Name: r.Name, URL: r.Url, IsDefect: r.IsDefect}, r.CreatedOn}
	})
}

// RemoveLinks deletes the links a non-empty query matches; matching none
// is fine.
func (s *Store) RemoveLinks(ctx context.Context, query map[string]any) error {
	if len(query) == 0 {
		return Errorf(Invalid, "A non-empty query is required: {} would delete every link.")
	}
	return linkEntity.translate(filtered(s.pool, linkEntity, query).LinkDeleteMatching(ctx))
}

// ExecutionProperty is S-ExecProperty, a name/value pair of an execution.
type ExecutionProperty struct {
	ID        int64  `json:"id" db:"id"`
	Name      string `json:"name" db:"name"`
	Value     string `json:"value" db:"value"`
	Execution int64  `json:"execution" db:"execution"`
}

var executionPropertyEntity = entity(&Entity{Model: "TestExecutionProperty", From: "FROM test_execution_properties p", Fields: map[string]Field{
	"id": {Expr: "p.id", Kind: IntField}, "name": {Expr: "p.name", Kind: TextField},
	"value": {Expr: "p.value", Kind: TextField},
}, Relations: map[string]Relation{"execution": {Expr: "p.execution_id", To: "TestExecution"}}})

// FilterExecutionProperties answers TestExecution.properties, by id.
func (s *Store) FilterExecutionProperties(ctx context.Context, query map[string]any) ([]ExecutionProperty, error) {
	return filterRows(ctx, s, executionPropertyEntity, query, (*db.Queries).TestExecutionPropertyFilter,
		func(r db.TestExecutionPropertyFilterRow) ExecutionProperty { return ExecutionProperty(r) })
}

// AddExecutionProperty is get-or-create on (execution, name, value).
func (s *Store) AddExecutionProperty(ctx context.Context, id int64, name, value string) (ExecutionProperty, error) {
	p, err := s.addProperty(ctx, executionLinks, id, name, value)
	return ExecutionProperty{ID: p.ID, Name: p.Name, Value: p.Value, Execution: p.Owner}, err
}

// AddExecutionTag tags an execution and returns all its tags.
func (s *Store) AddExecutionTag(ctx context.Context, by Principal, id int64, name string) ([]Tag, error) {
	return s.addTag(ctx, by, executionLinks, id, name)
}

// RemoveExecutionTag unlinks a tag from an execution, known or not, and
// returns the tags left.
func (s *Store) RemoveExecutionTag(ctx context.Context, id int64, name string) ([]Tag, error) {
	return s.removeTag(ctx, executionLinks, id, name, false)
}
