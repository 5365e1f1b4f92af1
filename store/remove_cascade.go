package store

import (
	"context"
	"maps"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// RemoveExecutions deletes the executions a non-empty query matches
// (deleteExecutions), locked first.
func (s *Store) RemoveExecutions(ctx context.Context, by Principal, query map[string]any) error {
	if len(query) == 0 {
		return Errorf(Invalid, "TestExecution.remove needs a non-empty query; an empty one would delete every test execution.")
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		ids, err := filtered(tx, executionEntity, query).TestExecutionLockMatching(ctx)
		if err != nil || len(ids) == 0 {
			return err
		}
		return deleteExecutions(ctx, s.q.WithTx(tx), map[string]int64{}, db.TestExecutionDeleteParams{Ids: ids, HistoryUserID: by.UserID})
	})
	return executionEntity.translate(err)
}

// RemoveTestRuns deletes the runs a non-empty query matches with their
// executions, tags, CC, properties, links, comments and attachments,
// writing a '-' history row for each run and execution; it returns the
// total and the count per model (S-Delete).
func (s *Store) RemoveTestRuns(ctx context.Context, by Principal, query map[string]any) (int64, map[string]int64, error) {
	if len(query) == 0 {
		return 0, nil, Errorf(Invalid, "TestRun.remove needs a non-empty query; an empty one would delete every test run.")
	}
	var counts map[string]int64
	var total int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		runs, err := filtered(tx, runEntity, query).TestRunLockMatching(ctx)
		if err != nil {
			return err
		}
		q := s.q.WithTx(tx)
		counts = map[string]int64{}
		if err := deleteExecutions(ctx, q, counts, db.TestExecutionDeleteParams{RunIds: runs, HistoryUserID: by.UserID}); err != nil {
			return err
		}
		n, err := q.TestRunDelete(ctx, db.TestRunDeleteParams{Ids: runs, HistoryUserID: by.UserID})
		if err != nil {
			return err
		}
		counts["django_comments.Comment"] += n.Comments
		counts["attachments.Attachment"] += n.Attachments
		maps.Copy(counts, map[string]int64{"testruns.TestRun": n.Runs, "testruns.TestRunTag": n.Tags,
			"testruns.TestRunCC": n.Cc, "testruns.Property": n.Properties})
		total, counts = deleted("testruns.TestRun", counts)
		return nil
	})
	if err != nil {
		return 0, nil, translate(err, "TestRun")
	}
	return total, counts, nil
}

// RemoveTestCases deletes the test cases a non-empty query matches, with
// their links, properties, comments and attachments and their executions
// (deleteExecutions), writing a '-' history row for each case and
// execution; it returns the total and the count per model (S-Delete).
func (s *Store) RemoveTestCases(ctx context.Context, by Principal, query map[string]any) (int64, map[string]int64, error) {
	if len(query) == 0 {
		return 0, nil, Errorf(Invalid, "TestCase.remove needs a non-empty query; an empty one would delete every test case.")
	}
	var counts map[string]int64
	var total int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		ids, err := filtered(tx, caseEntity, query).TestCaseLockMatching(ctx)
		if err != nil {
			return err
		}
		// The cases' executions go first, as TestRun.remove takes them.
		q := s.q.WithTx(tx)
		counts = map[string]int64{}
		if err := deleteExecutions(ctx, q, counts, db.TestExecutionDeleteParams{CaseIds: ids, HistoryUserID: by.UserID}); err != nil {
			return err
		}
		n, err := q.TestCaseDelete(ctx, db.TestCaseDeleteParams{Ids: ids, HistoryUserID: by.UserID})
		if err != nil {
			return err
		}
		counts["django_comments.Comment"] += n.Comments
		counts["attachments.Attachment"] += n.Attachments
		maps.Copy(counts, map[string]int64{"testcases.TestCase": n.Cases, "testcases.TestCasePlan": n.Plans,
			"testcases.TestCaseTag": n.Tags, "testcases.TestCaseComponent": n.Components, "testcases.Property": n.Properties})
		total, counts = deleted("testcases.TestCase", counts)
		return nil
	})
	if err != nil {
		return 0, nil, translate(err, "TestCase")
	}
	return total, counts, nil
}
