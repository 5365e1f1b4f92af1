package store

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tcms/tcms/store/internal/db"
)

// TestCaseStatus is a status of test cases, S-TestCaseStatus.
type TestCaseStatus struct {
	ID          int64   `json:"id" db:"id"`
	Name        string  `json:"name" db:"name"`
	Description *string `json:"description" db:"description"`
	IsConfirmed bool    `json:"is_confirmed" db:"is_confirmed"`
}

// TestCaseStatusChange holds the fields of a test case status to set; nil
// keeps a field.
type TestCaseStatusChange struct {
	Name, Description *string
	IsConfirmed       *bool
}

// WeightedStatus is a status with a weight, an icon and a colour: a test
// execution status (S-TestExecutionStatus) or a bug severity (S-Severity).
type WeightedStatus struct {
	ID     int64  `json:"id" db:"id"`
	Name   string `json:"name" db:"name"`
	Weight int32  `json:"weight" db:"weight"`
	Icon   string `json:"icon" db:"icon"`
	Color  string `json:"color" db:"color"`
}

// WeightedChange holds the fields of a weighted status to set; nil keeps
// a field.
type WeightedChange struct {
	Name   *string
	Weight *int32
	Icon   *string
	Color  *string
}

// statusRule is what must remain of a kind of status: at least one status
// of each class. Kiwi breaks when a kind runs out of a class.
type statusRule struct {
	model   string   // "TestCaseStatus", for not-found messages
	noun    string   // "test case status", for refusals
	classes []string // the classes that must keep a status
}

var (
	caseStatusRule = statusRule{"TestCaseStatus", "test case status", []string{"confirmed", "unconfirmed"}}
	execStatusRule = statusRule{"TestExecutionStatus", "test execution status",
		[]string{"positive (weight > 0)", "neutral (weight 0)", "negative (weight < 0)"}}
)

func confirmedClass(confirmed bool) string {
	if confirmed {
		return "confirmed"
	}
	return "unconfirmed"
}

func weightClass(w int32) string {
	switch {
	case w > 0:
		return execStatusRule.classes[0]
	case w == 0:
		return execStatusRule.classes[1]
	}
	return execStatusRule.classes[2]
}

// allow checks a change to status id against every status of its kind,
// which the caller has locked (id -> class) so that concurrent changes
// check one after the other. after gives the status's class after the
// change from its current one; nil means it is removed.
func (r statusRule) allow(locked map[int64]string, id int64, after func(current string) string) error {
	current, ok := locked[id]
	if !ok {
		return Errorf(NotFound, "%s matching query does not exist.", r.model)
	}
	if after == nil {
		delete(locked, id)
	} else {
		locked[id] = after(current)
	}
	left := slices.Collect(maps.Values(locked))
	for _, c := range r.classes {
		if !slices.Contains(left, c) {
			return Errorf(Invalid, "At least one %s %s must remain.", c, r.noun)
		}
	}
	return nil
}

// lockCaseStatuses locks every test case status and returns their classes.
func lockCaseStatuses(ctx context.Context, q *db.Queries) (map[int64]string, error) {
	rows, err := q.TestCaseStatusLockAll(ctx)
	locked := make(map[int64]string, len(rows))
	for _, r := range rows {
		locked[r.ID] = confirmedClass(r.IsConfirmed)
	}
	return locked, err
}

// lockExecStatuses locks every test execution status and returns their
// classes.
func lockExecStatuses(ctx context.Context, q *db.Queries) (map[int64]string, error) {
	rows, err := q.TestExecutionStatusLockAll(ctx)
	locked := make(map[int64]string, len(rows))
	for _, r := range rows {
		locked[r.ID] = weightClass(r.Weight)
	}
	return locked, err
}

// CreateTestCaseStatus adds a test case status; names may repeat.
func (s *Store) CreateTestCaseStatus(ctx context.Context, name, description string, confirmed bool) (TestCaseStatus, error) {
	row, err := s.q.TestCaseStatusCreate(ctx, db.TestCaseStatusCreateParams{Name: name, Description: &description, IsConfirmed: confirmed})
	return TestCaseStatus(row), translate(err, "TestCaseStatus")
}

// UpdateTestCaseStatus changes a test case status, unless that would leave
// no confirmed or no unconfirmed status.
func (s *Store) UpdateTestCaseStatus(ctx context.Context, id int64, c TestCaseStatusChange) (TestCaseStatus, error) {
	var row db.TestCaseStatus
	err := s.withTx(ctx, func(q *db.Queries) error {
		locked, err := lockCaseStatuses(ctx, q)
		if err != nil {
			return err
		}
		err = caseStatusRule.allow(locked, id, func(current string) string {
			if c.IsConfirmed == nil {
				return current
			}
			return confirmedClass(*c.IsConfirmed)
		})
		if err != nil {
			return err
		}
		row, err = q.TestCaseStatusUpdate(ctx, db.TestCaseStatusUpdateParams{ID: id, Name: c.Name, Description: c.Description, IsConfirmed: c.IsConfirmed})
		return err
	})
	return TestCaseStatus(row), translate(err, "TestCaseStatus")
}

