package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/tcms/tcms/store/internal/db"
)

// TestExecution.create, update and bulk_update are the CI hot path: each
// is one SQL statement sent straight to the pool (a single statement is
// its own transaction), history row included, and it returns everything
// the reply needs.

// ExecutionNames are the names of an execution's FKs, as S-TestExecution-u
// and S-TestExecution-f add them.
type ExecutionNames struct {
	AssigneeUsername *string `json:"assignee__username" db:"assignee__username"`
	TestedByUsername *string `json:"tested_by__username" db:"tested_by__username"`
	CaseSummary      string  `json:"case__summary" db:"case__summary"`
	BuildName        string  `json:"build__name" db:"build__name"`
	StatusName       string  `json:"status__name" db:"status__name"`
}

// ExecutionUpdated is S-TestExecution-u: S-TestExecution with FK names.
type ExecutionUpdated struct {
	Execution
	ExecutionNames
}

// ExecutionRow is S-TestExecution-f: no tags, but the status icon and
// colour and the durations in float seconds; actual_duration is null
// unless both dates are set.
type ExecutionRow struct {
	ExecutionCore
	StatusIcon       string   `json:"status__icon" db:"status__icon"`
	StatusColor      string   `json:"status__color" db:"status__color"`
	ExpectedDuration float64  `json:"expected_duration" db:"expected_duration"`
	ActualDuration   *float64 `json:"actual_duration" db:"actual_duration"`
	ExecutionNames
}

// executionEntity is what TestExecution.filter may filter on: the
// execution's columns and durations, its run, case, status, build and
// users, and its tags, bugs, links and properties.
var executionEntity = entity(&Entity{Model: "TestExecution", From: "FROM test_executions e", Fields: map[string]Field{
	"id": {Expr: "e.id", Kind: IntField}, "case_text_version": {Expr: "e.case_text_version", Kind: IntField},
	"start_date": {Expr: "e.start_date", Kind: TimeField}, "stop_date": {Expr: "e.stop_date", Kind: TimeField},
	"sortkey": {Expr: "e.sortkey", Kind: IntField},
	"expected_duration": {Expr: "extract(epoch FROM coalesce(c.setup_duration, interval '0') + coalesce(c.testing_duration, interval '0'))::float8",
		Kind: FloatField, Join: "JOIN test_cases c ON c.id = e.case_id"},
	"actual_duration": {Expr: "extract(epoch FROM e.stop_date - e.start_date)::float8", Kind: FloatField},
}, Relations: map[string]Relation{
	"run":           {Expr: "e.run_id", To: "TestRun"},
	"case":          {Expr: "e.case_id", To: "TestCase"},
	"status":        {Expr: "e.status_id", To: "TestExecutionStatus"},
	"build":         {Expr: "e.build_id", To: "Build"},
	"assignee":      {Expr: "e.assignee_id", To: "RelatedUser"},
	"tested_by":     {Expr: "e.tested_by_id", To: "RelatedUser"},
	"tag":           {Expr: "xt.tag_id", Exists: "SELECT 1 FROM test_execution_tags xt WHERE xt.execution_id = e.id", To: "Tag"},
	"bugs":          {Expr: "be.bug_id", Exists: "SELECT 1 FROM bug_executions be WHERE be.execution_id = e.id", To: "Bug"},
	"linkreference": {Expr: "lr.id", Exists: "SELECT 1 FROM links lr WHERE lr.execution_id = e.id", To: "LinkReference"},
	"testexecutionproperty": {Expr: "xp.id", Exists: "SELECT 1 FROM test_execution_properties xp WHERE xp.execution_id = e.id",
		To: "TestExecutionProperty"},
}})

// FilterExecutions answers TestExecution.filter, by id, in one query.
func (s *Store) FilterExecutions(ctx context.Context, query map[string]any) ([]ExecutionRow, error) {
	return filterRows(ctx, s, executionEntity, query, (*db.Queries).TestExecutionFilter, executionRow)
}

