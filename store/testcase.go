package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// caseOwner is the owner string of test cases in the generic tables
// (history, comments, attachments).
const caseOwner = "testcases_testcase"

// CaseCore are the fields every test case shape carries; FKs are ids.
type CaseCore struct {
	ID            int64     `json:"id" db:"id"`
	CreateDate    time.Time `json:"create_date" db:"create_date"`
	IsAutomated   bool      `json:"is_automated" db:"is_automated"`
	Script        *string   `json:"script" db:"script"`
	Arguments     *string   `json:"arguments" db:"arguments"`
	ExtraLink     *string   `json:"extra_link" db:"extra_link"`
	Summary       string    `json:"summary" db:"summary"`
	Requirement   *string   `json:"requirement" db:"requirement"`
	Notes         *string   `json:"notes" db:"notes"`
	Text          string    `json:"text" db:"text"`
	CaseStatus    int64     `json:"case_status" db:"case_status"`
	Category      int64     `json:"category" db:"category"`
	Priority      int64     `json:"priority" db:"priority"`
	Author        int64     `json:"author" db:"author"`
	DefaultTester *int64    `json:"default_tester" db:"default_tester"`
	Reviewer      *int64    `json:"reviewer" db:"reviewer"`
}

// CaseNames are the names of a test case's FKs, as S-TestCase-f and
// S-TestCase-u add them.
type CaseNames struct {
	CaseStatusName        string  `json:"case_status__name" db:"case_status__name"`
	CategoryName          string  `json:"category__name" db:"category__name"`
	PriorityValue         string  `json:"priority__value" db:"priority__value"`
	AuthorUsername        string  `json:"author__username" db:"author__username"`
	DefaultTesterUsername *string `json:"default_tester__username" db:"default_tester__username"`
	ReviewerUsername      *string `json:"reviewer__username" db:"reviewer__username"`
}

// TestCase is S-TestCase: durations as Python's timedelta text or "None".
type TestCase struct {
	CaseCore
	SetupDuration   string `json:"setup_duration"`
	TestingDuration string `json:"testing_duration"`
}

// TestCaseUpdated is S-TestCase-u, S-TestCase with the FK names.
type TestCaseUpdated struct {
	TestCase
	CaseNames
}

// TestCaseRow is S-TestCase-f: durations in float seconds or null, and
// the time of the case's latest history row.
type TestCaseRow struct {
	CaseCore
	CaseNames
	HistoryDate      *time.Time `json:"history_date"`
	SetupDuration    *float64   `json:"setup_duration"`
	TestingDuration  *float64   `json:"testing_duration"`
	ExpectedDuration float64    `json:"expected_duration"`
}

// caseRow is a test case as TestCaseFilter reads it, durations in
// microseconds.
type caseRow struct {
	CaseCore
	CaseNames
	SetupUs     *int64     `db:"setup_us"`
	TestingUs   *int64     `db:"testing_us"`
	HistoryDate *time.Time `db:"history_date"`
}

func (r caseRow) created() TestCase {
	return TestCase{CaseCore: r.CaseCore, SetupDuration: timedeltaText(r.SetupUs), TestingDuration: timedeltaText(r.TestingUs)}
}

func (r caseRow) filtered() TestCaseRow {
	out := TestCaseRow{CaseCore: r.CaseCore, CaseNames: r.CaseNames, HistoryDate: r.HistoryDate,
		SetupDuration: seconds(r.SetupUs), TestingDuration: seconds(r.TestingUs)}
	for _, d := range []*float64{out.SetupDuration, out.TestingDuration} {
		if d != nil {
			out.ExpectedDuration += *d
		}
	}
	return out
}

func seconds(us *int64) *float64 {
	if us == nil {
		return nil
	}
	return new(float64(*us) / 1e6)
}

// timedeltaText renders microseconds as Python's str(timedelta):
// "0:00:30", "2 days, 20:10:00", "-1 day, 23:59:59.500000"; nil is "None".
func timedeltaText(us *int64) string {
	if us == nil {
		return "None"
	}
	const day = int64(86400e6)
	days, rest := *us/day, *us%day
	if rest < 0 {
		days, rest = days-1, rest+day
	}
	s := fmt.Sprintf("%d:%02d:%02d", rest/3600e6, rest/60e6%60, rest/1e6%60)
	if micro := rest % 1e6; micro != 0 {
		s += fmt.Sprintf(".%06d", micro)
	}
	if days != 0 {
		plural := "s"
		if days == 1 || days == -1 {
			plural = ""
		}
		s = fmt.Sprintf("%d day%s, %s", days, plural, s)
	}
	return s
}

