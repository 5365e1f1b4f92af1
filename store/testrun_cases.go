package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// MaxAddCases bounds the case list of one TestRun.add_cases call.
const MaxAddCases = 10000

// NameValue is one property of an execution as TestRun.add_case lists it.
type NameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// AddedExecution is S-TestExecution-ac: an execution with its properties.
type AddedExecution struct {
	Execution
	Properties []NameValue `json:"properties" db:"properties"`
}

// AddCasesToRun answers TestRun.add_case and TestRun.add_cases: it adds
// the cases to the run, all or none, and returns the executions of every
// case, old and new, in case order. The usual call is one statement, with
// no BEGIN or COMMIT around it.
func (s *Store) AddCasesToRun(ctx context.Context, by Principal, runID int64, caseIDs []int64) ([]AddedExecution, error) {
	if len(caseIDs) > MaxAddCases {
		return nil, Errorf(Invalid, "case_ids: at most %d cases per call, got %d.", MaxAddCases, len(caseIDs))
	}
	for attempt := 0; attempt < addCasesAttempts; attempt++ {
		rows, err := s.q.TestRunAddCases(ctx, db.TestRunAddCasesParams{RunID: runID, CaseIds: caseIDs, HistoryUserID: by.UserID})
		if err != nil {
			return nil, translate(err, "TestRun")
		}
		switch {
		case len(rows) > 0 && rows[0].Added == rows[0].Planned:
			out := make([]AddedExecution, len(rows))
			for i, r := range rows {
				out[i] = AddedExecution{Execution: Execution{ExecutionCore: executionCore(r.ID, r.AssigneeID, r.TestedByID,
					r.CaseTextVersion, r.StartDate, r.StopDate, r.Sortkey, r.RunID, r.CaseID, r.StatusID, r.BuildID), Tag: r.Tag}}
				if err := json.Unmarshal(r.Properties, &out[i].Properties); err != nil {
					return nil, fmt.Errorf("TestRun.add_case: properties: %w", err)
				}
			}
			return out, nil
		case len(rows) == 0:
			if err := s.whyNotAdded(ctx, runID, caseIDs); err != nil || len(caseIDs) == 0 {
				return []AddedExecution{}, err
			}
		}
		// A concurrent call added some of these cases first: asking again
		// returns its executions.
	}
	return nil, Errorf(Unavailable, "other calls were adding the same cases to TestRun %d at the same time; "+
		"what was added stays, try again", runID)
}

// addCasesAttempts is how often AddCasesToRun asks again when concurrent
// calls keep adding the same cases first.
const addCasesAttempts = 3

// whyNotAdded names the reason TestRunAddCases wrote nothing: a missing run or
// case, or an unconfirmed case that is not in the run yet. nil means none
// of these, i.e. the cases are fine now.
func (s *Store) whyNotAdded(ctx context.Context, runID int64, caseIDs []int64) error {
	r, err := s.q.TestRunAddCasesRefusal(ctx, db.TestRunAddCasesRefusalParams{RunID: runID, CaseIds: caseIDs})
	missing, unconfirmed := r.Missing, r.Unconfirmed
	switch {
	case err != nil:
		return translate(err, "TestRun")
	case !r.RunExists:
		return Errorf(NotFound, "TestRun matching query does not exist.")
	case len(missing) > 0 && len(caseIDs) == 1:
		return Errorf(NotFound, "TestCase matching query does not exist.")
	case len(missing) > 0:
		return Errorf(NotFound, "TestCase matching query does not exist: %s.", joinIDs(missing))
	case len(unconfirmed) > 0:
		return Errorf(Invalid, "TC-%d status is not confirmed", unconfirmed[0])
	}
	return nil
}

func joinIDs(ids []int64) string {
	shown := ids[:min(len(ids), maxIDsNamed)]
	s := make([]string, len(shown))
	for i, id := range shown {
		s[i] = fmt.Sprint(id)
	}
	if more := len(ids) - len(shown); more > 0 {
		return fmt.Sprintf("%s and %d more", strings.Join(s, ", "), more)
	}
	return strings.Join(s, ", ")
}

// maxIDsNamed bounds the ids a fault names, so that a call naming
// thousands of missing records gets a short fault, not all of them back.
const maxIDsNamed = 20

// RunCase is S-TestCase-run: a case of a run with the id and status name
// of its execution.
type RunCase struct {
	CaseCore
	ExecutionID int64  `json:"execution_id" db:"execution_id"`
	Status      string `json:"status" db:"status"`
}

// RunCases answers TestRun.get_cases (Kiwi's reply shape, docs/api.md): one row per execution
// of the run, by execution id; every row of a case carries the id and
// status of the case's last execution. A missing run has none.
func (s *Store) RunCases(ctx context.Context, runID int64) ([]RunCase, error) {
	rows, err := s.q.TestRunCases(ctx, runID)
	if err != nil {
		return nil, translate(err, "TestRun")
	}
	return convert(rows, func(r db.TestRunCasesRow) RunCase {
		return RunCase{CaseCore: CaseCore{ID: r.ID, CreateDate: r.CreateDate, IsAutomated: r.IsAutomated, Script: r.Script,
			Arguments: r.Arguments, ExtraLink: r.ExtraLink, Summary: r.Summary, Requirement: r.Requirement, Notes: r.Notes,
			Text: r.Text, CaseStatus: r.CaseStatusID, Category: r.CategoryID, Priority: r.PriorityID, Author: r.AuthorID,
			DefaultTester: r.DefaultTesterID, Reviewer: r.ReviewerID}, ExecutionID: r.ExecutionID, Status: r.Status}
	}), nil
}

// RemoveCaseFromRun deletes every execution of a case in a run
// (deleteExecutions), locked first. Unknown ids change nothing.
func (s *Store) RemoveCaseFromRun(ctx context.Context, by Principal, runID, caseID int64) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		ids, err := filtered(tx, executionEntity, map[string]any{"run": runID, "case": caseID}).TestExecutionLockMatching(ctx)
		if err != nil || len(ids) == 0 {
			return err
		}
		return deleteExecutions(ctx, s.q.WithTx(tx), map[string]int64{}, db.TestExecutionDeleteParams{Ids: ids, HistoryUserID: by.UserID})
	})
	return translate(err, "TestRun")
}