// executionRow is a row of TestExecutionFilter as S-TestExecution-f: the
// durations in float seconds, worked out as PostgreSQL's extract(epoch)
// would (the expected one from the sum of the case's durations, the
// actual one null unless both dates are set).
func executionRow(r db.TestExecutionFilterRow) ExecutionRow {
	out := ExecutionRow{
		ExecutionCore: ExecutionCore{ID: r.ID, Assignee: r.AssigneeID, TestedBy: r.TestedByID, CaseTextVersion: r.CaseTextVersion,
			StartDate: r.StartDate, StopDate: r.StopDate, Sortkey: widen(r.Sortkey), Run: r.RunID, Case: r.CaseID,
			Status: r.StatusID, Build: r.BuildID},
		StatusIcon: r.StatusIcon, StatusColor: r.StatusColor,
		ExecutionNames: ExecutionNames{AssigneeUsername: r.AssigneeUsername, TestedByUsername: r.TestedByUsername,
			CaseSummary: r.CaseSummary, BuildName: r.BuildName, StatusName: r.StatusName},
	}
	sum := pgtype.Interval{Valid: true}
	for _, d := range []pgtype.Interval{r.SetupDuration, r.TestingDuration} {
		if d.Valid {
			sum.Months, sum.Days, sum.Microseconds = sum.Months+d.Months, sum.Days+d.Days, sum.Microseconds+d.Microseconds
		}
	}
	out.ExpectedDuration = float64(*micros(sum)) / 1e6
	if r.StartDate != nil && r.StopDate != nil {
		out.ActualDuration = new(float64(r.StopDate.Sub(*r.StartDate).Microseconds()) / 1e6)
	}
	return out
}

// ExecutionFields are the fields of TestExecution.create and update: nil
// leaves a field out (a create defaults nothing, an update keeps it) and
// the Set flags say whether sortkey and the dates are given (nil then
// clears them). Run and Case are for a create only; an update may take
// LatestCaseText in place of CaseTextVersion.
type ExecutionFields struct {
	Run, Case, Status, Build  *int64
	CaseTextVersion           *int64
	LatestCaseText            bool // the case's latest history row
	SetSortkey                bool
	Sortkey                   *int64
	SetStartDate, SetStopDate bool
	StartDate, StopDate       *time.Time
	Assignee, TestedBy        *UserRef
}

// LatestCaseText as case_text_version stands for the case's latest
// history row.
const LatestCaseText = "latest"

// userColumns are the user FKs of test_executions by constraint name.
var userColumns = map[string]string{
	"test_executions_assignee_id_fkey":  "assignee_id",
	"test_executions_tested_by_id_fkey": "tested_by_id",
}

// executionUsers are the users of an execution's fields: ids, and whether
// each is given; given holds them as given by column, for execError.
type executionUsers struct {
	assignee, tester       *int64
	setAssignee, setTester bool
	given                  map[string]any
}

// resolveUsers finds the users v gives: the caller's own id as it is,
// other users by one lookup each, which inside a tenant finds its
// authorised users only (docs/tenants.md), by id as by username or email.
func (s *Store) resolveUsers(ctx context.Context, by Principal, v ExecutionFields) (executionUsers, error) {
	u := executionUsers{given: map[string]any{}}
	for _, f := range []struct {
		col string
		ref *UserRef
		id  **int64
		set *bool
	}{{"assignee_id", v.Assignee, &u.assignee, &u.setAssignee}, {"tested_by_id", v.TestedBy, &u.tester, &u.setTester}} {
		if f.ref == nil {
			continue
		}
		*f.set, u.given[f.col] = true, f.ref.Ref
		ids, _, _ := splitRefs([]any{f.ref.Ref})
		switch {
		case f.ref.Ref == nil || f.ref.Ref == "":
		case len(ids) == 1 && ids[0] == by.UserID:
			*f.id = &ids[0]
		default:
			id, err := resolveUserRef(ctx, s.pool, *f.ref)
			if err != nil {
				return u, err
			}
			*f.id = id
		}
	}
	return u, nil
}

// execError translates an execution statement's error; a violated user
// FK becomes Kiwi's user field error naming the value given.
func execError(err error, given map[string]any) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23503" {
		if ref, ok := given[userColumns[pg.ConstraintName]]; ok {
			return Errorf(Invalid, "Unknown user_id: \"%v\"", ref)
		}
	}
	return translate(err, "TestExecution")
}

// falsy tells whether an id is absent, null or 0 (Python's falsy ids).
func falsy(id *int64) bool {
	return id == nil || *id == 0
}

// executionCore is the ExecutionCore of a generated row.
func executionCore(id int64, assignee, testedBy *int64, text int64, start, stop *time.Time, sortkey *int32,
	run, cas, status, build int64) ExecutionCore {
	c := ExecutionCore{ID: id, Assignee: assignee, TestedBy: testedBy, CaseTextVersion: text, StartDate: start,
		StopDate: stop, Run: run, Case: cas, Status: status, Build: build}
	if sortkey != nil {
		c.Sortkey = new(int64(*sortkey))
	}
	return c
}