// caseRowOf is a row of TestCaseFilter as a caseRow.
func caseRowOf(r db.TestCaseFilterRow) caseRow {
	return caseRow{
		CaseCore: CaseCore{ID: r.ID, CreateDate: r.CreateDate, IsAutomated: r.IsAutomated, Script: r.Script,
			Arguments: r.Arguments, ExtraLink: r.ExtraLink, Summary: r.Summary, Requirement: r.Requirement, Notes: r.Notes,
			Text: r.Text, CaseStatus: r.CaseStatusID, Category: r.CategoryID, Priority: r.PriorityID, Author: r.AuthorID,
			DefaultTester: r.DefaultTesterID, Reviewer: r.ReviewerID},
		CaseNames: CaseNames{CaseStatusName: r.CaseStatusName, CategoryName: r.CategoryName, PriorityValue: r.PriorityValue,
			AuthorUsername: r.AuthorUsername, DefaultTesterUsername: r.DefaultTesterUsername, ReviewerUsername: r.ReviewerUsername},
		SetupUs: micros(r.SetupDuration), TestingUs: micros(r.TestingDuration), HistoryDate: timeOrNil(r.HistoryDate),
	}
}

// caseEntity is what TestCase.filter may filter on: the case's columns,
// its status, category, priority and users, and its plans, tags,
// components, executions and properties.
var caseEntity = entity(&Entity{Model: "TestCase", From: "FROM test_cases tc", Fields: map[string]Field{
	"id": {Expr: "tc.id", Kind: IntField}, "summary": {Expr: "tc.summary", Kind: TextField},
	"text": {Expr: "tc.text", Kind: TextField}, "notes": {Expr: "tc.notes", Kind: TextField},
	"requirement": {Expr: "tc.requirement", Kind: TextField}, "script": {Expr: "tc.script", Kind: TextField},
	"arguments": {Expr: "tc.arguments", Kind: TextField}, "extra_link": {Expr: "tc.extra_link", Kind: TextField},
	"is_automated": {Expr: "tc.is_automated", Kind: BoolField}, "create_date": {Expr: "tc.create_date", Kind: TimeField},
	"setup_duration":   {Expr: "extract(epoch FROM tc.setup_duration)::float8", Kind: FloatField},
	"testing_duration": {Expr: "extract(epoch FROM tc.testing_duration)::float8", Kind: FloatField},
}, Relations: map[string]Relation{
	"case_status":    {Expr: "tc.case_status_id", To: "TestCaseStatus"},
	"category":       {Expr: "tc.category_id", To: "Category"},
	"priority":       {Expr: "tc.priority_id", To: "Priority"},
	"author":         {Expr: "tc.author_id", To: "RelatedUser"},
	"default_tester": {Expr: "tc.default_tester_id", To: "RelatedUser"},
	"reviewer":       {Expr: "tc.reviewer_id", To: "RelatedUser"},
	"plan":           {Expr: "tcp.plan_id", Exists: "SELECT 1 FROM test_case_plans tcp WHERE tcp.case_id = tc.id", To: "TestPlan"},
	"tag":            {Expr: "tct.tag_id", Exists: "SELECT 1 FROM test_case_tags tct WHERE tct.case_id = tc.id", To: "Tag"},
	"component":      {Expr: "tcc.component_id", Exists: "SELECT 1 FROM test_case_components tcc WHERE tcc.case_id = tc.id", To: "Component"},
	"executions":     {Expr: "te.id", Exists: "SELECT 1 FROM test_executions te WHERE te.case_id = tc.id", To: "TestExecution"},
	"property":       {Expr: "tpr.id", Exists: "SELECT 1 FROM test_case_properties tpr WHERE tpr.case_id = tc.id", To: "Property"},
}})

// FilterTestCases answers a Kiwi query dict over test cases, by id, in
// one query.
func (s *Store) FilterTestCases(ctx context.Context, query map[string]any) ([]TestCaseRow, error) {
	return filterRows(ctx, s, caseEntity, query, (*db.Queries).TestCaseFilter,
		func(r db.TestCaseFilterRow) TestCaseRow { return caseRowOf(r).filtered() })
}

// TestCaseByID returns one test case as S-TestCase-f.
func (s *Store) TestCaseByID(ctx context.Context, id int64) (TestCaseRow, error) {
	rows, err := s.FilterTestCases(ctx, map[string]any{"pk": id})
	return onlyRow(rows, err, "TestCase")
}

