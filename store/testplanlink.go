package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/tcms/tcms/store/internal/db"
)

// PlanCase is S-TestCase-pa: a case as TestPlan.add_case returns it, with
// durations in seconds and the sortkey of its link to the plan.
type PlanCase struct {
	ID              int64     `json:"id"`
	IsAutomated     bool      `json:"is_automated"`
	Script          *string   `json:"script"`
	Arguments       *string   `json:"arguments"`
	ExtraLink       *string   `json:"extra_link"`
	Summary         string    `json:"summary"`
	Requirement     *string   `json:"requirement"`
	Notes           *string   `json:"notes"`
	Text            string    `json:"text"`
	SetupDuration   *float64  `json:"setup_duration"`
	TestingDuration *float64  `json:"testing_duration"`
	CaseStatusID    int64     `json:"case_status"`
	CategoryID      int64     `json:"category"`
	PriorityID      int64     `json:"priority"`
	AuthorID        int64     `json:"author"`
	DefaultTesterID *int64    `json:"default_tester"`
	ReviewerID      *int64    `json:"reviewer"`
	CreateDate      time.Time `json:"create_date"`
	Sortkey         *int32    `json:"sortkey"`
}

// intervalSeconds turns an interval into seconds, months counted as 30 days as
// PostgreSQL's extract(epoch) does; null stays null.
func intervalSeconds(iv pgtype.Interval) *float64 {
	if !iv.Valid {
		return nil
	}
	s := float64(iv.Microseconds)/1e6 + float64(iv.Days)*86400 + float64(iv.Months)*30*86400
	return &s
}

// AddCaseToPlan links a case to a plan after its last case (sortkey: the
// plan's highest + 10, or 0) and returns the case; linking again keeps the
// link as it is.
func (s *Store) AddCaseToPlan(ctx context.Context, planID, caseID int64) (PlanCase, error) {
	var r db.TestPlanCaseRow
	err := s.withTx(ctx, func(q *db.Queries) error {
		if _, err := q.TestPlanLock(ctx, planID); err != nil {
			return err
		}
		arg := db.TestPlanAddCaseParams{PlanID: planID, CaseID: caseID}
		if err := q.TestPlanAddCase(ctx, arg); err != nil {
			return err
		}
		var err error
		if r, err = q.TestPlanCase(ctx, db.TestPlanCaseParams(arg)); err != nil {
			return translate(err, "TestCase")
		}
		return nil
	})
	if err != nil {
		return PlanCase{}, translate(err, "TestPlan")
	}
	return PlanCase{ID: r.ID, IsAutomated: r.IsAutomated, Script: r.Script, Arguments: r.Arguments, ExtraLink: r.ExtraLink,
		Summary: r.Summary, Requirement: r.Requirement, Notes: r.Notes, Text: r.Text, SetupDuration: intervalSeconds(r.SetupDuration),
		TestingDuration: intervalSeconds(r.TestingDuration), CaseStatusID: r.CaseStatusID, CategoryID: r.CategoryID,
		PriorityID: r.PriorityID, AuthorID: r.AuthorID, DefaultTesterID: r.DefaultTesterID, ReviewerID: r.ReviewerID,
		CreateDate: r.CreateDate, Sortkey: r.Sortkey}, nil
}

// RemoveCaseFromPlan unlinks a case from a plan; no link is no error.
func (s *Store) RemoveCaseFromPlan(ctx context.Context, planID, caseID int64) error {
	err := s.q.TestPlanRemoveCase(ctx, db.TestPlanRemoveCaseParams{PlanID: planID, CaseID: caseID})
	return translate(err, "TestPlan")
}

// SetPlanCaseOrder sets the sortkey of a case in a plan; no link is no error.
func (s *Store) SetPlanCaseOrder(ctx context.Context, planID, caseID int64, sortkey int32) error {
	err := s.q.TestPlanCaseOrder(ctx, db.TestPlanCaseOrderParams{PlanID: planID, CaseID: caseID, Sortkey: &sortkey})
	return translate(err, "TestPlan")
}

// TagPlan tags a plan by tag name, by the tagIDs rule; tagging again is a
// no-op.
func (s *Store) TagPlan(ctx context.Context, by Principal, planID int64, name string) error {
	err := s.withTx(ctx, func(q *db.Queries) error {
		if _, err := q.TestPlanLock(ctx, planID); err != nil {
			return err
		}
		ids, err := s.tagIDs(ctx, q, by, []string{name})
		if err != nil {
			return err
		}
		return q.TestPlanAddTag(ctx, db.TestPlanAddTagParams{PlanID: planID, TagID: ids[0]})
	})
	return translate(err, "TestPlan")
}

// UntagPlan takes the tags of that name off a plan; an unknown name is
// NotFound, as Kiwi looks the tag up first.
func (s *Store) UntagPlan(ctx context.Context, planID int64, name string) error {
	err := s.withTx(ctx, func(q *db.Queries) error {
		if _, err := q.TestPlanLock(ctx, planID); err != nil {
			return err
		}
		n, err := q.TestPlanRemoveTag(ctx, db.TestPlanRemoveTagParams{PlanID: planID, Name: name})
		if err == nil && n == 0 {
			err = Errorf(NotFound, "Tag matching query does not exist.")
		}
		return err
	})
	return translate(err, "TestPlan")
}

// TestPlanExists tells whether a plan exists, for the attachment methods.
func (s *Store) TestPlanExists(ctx context.Context, id int64) error {
	_, err := s.q.TestPlanLock(ctx, id)
	return translate(err, "TestPlan")
}
