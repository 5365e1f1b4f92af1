package store

import (
	"context"
	"time"
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
