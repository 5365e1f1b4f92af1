package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

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
func (s *Store) CreateTestCases(ctx context.Context, by Principal, list []CaseValues) ([]TestCase, error) {
	if len(list) > MaxBulkCases {
		return nil, Errorf(Invalid, "values_list: at most %d cases per call, got %d.", MaxBulkCases, len(list))
	}
	return s.createTestCases(ctx, by, list)
}

// createTestCases runs TestCaseCreate, once the users the cases name
// are found fit for the tenant.
func (s *Store) createTestCases(ctx context.Context, by Principal, list []CaseValues) ([]TestCase, error) {
	rows := make([]map[string]any, len(list))
	var users []userField
	for i, v := range list {
		row, err := v.jsonRow()
		if err != nil {
			return nil, err
		}
		rows[i] = row
		for _, col := range []string{"author_id", "default_tester_id", "reviewer_id"} {
			if id, ok := v[col].(*int64); ok {
				users = append(users, userField{name: strings.TrimSuffix(col, "_id"), id: id})
			}
		}
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
			SetupDuration: timedeltaText(intervalMicroseconds(r.SetupDuration)), TestingDuration: timedeltaText(intervalMicroseconds(r.TestingDuration))}
	}
	return out, nil
}

// intervalMicroseconds is a nullable interval in microseconds, a day as
// 86,400 s and a month as 30 days, as extract(epoch ...) counts them.
func intervalMicroseconds(i pgtype.Interval) *int64 {
	if !i.Valid {
		return nil
	}
	return new(i.Microseconds + (int64(i.Days)+30*int64(i.Months))*86400e6)
}

// jsonRow is v as TestCaseCreate reads one case: keyed by column,
// durations in microseconds as setup_us and testing_us.
func (v CaseValues) jsonRow() (map[string]any, error) {
	cols, vals, err := v.columns()
	if err != nil {
		return nil, err
	}
	row := make(map[string]any, len(cols))
	for i, c := range cols {
		switch d := vals[i].(type) {
		case *time.Duration:
			key := c[:len(c)-len("_duration")] + "_us"
			if d == nil {
				row[key] = nil
			} else {
				row[key] = d.Microseconds()
			}
		case time.Time:
			row[c] = d.UTC().Format(time.RFC3339Nano)
		default:
			row[c] = d
		}
	}
	return row, nil
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