// executionUpdated is S-TestExecution-u from a row of TestExecutionChange.
func executionUpdated(r db.TestExecutionChangeRow) ExecutionUpdated {
	return ExecutionUpdated{
		Execution: Execution{ExecutionCore: executionCore(r.ID, r.AssigneeID, r.TestedByID, r.CaseTextVersion,
			r.StartDate, r.StopDate, r.Sortkey, r.RunID, r.CaseID, r.StatusID, r.BuildID), Tag: r.Tag},
		ExecutionNames: ExecutionNames{AssigneeUsername: r.AssigneeUsername, TestedByUsername: r.TestedByUsername,
			CaseSummary: r.CaseSummary, BuildName: r.BuildName, StatusName: r.StatusName},
	}
}

// executionChange is one item of TestExecutionChange: the fields whose
// set_ flag is true change.
type executionChange struct {
	ID int64 `json:"-"` // sent apart, as ids

	SetStatus   bool       `json:"set_status,omitempty"`
	Status      *int64     `json:"status,omitempty"`
	RunBuild    bool       `json:"run_build,omitempty"` // the run's current build
	SetBuild    bool       `json:"set_build,omitempty"`
	Build       *int64     `json:"build,omitempty"`
	LatestText  bool       `json:"latest_text,omitempty"` // the case's latest history row
	SetText     bool       `json:"set_text,omitempty"`
	Text        *int64     `json:"text,omitempty"`
	SetSortkey  bool       `json:"set_sortkey,omitempty"`
	Sortkey     *int64     `json:"sortkey,omitempty"`
	SetStart    bool       `json:"set_start,omitempty"`
	Start       *time.Time `json:"start,omitempty"`
	SetStop     bool       `json:"set_stop,omitempty"`
	Stop        *time.Time `json:"stop,omitempty"`
	SetAssignee bool       `json:"set_assignee,omitempty"`
	Assignee    *int64     `json:"assignee,omitempty"`
	SetTester   bool       `json:"set_tester,omitempty"`
	Tester      *int64     `json:"tester,omitempty"`
	Comment     string     `json:"comment,omitempty"`
}

// changeExecutions runs TestExecutionChange as by.
func (s *Store) changeExecutions(ctx context.Context, by Principal, changes []executionChange) ([]ExecutionUpdated, error) {
	list, err := json.Marshal(changes)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(changes))
	for i, c := range changes {
		ids[i] = c.ID
	}
	rows, err := s.q.TestExecutionChange(ctx, db.TestExecutionChangeParams{Ids: ids, Changes: list, UserID: by.UserID})
	if err != nil {
		return nil, err
	}
	out := make([]ExecutionUpdated, len(rows))
	for i, r := range rows {
		out[i] = executionUpdated(r)
	}
	return out, nil
}

// CreateExecution adds a test execution and its '+' history row in one
// statement and returns it as S-TestExecution. Nothing is defaulted.
func (s *Store) CreateExecution(ctx context.Context, by Principal, v ExecutionFields) (Execution, error) {
	if v.LatestCaseText {
		return Execution{}, errors.New("test execution: a new execution has no latest case text")
	}
	u, err := s.resolveUsers(ctx, by, v)
	if err != nil {
		return Execution{}, err
	}
	r, err := s.q.TestExecutionCreate(ctx, db.TestExecutionCreateParams{RunID: v.Run, CaseID: v.Case, StatusID: v.Status,
		BuildID: v.Build, CaseTextVersion: v.CaseTextVersion, Sortkey: v.Sortkey, StartDate: v.StartDate, StopDate: v.StopDate,
		AssigneeID: u.assignee, TestedByID: u.tester, HistoryUserID: by.UserID})
	if err != nil {
		return Execution{}, execError(err, u.given)
	}
	return Execution{ExecutionCore: executionCore(r.ID, r.AssigneeID, r.TestedByID, r.CaseTextVersion,
		r.StartDate, r.StopDate, r.Sortkey, r.RunID, r.CaseID, r.StatusID, r.BuildID), Tag: r.Tag}, nil
}

