package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

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

// executionJoins joins the FK names of ExecutionNames to the test_executions
// row e; executionNames selects them.
func executionJoins(e string) string {
	return fmt.Sprintf(`
JOIN test_cases c ON c.id = %[1]s.case_id
JOIN builds b ON b.id = %[1]s.build_id
JOIN test_execution_statuses st ON st.id = %[1]s.status_id
LEFT JOIN users au ON au.id = %[1]s.assignee_id
LEFT JOIN users tb ON tb.id = %[1]s.tested_by_id`, e)
}

const executionNames = `au.username AS assignee__username, tb.username AS tested_by__username,
	c.summary AS case__summary, b.name AS build__name, st.name AS status__name`

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

// ExecutionValues are column values of a test execution, keyed by column:
// run_id, case_id, status_id, build_id, case_text_version, sortkey (int64
// or nil), start_date, stop_date (*time.Time), assignee_id, tested_by_id
// (UserRef). In an update case_text_version may be LatestCaseText.
type ExecutionValues map[string]any

// LatestCaseText as case_text_version stands for the case's latest
// history row.
const LatestCaseText = "latest"

// userColumns are the user FKs of test_executions by constraint name.
var userColumns = map[string]string{
	"test_executions_assignee_id_fkey":  "assignee_id",
	"test_executions_tested_by_id_fkey": "tested_by_id",
}

// resolveUsers replaces the UserRefs of v by user ids: the caller's own
// id as it is, other users by one lookup each, which inside a tenant finds
// its authorised users only (docs/tenants.md), by id as by username or
// email. It returns the values as given, for execError.
func (s *Store) resolveUsers(ctx context.Context, by Principal, v ExecutionValues) (map[string]any, error) {
	given := map[string]any{}
	for _, col := range userColumns {
		ref, ok := v[col].(UserRef)
		if !ok {
			continue
		}
		given[col] = ref.Ref
		ids, _, _ := splitRefs([]any{ref.Ref})
		switch {
		case ref.Ref == nil || ref.Ref == "":
			v[col] = nil
		case len(ids) == 1 && ids[0] == by.UserID:
			v[col] = ids[0]
		default:
			id, err := resolveUserRef(ctx, s.pool, ref)
			if err != nil {
				return nil, err
			}
			v[col] = *id
		}
	}
	return given, nil
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

// falsy tells whether a value is absent, null or 0 (Python's falsy ids).
func falsy(v any) bool {
	return v == nil || v == int64(0)
}

// executionFields are the typed values of ExecutionValues once its users
// are resolved; set says which columns were given.
type executionFields struct {
	set                                 map[string]bool
	run, cas, status, build, text, sort *int64
	assignee, testedBy                  *int64
	start, stop                         *time.Time
	latestText                          bool
}

// fields checks v's columns and types.
func (v ExecutionValues) fields() (executionFields, error) {
	f := executionFields{set: make(map[string]bool, len(v))}
	ints := map[string]**int64{"run_id": &f.run, "case_id": &f.cas, "status_id": &f.status, "build_id": &f.build,
		"case_text_version": &f.text, "sortkey": &f.sort, "assignee_id": &f.assignee, "tested_by_id": &f.testedBy}
	dates := map[string]**time.Time{"start_date": &f.start, "stop_date": &f.stop}
	for col, x := range v {
		f.set[col] = true
		switch val := x.(type) {
		case nil:
			if ints[col] == nil && dates[col] == nil {
				return f, fmt.Errorf("test execution: no column %q", col)
			}
		case int64:
			if ints[col] == nil {
				return f, fmt.Errorf("test execution: column %q takes no %T", col, x)
			}
			*ints[col] = &val
		case *time.Time:
			if dates[col] == nil {
				return f, fmt.Errorf("test execution: column %q takes no %T", col, x)
			}
			*dates[col] = val
		case string:
			if col != "case_text_version" || val != LatestCaseText {
				return f, fmt.Errorf("test execution: column %q takes no %q", col, val)
			}
			f.latestText = true
		default:
			return f, fmt.Errorf("test execution: column %q takes no %T", col, x)
		}
	}
	return f, nil
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
func (s *Store) CreateExecution(ctx context.Context, by Principal, v ExecutionValues) (Execution, error) {
	v = maps.Clone(v)
	given, err := s.resolveUsers(ctx, by, v)
	if err != nil {
		return Execution{}, err
	}
	f, err := v.fields()
	if err != nil || f.latestText {
		return Execution{}, cmp.Or(err, errors.New("test execution: a new execution has no latest case text"))
	}
	r, err := s.q.TestExecutionCreate(ctx, db.TestExecutionCreateParams{RunID: f.run, CaseID: f.cas, StatusID: f.status,
		BuildID: f.build, CaseTextVersion: f.text, Sortkey: f.sort, StartDate: f.start, StopDate: f.stop,
		AssigneeID: f.assignee, TestedByID: f.testedBy, HistoryUserID: by.UserID})
	if err != nil {
		return Execution{}, execError(err, given)
	}
	return Execution{ExecutionCore: executionCore(r.ID, r.AssigneeID, r.TestedByID, r.CaseTextVersion,
		r.StartDate, r.StopDate, r.Sortkey, r.RunID, r.CaseID, r.StatusID, r.BuildID), Tag: r.Tag}, nil
}

// UpdateExecution sets the given columns of an execution (as Kiwi's TestExecution.update)
// and writes its '~' history row, in one statement, and returns
// S-TestExecution-u. With a status, a falsy tested_by becomes the caller
// and a falsy build the run's current build. Dates are never set
// implicitly. Without values it saves the execution unchanged, which still
// writes history.
func (s *Store) UpdateExecution(ctx context.Context, by Principal, id int64, v ExecutionValues) (ExecutionUpdated, error) {
	v = maps.Clone(v)
	given, err := s.resolveUsers(ctx, by, v)
	if err != nil {
		return ExecutionUpdated{}, err
	}
	runBuild := false
	if status, ok := v["status_id"]; ok && !falsy(status) {
		if falsy(v["tested_by_id"]) {
			v["tested_by_id"] = by.UserID
		}
		if runBuild = falsy(v["build_id"]); runBuild {
			delete(v, "build_id")
		}
	}
	f, err := v.fields()
	if err != nil {
		return ExecutionUpdated{}, err
	}
	if f.set["run_id"] || f.set["case_id"] {
		return ExecutionUpdated{}, errors.New("test execution: an update moves no execution to another run or case")
	}
	rows, err := s.changeExecutions(ctx, by, []executionChange{{ID: id,
		SetStatus: f.set["status_id"], Status: f.status, RunBuild: runBuild, SetBuild: f.set["build_id"], Build: f.build,
		LatestText: f.latestText, SetText: f.set["case_text_version"] && !f.latestText, Text: f.text,
		SetSortkey: f.set["sortkey"], Sortkey: f.sort, SetStart: f.set["start_date"], Start: microseconds(f.start),
		SetStop: f.set["stop_date"], Stop: microseconds(f.stop), SetAssignee: f.set["assignee_id"], Assignee: f.assignee,
		SetTester: f.set["tested_by_id"], Tester: f.testedBy}})
	if err != nil {
		return ExecutionUpdated{}, execError(err, given)
	}
	if len(rows) == 0 {
		return ExecutionUpdated{}, Errorf(NotFound, "TestExecution matching query does not exist.")
	}
	return rows[0], nil
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
