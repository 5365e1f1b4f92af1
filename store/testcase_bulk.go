package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tcms/tcms/store/internal/db"
)

// Bulk methods for CI reporters (issue 20): a suite of any size in a
// number of calls that does not grow with it.

// MaxBulkCases bounds the cases of one TestCase.bulk_create or
// TestPlan.add_cases call.
const MaxBulkCases = 10000

// CreateTestCases adds test cases (each as CreateTestCase takes it), all
// or none, with their history rows, and returns them as CreateTestCase
// does, in the order given. One statement writes them all.
func (s *Store) CreateTestCases(ctx context.Context, by Principal, list []NewCase) ([]TestCase, error) {
	if len(list) > MaxBulkCases {
		return nil, Errorf(Invalid, "values_list: at most %d cases per call, got %d.", MaxBulkCases, len(list))
	}
	return s.createTestCases(ctx, by, list)
}

// createTestCases runs TestCaseCreate, once the users the cases name
// are found fit for the tenant.
func (s *Store) createTestCases(ctx context.Context, by Principal, list []NewCase) ([]TestCase, error) {
	rows := make([]newCaseRow, len(list))
	var users []userField
	for i, c := range list {
		users = append(users, userField{name: "author", id: &c.Author}, userField{name: "default_tester", id: c.DefaultTester})
		rows[i] = newCaseRow{CreateDate: c.CreateDate, IsAutomated: c.IsAutomated, Script: c.Script, Arguments: c.Arguments,
			ExtraLink: c.ExtraLink, Summary: c.Summary, Requirement: c.Requirement, Notes: c.Notes, Text: c.Text,
			SetupUs: durationMicros(c.SetupDuration), TestingUs: durationMicros(c.TestingDuration),
			CaseStatusID: c.CaseStatus, CategoryID: c.Category, PriorityID: c.Priority, AuthorID: c.Author,
			DefaultTesterID: c.DefaultTester}
	}
	if err := refuseOutsiders(ctx, s.q, by, users); err != nil {
		return nil, err
	}
	cases, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	created, err := s.q.TestCaseCreate(ctx, db.TestCaseCreateParams{Cases: cases, UserID: by.UserID})
	if err != nil {
		return nil, translate(err, "TestCase")
	}
	out := make([]TestCase, len(created))
	for i, r := range created {
		out[i] = TestCase{CaseCore: CaseCore{ID: r.ID, CreateDate: r.CreateDate, IsAutomated: r.IsAutomated, Script: r.Script,
			Arguments: r.Arguments, ExtraLink: r.ExtraLink, Summary: r.Summary, Requirement: r.Requirement, Notes: r.Notes,
			Text: r.Text, CaseStatus: r.CaseStatusID, Category: r.CategoryID, Priority: r.PriorityID, Author: r.AuthorID,
			DefaultTester: r.DefaultTesterID, Reviewer: r.ReviewerID},
			SetupDuration: timedeltaText(micros(r.SetupDuration)), TestingDuration: timedeltaText(micros(r.TestingDuration))}
	}
	return out, nil
}

// newCaseRow is one case as TestCaseCreate reads it: keyed by column,
// durations in microseconds.
type newCaseRow struct {
	CreateDate      *time.Time `json:"create_date"`
	IsAutomated     *bool      `json:"is_automated"`
	Script          *string    `json:"script"`
	Arguments       *string    `json:"arguments"`
	ExtraLink       *string    `json:"extra_link"`
	Summary         *string    `json:"summary"`
	Requirement     *string    `json:"requirement"`
	Notes           *string    `json:"notes"`
	Text            *string    `json:"text"`
	SetupUs         *int64     `json:"setup_us"`
	TestingUs       *int64     `json:"testing_us"`
	CaseStatusID    *int64     `json:"case_status_id"`
	CategoryID      *int64     `json:"category_id"`
	PriorityID      *int64     `json:"priority_id"`
	AuthorID        int64      `json:"author_id"`
	DefaultTesterID *int64     `json:"default_tester_id"`
}

// durationMicros is a duration in whole microseconds, nil for none.
func durationMicros(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	return new(d.Microseconds())
}

// AddCasesToPlan links cases to a plan after its last case, in the order
// given, all or none (every case must exist); linked cases keep their
// sortkey. It returns how many links it made.
func (s *Store) AddCasesToPlan(ctx context.Context, planID int64, caseIDs []int64) (int64, error) {
	if len(caseIDs) > MaxBulkCases {
		return 0, Errorf(Invalid, "case_ids: at most %d cases per call, got %d.", MaxBulkCases, len(caseIDs))
	}
	var n int64
	err := s.withTx(ctx, func(q *db.Queries) error {
		if _, err := q.TestPlanLock(ctx, planID); err != nil {
			return err
		}
		missing, err := q.TestCaseMissing(ctx, caseIDs)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return Errorf(NotFound, "TestCase matching query does not exist: %s.", joinIDs(missing))
		}
		n, err = q.TestPlanAddCases(ctx, db.TestPlanAddCasesParams{PlanID: planID, CaseIds: caseIDs})
		return err
	})
	return n, translate(err, "TestPlan")
}