// UpdateExecution sets the given fields of an execution (as Kiwi's TestExecution.update)
// and writes its '~' history row, in one statement, and returns
// S-TestExecution-u. With a status, a falsy tested_by becomes the caller
// and a falsy build the run's current build. Dates are never set
// implicitly. Without values it saves the execution unchanged, which still
// writes history.
func (s *Store) UpdateExecution(ctx context.Context, by Principal, id int64, v ExecutionFields) (ExecutionUpdated, error) {
	if v.Run != nil || v.Case != nil {
		return ExecutionUpdated{}, errors.New("test execution: an update moves no execution to another run or case")
	}
	u, err := s.resolveUsers(ctx, by, v)
	if err != nil {
		return ExecutionUpdated{}, err
	}
	p := db.TestExecutionUpdateParams{ID: id, UserID: by.UserID, SetStatus: v.Status != nil, Status: v.Status,
		SetBuild: v.Build != nil, Build: v.Build,
		LatestText: v.LatestCaseText, SetText: v.CaseTextVersion != nil && !v.LatestCaseText, Text: v.CaseTextVersion,
		SetSortkey: v.SetSortkey, Sortkey: v.Sortkey, SetStart: v.SetStartDate, StartDate: microseconds(v.StartDate),
		SetStop: v.SetStopDate, StopDate: microseconds(v.StopDate), SetAssignee: u.setAssignee, Assignee: u.assignee,
		SetTester: u.setTester, Tester: u.tester}
	if !falsy(v.Status) {
		if falsy(u.tester) {
			p.SetTester, p.Tester = true, &by.UserID
		}
		if falsy(v.Build) {
			p.RunBuild, p.SetBuild, p.Build = true, false, nil
		}
	}
	r, err := s.q.TestExecutionUpdate(ctx, p)
	if errors.Is(err, pgx.ErrNoRows) {
		return ExecutionUpdated{}, Errorf(NotFound, "TestExecution matching query does not exist.")
	}
	if err != nil {
		return ExecutionUpdated{}, execError(err, u.given)
	}
	return executionUpdated(db.TestExecutionChangeRow(r)), nil // the same columns
}

// ExecutionResult is one item of TestExecution.bulk_update: a status
// (nil: unchanged), dates (set when SetStart/SetStop, nil clears) and a
// comment ("" adds none).
type ExecutionResult struct {
	ID                  int64
	Status              *int64
	SetStart, SetStop   bool
	StartDate, StopDate *time.Time
	Comment             string
	TestedBy            *UserRef // nil: the caller when a status is given, else unchanged
}

// MaxBulkResults bounds the items of one bulk update.
const MaxBulkResults = 10000

// ReportExecutions applies the results to their executions, all or none,
// in one statement: with a status, tested_by becomes the caller and build
// the run's current build, as in UpdateExecution; each comment is added as
// the caller; each execution gets a '~' history row. It returns
// S-TestExecution-u in the order of results. A missing execution changes
// nothing and is NotFound naming its id.
func (s *Store) ReportExecutions(ctx context.Context, by Principal, results []ExecutionResult) ([]ExecutionUpdated, error) {
	changes := make([]executionChange, len(results))
	seen := make(map[int64]bool, len(results))
	resolved := map[any]*int64{}
	for i, r := range results {
		if seen[r.ID] {
			return nil, Errorf(Invalid, "TestExecution %d is listed twice.", r.ID)
		}
		seen[r.ID] = true
		changes[i] = executionChange{ID: r.ID, SetStatus: r.Status != nil, Status: r.Status, RunBuild: r.Status != nil,
			SetStart: r.SetStart, Start: microseconds(r.StartDate), SetStop: r.SetStop, Stop: microseconds(r.StopDate),
			Comment: r.Comment}
		if r.Status != nil {
			changes[i].SetTester, changes[i].Tester = true, &by.UserID
		}
		if r.TestedBy == nil {
			continue
		}
		// CI reporters name one tester for the whole suite: one lookup.
		uid, ok := resolved[r.TestedBy.Ref]
		if !ok {
			var err error
			if uid, err = resolveUserRef(ctx, s.pool, *r.TestedBy); err != nil {
				return nil, err
			}
			resolved[r.TestedBy.Ref] = uid
		}
		changes[i].SetTester, changes[i].Tester = true, uid
	}
	out, err := s.changeExecutions(ctx, by, changes)
	if err != nil {
		return nil, translate(err, "TestExecution")
	}
	if len(out) == len(results) {
		return out, nil
	}
	// Not the hot path: find the missing execution to name it.
	ids := make([]int64, len(results))
	for i, r := range results {
		ids[i] = r.ID
	}
	missing, err := s.q.TestExecutionFirstMissing(ctx, ids)
	if err != nil {
		return nil, translate(err, "TestExecution")
	}
	return nil, Errorf(NotFound, "TestExecution matching query does not exist: id %d; nothing was changed.", missing)
}

// microseconds is t to the microsecond, as PostgreSQL stores it: a time
// sent as text would be rounded where pgx's binary form truncates.
func microseconds(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return new(t.Truncate(time.Microsecond))
}
