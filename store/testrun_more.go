package store

import (
	"context"
	"maps"
	"math"

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

// RunSummary is TestRun.summary's reply: how many executions the run has
// in all, per status name (every status, 0 when none) and per weight
// class; the share of them with a positive or negative status, in
// percent; and whether the run passed: it has executions, none negative
// and none neutral (not run yet).
type RunSummary struct {
	Run        int64            `json:"run"`
	Total      int64            `json:"total"`
	Statuses   map[string]int64 `json:"statuses"`
	Positive   int64            `json:"positive"`
	Neutral    int64            `json:"neutral"`
	Negative   int64            `json:"negative"`
	Completion float64          `json:"completion"`
	Passed     bool             `json:"passed"`
}

// TestRunSummary answers TestRun.summary in one statement.
func (s *Store) TestRunSummary(ctx context.Context, runID int64) (RunSummary, error) {
	rows, err := s.q.TestRunSummary(ctx, runID)
	if err != nil {
		return RunSummary{}, translate(err, "TestRun")
	}
	if len(rows) == 0 || !rows[0].RunExists {
		return RunSummary{}, Errorf(NotFound, "TestRun matching query does not exist.")
	}
	sum := RunSummary{Run: runID, Statuses: make(map[string]int64, len(rows))}
	for _, r := range rows {
		sum.Statuses[r.Name] += r.Executions
		sum.Total += r.Executions
		switch weightKey(r.Weight) {
		case "positive":
			sum.Positive += r.Executions
		case "negative":
			sum.Negative += r.Executions
		default:
			sum.Neutral += r.Executions
		}
	}
	if sum.Total > 0 {
		sum.Completion = math.Round(10000*float64(sum.Positive+sum.Negative)/float64(sum.Total)) / 100
	}
	sum.Passed = sum.Total > 0 && sum.Negative == 0 && sum.Neutral == 0
	return sum, nil
}
