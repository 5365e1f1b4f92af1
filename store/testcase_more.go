package store

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// HistTestCase is S-HistTestCase: the record copy, FKs by their _id names
// and durations in float seconds, with the history columns.
type HistTestCase struct {
	ID              int64     `json:"id"`
	CreateDate      time.Time `json:"create_date"`
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
	CaseStatusID    int64     `json:"case_status_id"`
	CategoryID      int64     `json:"category_id"`
	PriorityID      int64     `json:"priority_id"`
	AuthorID        int64     `json:"author_id"`
	DefaultTesterID *int64    `json:"default_tester_id"`
	ReviewerID      *int64    `json:"reviewer_id"`
	HistoryMeta
}

var caseHistoryEntity = historyEntity("HistoricalTestCase", map[string]FieldKind{
	"id": IntField, "summary": TextField, "text": TextField, "notes": TextField, "is_automated": BoolField,
	"case_status_id": IntField, "category_id": IntField, "priority_id": IntField, "author_id": IntField,
	"default_tester_id": IntField, "reviewer_id": IntField,
})

// TestCaseHistory lists a test case's history rows matching query, newest
// first; a missing case is NotFound.
func (s *Store) TestCaseHistory(ctx context.Context, caseID int64, query map[string]any) ([]HistTestCase, error) {
	if _, err := s.TestCaseByID(ctx, caseID); err != nil {
		return nil, err
	}
	return historyRows[HistTestCase](ctx, s, caseHistoryEntity, caseOwner, caseID, query)
}

// RemoveTestCases deletes the test cases a non-empty query matches, with
// their links, properties, comments and attachments and their executions
// (with the executions' properties, tags, links, bug links, comments and
// attachments), writing a '-' history row for each case; it returns the
// total and the count per model (S-Delete).
func (s *Store) RemoveTestCases(ctx context.Context, by Principal, query map[string]any) (int64, map[string]int64, error) {
	if len(query) == 0 {
		return 0, nil, Errorf(Invalid, "TestCase.remove needs a non-empty query; an empty one would delete every test case.")
	}
	counts := map[string]int64{}
	var total int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := Select[struct {
			ID int64 `db:"id"`
		}](ctx, tx, caseEntity, "SELECT tc.id "+caseFrom, query, "ORDER BY tc.id FOR UPDATE OF tc")
		if err != nil {
			return err
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		// The cases' executions go by cascade; their comments and
		// attachments (no foreign key) are deleted with the cases'.
		var plans, tags, comps, props, execs, execProps, execTags, links, bugLinks, comments, files, cases int64
		var execIDs []int64
		err = tx.QueryRow(ctx, `WITH x AS (SELECT id FROM test_executions WHERE case_id = ANY($1) FOR UPDATE)
			SELECT (SELECT count(*) FROM test_case_plans WHERE case_id = ANY($1)),
			(SELECT count(*) FROM test_case_tags WHERE case_id = ANY($1)),
			(SELECT count(*) FROM test_case_components WHERE case_id = ANY($1)),
			(SELECT count(*) FROM test_case_properties WHERE case_id = ANY($1)),
			ARRAY(SELECT id FROM x),
			(SELECT count(*) FROM test_execution_properties WHERE execution_id IN (SELECT id FROM x)),
			(SELECT count(*) FROM test_execution_tags WHERE execution_id IN (SELECT id FROM x)),
			(SELECT count(*) FROM links WHERE execution_id IN (SELECT id FROM x)),
			(SELECT count(*) FROM bug_executions WHERE execution_id IN (SELECT id FROM x))`, ids).
			Scan(&plans, &tags, &comps, &props, &execIDs, &execProps, &execTags, &links, &bugLinks)
		if err != nil {
			return err
		}
		execs = int64(len(execIDs))
		err = tx.QueryRow(ctx, `WITH cm AS (DELETE FROM comments
				WHERE owner = $2 AND object_id = ANY($1) OR owner = $4 AND object_id = ANY($5) RETURNING 1),
			at AS (DELETE FROM attachments WHERE owner = $2 AND object_id = ANY($1) OR owner = $4 AND object_id = ANY($5) RETURNING 1),
			c AS (DELETE FROM test_cases WHERE id = ANY($1) RETURNING *),
			`+historyStep(caseOwner, "c", "-", caseRecord("c"), 3, "NULL")+`
			SELECT (SELECT count(*) FROM cm), (SELECT count(*) FROM at), (SELECT count(*) FROM c)`,
			ids, caseOwner, by.UserID, TestExecutionOwner, execIDs).Scan(&comments, &files, &cases)
		if err != nil {
			return err
		}
		for model, n := range map[string]int64{"testcases.TestCase": cases, "testcases.TestCasePlan": plans,
			"testcases.TestCaseTag": tags, "testcases.TestCaseComponent": comps, "testcases.Property": props,
			"django_comments.Comment": comments, "attachments.Attachment": files,
			"testruns.TestExecution": execs, "testruns.TestExecutionProperty": execProps,
			"testruns.TestExecutionTag": execTags, "linkreference.LinkReference": links, "bugs.Bug_executions": bugLinks} {
			if n > 0 || model == "testcases.TestCase" {
				counts[model] = n
				total += n
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, translate(err, "TestCase")
	}
	return total, counts, nil
}

var casePlanEntity = entity(&Entity{Model: "TestCasePlan", Fields: map[string]Field{
	"id": {Expr: "tcp.id", Kind: IntField}, "sortkey": {Expr: "tcp.sortkey", Kind: IntField},
	"plan": {Expr: "tcp.plan_id", Kind: IntField}, "plan_id": {Expr: "tcp.plan_id", Kind: IntField},
	"case": {Expr: "tcp.case_id", Kind: IntField}, "case_id": {Expr: "tcp.case_id", Kind: IntField},
}})

// TestCaseSortkeys maps the case ids of the plan-case links a query
// matches to their sortkeys; when several links of a case match, the one
// added last wins.
func (s *Store) TestCaseSortkeys(ctx context.Context, query map[string]any) (map[string]*int64, error) {
	type link struct {
		CaseID  int64  `db:"case_id"`
		Sortkey *int64 `db:"sortkey"`
	}
	rows, err := filter[link](ctx, s, casePlanEntity, "SELECT tcp.case_id, tcp.sortkey::bigint AS sortkey FROM test_case_plans tcp", query, "ORDER BY tcp.id")
	out := make(map[string]*int64, len(rows))
	for _, r := range rows {
		out[strconv.FormatInt(r.CaseID, 10)] = r.Sortkey
	}
	return out, err
}