// CaseFields are the fields of a test case that TestCase.create and
// update take alike. In an update nil keeps a field and the Set flags say
// whether the nullable ones are given (nil then clears them); a create
// writes every field as it is.
type CaseFields struct {
	Summary, Text                  *string
	IsAutomated                    *bool
	CaseStatus, Category, Priority *int64

	SetScript, SetArguments, SetExtraLink, SetRequirement, SetNotes bool
	Script, Arguments, ExtraLink, Requirement, Notes                *string
	SetSetupDuration, SetTestingDuration                            bool
	SetupDuration, TestingDuration                                  *time.Duration
}

// NewCase is a test case to create: its fields, its author and default
// tester by id, and its creation time (nil: now).
type NewCase struct {
	CaseFields
	Author        int64
	DefaultTester *int64
	CreateDate    *time.Time
}

// CaseChange is what TestCase.update sets: the fields given, and the users
// given (nil keeps a user; a reference to no user clears it, but a case
// always has an author). The creation time never changes.
type CaseChange struct {
	CaseFields
	Author, DefaultTester, Reviewer *UserRef
}

// CreateTestCase adds a test case and its '+' history row in one
// statement and returns it as S-TestCase.
func (s *Store) CreateTestCase(ctx context.Context, by Principal, c NewCase) (TestCase, error) {
	out, err := s.createTestCases(ctx, by, []NewCase{c})
	if err != nil {
		return TestCase{}, err
	}
	return out[0], nil
}

// UpdateTestCase sets the fields and users a change gives and writes a '~'
// history row whose change reason lists the changed fields, in one
// statement that also finds the users; it returns S-TestCase-u.
func (s *Store) UpdateTestCase(ctx context.Context, by Principal, id int64, c CaseChange) (TestCaseUpdated, error) {
	f := c.CaseFields
	p := db.TestCaseUpdateParams{ID: id, HistoryUserID: by.UserID, Summary: f.Summary, Text: f.Text,
		IsAutomated: f.IsAutomated, CaseStatusID: f.CaseStatus, CategoryID: f.Category, PriorityID: f.Priority,
		SetScript: f.SetScript, Script: f.Script, SetArguments: f.SetArguments, Arguments: f.Arguments,
		SetExtraLink: f.SetExtraLink, ExtraLink: f.ExtraLink, SetRequirement: f.SetRequirement, Requirement: f.Requirement,
		SetNotes: f.SetNotes, Notes: f.Notes, SetSetup: f.SetSetupDuration, SetupUs: durationMicros(f.SetupDuration),
		SetTesting: f.SetTestingDuration, TestingUs: durationMicros(f.TestingDuration)}
	var err error
	if p.SetAuthor, p.AuthorIds, p.AuthorNames, err = refParam(c.Author); err != nil {
		return TestCaseUpdated{}, err
	}
	if p.SetDefaultTester, p.TesterIds, p.TesterNames, err = refParam(c.DefaultTester); err != nil {
		return TestCaseUpdated{}, err
	}
	if p.SetReviewer, p.ReviewerIds, p.ReviewerNames, err = refParam(c.Reviewer); err != nil {
		return TestCaseUpdated{}, err
	}
	r, err := s.q.TestCaseUpdate(ctx, p)
	if errors.Is(err, pgx.ErrNoRows) {
		return TestCaseUpdated{}, s.whyNoCaseChange(ctx, id, c)
	}
	if err != nil {
		return TestCaseUpdated{}, translate(err, "TestCase")
	}
	row := caseRowOf(db.TestCaseFilterRow(r)) // the same columns
	return TestCaseUpdated{TestCase: row.created(), CaseNames: row.CaseNames}, nil
}

// whyNoCaseChange words why TestCaseUpdate wrote nothing: the case is not
// found, else a user named is not, or the author names no user.
func (s *Store) whyNoCaseChange(ctx context.Context, id int64, c CaseChange) error {
	missing, err := s.q.TestCaseMissing(ctx, []int64{id})
	switch {
	case err != nil:
		return translate(err, "TestCase")
	case len(missing) > 0:
		return Errorf(NotFound, "TestCase matching query does not exist.")
	}
	if err := refusedUser(ctx, s.pool, c.Author, c.DefaultTester, c.Reviewer); err != nil {
		return err
	}
	return errors.New("store: TestCaseUpdate wrote nothing, yet the case and its users are found")
}
