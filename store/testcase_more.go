package store

import (
	"context"
	"maps"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
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

var casePlanEntity = entity(&Entity{Model: "TestCasePlan", From: "FROM test_case_plans tcp", Fields: map[string]Field{
	"id": {Expr: "tcp.id", Kind: IntField}, "sortkey": {Expr: "tcp.sortkey", Kind: IntField},
}, Relations: map[string]Relation{
	"plan": {Expr: "tcp.plan_id", To: "TestPlan"}, "case": {Expr: "tcp.case_id", To: "TestCase"},
}})

// TestCaseSortkeys maps the case ids of the plan-case links a query
// matches to their sortkeys; when several links of a case match, the one
// added last wins.
func (s *Store) TestCaseSortkeys(ctx context.Context, query map[string]any) (map[string]*int64, error) {
	rows, err := filtered(s.pool, casePlanEntity, query).TestCasePlanSortkeys(ctx)
	if err != nil {
		return nil, casePlanEntity.translate(err)
	}
	out := make(map[string]*int64, len(rows))
	for _, r := range rows {
		out[strconv.FormatInt(r.CaseID, 10)] = widen(r.Sortkey)
	}
	return out, nil
}