// RemoveTestCaseStatus deletes a test case status, unless it is the last
// confirmed or the last unconfirmed one.
func (s *Store) RemoveTestCaseStatus(ctx context.Context, id int64) error {
	err := s.withTx(ctx, func(q *db.Queries) error {
		locked, err := lockCaseStatuses(ctx, q)
		if err == nil {
			err = caseStatusRule.allow(locked, id, nil)
		}
		if err != nil {
			return err
		}
		return q.TestCaseStatusDelete(ctx, id)
	})
	return translate(inUse(err, "test case status", "test cases"), "TestCaseStatus")
}

// inUse turns the foreign key violation of deleting a referenced status
// into a clear refusal.
func inUse(err error, what, users string) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23503" {
		return Errorf(Invalid, "This %s is in use by %s and cannot be deleted.", what, users)
	}
	return err
}

var caseStatusEntity = entity(&Entity{Model: "TestCaseStatus", From: "FROM test_case_statuses cs", Fields: map[string]Field{
	"id": {Expr: "cs.id", Kind: IntField}, "name": {Expr: "cs.name", Kind: TextField},
	"description": {Expr: "cs.description", Kind: TextField}, "is_confirmed": {Expr: "cs.is_confirmed", Kind: BoolField},
}})

// FilterTestCaseStatuses answers a Kiwi query dict over test case statuses,
// by id.
func (s *Store) FilterTestCaseStatuses(ctx context.Context, query map[string]any) ([]TestCaseStatus, error) {
	return filterRows(ctx, s, caseStatusEntity, query, (*db.Queries).TestCaseStatusFilter,
		func(r db.TestCaseStatus) TestCaseStatus { return TestCaseStatus(r) })
}

// CreateTestExecutionStatus adds a test execution status (v.ID is
// ignored); a taken name is a Conflict.
func (s *Store) CreateTestExecutionStatus(ctx context.Context, v WeightedStatus) (WeightedStatus, error) {
	row, err := s.q.TestExecutionStatusCreate(ctx, db.TestExecutionStatusCreateParams{Name: v.Name, Weight: v.Weight, Icon: v.Icon, Color: v.Color})
	return WeightedStatus(row), translate(err, "Test execution status")
}

// UpdateTestExecutionStatus changes a test execution status, unless that
// would leave no positive, no neutral or no negative status.
func (s *Store) UpdateTestExecutionStatus(ctx context.Context, id int64, c WeightedChange) (WeightedStatus, error) {
	var row db.TestExecutionStatus
	err := s.withTx(ctx, func(q *db.Queries) error {
		locked, err := lockExecStatuses(ctx, q)
		if err != nil {
			return err
		}
		err = execStatusRule.allow(locked, id, func(current string) string {
			if c.Weight == nil {
				return current
			}
			return weightClass(*c.Weight)
		})
		if err != nil {
			return err
		}
		row, err = q.TestExecutionStatusUpdate(ctx, db.TestExecutionStatusUpdateParams{ID: id, Name: c.Name, Weight: c.Weight, Icon: c.Icon, Color: c.Color})
		return err
	})
	// Django names the model by its verbose name in unique errors.
	return WeightedStatus(row), translate(err, "Test execution status")
}

// RemoveTestExecutionStatus deletes a test execution status, unless it is
// the last positive, neutral or negative one.
func (s *Store) RemoveTestExecutionStatus(ctx context.Context, id int64) error {
	err := s.withTx(ctx, func(q *db.Queries) error {
		locked, err := lockExecStatuses(ctx, q)
		if err == nil {
			err = execStatusRule.allow(locked, id, nil)
		}
		if err != nil {
			return err
		}
		return q.TestExecutionStatusDelete(ctx, id)
	})
	return translate(inUse(err, "test execution status", "test executions"), "TestExecutionStatus")
}

// weightedEntity declares the filterable fields of a weighted status
// table, aliased s in its row query.
func weightedEntity(model, table string) *Entity {
	return entity(&Entity{Model: model, From: "FROM " + table + " s", Fields: map[string]Field{
		"id": {Expr: "s.id", Kind: IntField}, "name": {Expr: "s.name", Kind: TextField},
		"weight": {Expr: "s.weight", Kind: IntField}, "icon": {Expr: "s.icon", Kind: TextField},
		"color": {Expr: "s.color", Kind: TextField},
	}})
}

var execStatusEntity = weightedEntity("TestExecutionStatus", "test_execution_statuses")

// FilterTestExecutionStatuses answers a Kiwi query dict over test
// execution statuses, by id.
func (s *Store) FilterTestExecutionStatuses(ctx context.Context, query map[string]any) ([]WeightedStatus, error) {
	return filterRows(ctx, s, execStatusEntity, query, (*db.Queries).TestExecutionStatusFilter,
		func(r db.TestExecutionStatus) WeightedStatus { return WeightedStatus(r) })
}
