package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// TestRun is S-TestRun: a run with its FKs as ids.
type TestRun struct {
	ID            int64      `json:"id" db:"id"`
	StartDate     *time.Time `json:"start_date" db:"start_date"`
	StopDate      *time.Time `json:"stop_date" db:"stop_date"`
	PlannedStart  *time.Time `json:"planned_start" db:"planned_start"`
	PlannedStop   *time.Time `json:"planned_stop" db:"planned_stop"`
	Summary       string     `json:"summary" db:"summary"`
	Notes         string     `json:"notes" db:"notes"`
	Plan          int64      `json:"plan" db:"plan"`
	Build         int64      `json:"build" db:"build"`
	Manager       int64      `json:"manager" db:"manager"`
	DefaultTester *int64     `json:"default_tester" db:"default_tester"`
}

// TestRunRow is S-TestRun-f, a TestRun.filter row: S-TestRun with the
// names of its plan, build, version and users.
type TestRunRow struct {
	TestRun
	PlanName              string  `json:"plan__name" db:"plan__name"`
	BuildName             string  `json:"build__name" db:"build__name"`
	BuildVersion          int64   `json:"build__version" db:"build__version"`
	BuildVersionValue     string  `json:"build__version__value" db:"build__version__value"`
	BuildVersionProduct   int64   `json:"build__version__product" db:"build__version__product"`
	ManagerUsername       string  `json:"manager__username" db:"manager__username"`
	DefaultTesterUsername *string `json:"default_tester__username" db:"default_tester__username"`
}

// runFields selects a TestRun from the test_runs row r (an alias or a
// CTE name).
func runFields(r string) string {
	return fmt.Sprintf(`%[1]s.id, %[1]s.start_date, %[1]s.stop_date, %[1]s.planned_start, %[1]s.planned_stop,
	%[1]s.summary, %[1]s.notes, %[1]s.plan_id AS plan, %[1]s.build_id AS build, %[1]s.manager_id AS manager,
	%[1]s.default_tester_id AS default_tester`, r)
}

// runEntity is what TestRun.filter may filter on: the run's columns, its
// plan, build and users, and the reverse relations tag, cc, executions
// and property.
var runEntity = entity(&Entity{Model: "TestRun", From: "FROM test_runs tr", Fields: map[string]Field{
	"id": {Expr: "tr.id", Kind: IntField}, "summary": {Expr: "tr.summary", Kind: TextField},
	"notes": {Expr: "tr.notes", Kind: TextField}, "start_date": {Expr: "tr.start_date", Kind: TimeField},
	"stop_date": {Expr: "tr.stop_date", Kind: TimeField}, "planned_start": {Expr: "tr.planned_start", Kind: TimeField},
	"planned_stop": {Expr: "tr.planned_stop", Kind: TimeField},
}, Relations: map[string]Relation{
	"plan":           {Expr: "tr.plan_id", To: "TestPlan"},
	"build":          {Expr: "tr.build_id", To: "Build"},
	"manager":        {Expr: "tr.manager_id", To: "RelatedUser"},
	"default_tester": {Expr: "tr.default_tester_id", To: "RelatedUser"},
	"tag":            {Expr: "rt.tag_id", Exists: "SELECT 1 FROM test_run_tags rt WHERE rt.run_id = tr.id", To: "Tag"},
	"cc":             {Expr: "rc.user_id", Exists: "SELECT 1 FROM test_run_cc rc WHERE rc.run_id = tr.id", To: "RelatedUser"},
	"executions":     {Expr: "ex.id", Exists: "SELECT 1 FROM test_executions ex WHERE ex.run_id = tr.id", To: "TestExecution"},
	"property":       {Expr: "rp.id", Exists: "SELECT 1 FROM test_run_properties rp WHERE rp.run_id = tr.id", To: "RunProperty"},
}})

// FilterTestRuns answers TestRun.filter, by id, in one query.
func (s *Store) FilterTestRuns(ctx context.Context, query map[string]any) ([]TestRunRow, error) {
	return filterRows(ctx, s, runEntity, query, (*db.Queries).TestRunFilter, func(r db.TestRunFilterRow) TestRunRow {
		return TestRunRow{TestRun: TestRun{ID: r.ID, StartDate: r.StartDate, StopDate: r.StopDate, PlannedStart: r.PlannedStart,
			PlannedStop: r.PlannedStop, Summary: r.Summary, Notes: r.Notes, Plan: r.PlanID, Build: r.BuildID, Manager: r.ManagerID,
			DefaultTester: r.DefaultTesterID},
			PlanName: r.PlanName, BuildName: r.BuildName, BuildVersion: r.BuildVersion, BuildVersionValue: r.BuildVersionValue,
			BuildVersionProduct: r.BuildVersionProduct, ManagerUsername: r.ManagerUsername, DefaultTesterUsername: r.DefaultTesterUsername}
	})
}

// TestRunByID returns one run as S-TestRun-f.
func (s *Store) TestRunByID(ctx context.Context, id int64) (TestRunRow, error) {
	rows, err := s.FilterTestRuns(ctx, map[string]any{"pk": id})
	return onlyRow(rows, err, "TestRun")
}

// RunValues are column values of a test run keyed by column name
// (summary, plan_id, start_date as a *time.Time, ...). The user columns
// manager_id and default_tester_id take an id or a UserRef.
type RunValues map[string]any

// runColumns are the columns RunValues may set, with their SQL types.
var runColumns = map[string]string{
	"summary": "text", "notes": "text", "plan_id": "bigint", "build_id": "bigint",
	"manager_id": "bigint", "default_tester_id": "bigint",
	"start_date": "timestamptz", "stop_date": "timestamptz", "planned_start": "timestamptz", "planned_stop": "timestamptz",
}

// columns checks v's keys against runColumns and returns them sorted, with
// their typed placeholders numbered from $first and their values.
func (v RunValues) columns(first int) (cols, marks []string, args []any, err error) {
	cols = slices.Sorted(maps.Keys(v))
	for i, c := range cols {
		typ, ok := runColumns[c]
		if !ok {
			return nil, nil, nil, fmt.Errorf("test run: no column %q", c)
		}
		marks = append(marks, fmt.Sprintf("$%d::%s", first+i, typ))
		args = append(args, v[c])
	}
	return cols, marks, args, nil
}

// resolveUserFields replaces the UserRef values of v by user ids (nil for
// no user); a required column left without a user is refused.
func resolveUserFields(ctx context.Context, tx db.DBTX, v map[string]any, required string) error {
	for k, x := range v {
		if ref, ok := x.(UserRef); ok {
			uid, err := resolveUserRef(ctx, tx, ref)
			if err != nil {
				return err
			}
			if uid == nil && k == required {
				return Errorf(Invalid, "A user name or user ID is required.")
			}
			v[k] = uid
		}
	}
	return nil
}

// RunChecks are the keys of TestRun.create that Kiwi validates but that
// change nothing: case ids must be confirmed cases, product and
// environment ids must exist.
type RunChecks struct {
	Cases, Environments []int64
	Product             *int64
}

// check validates the keys, in one query and only when one is given.
func (s *Store) checkRun(ctx context.Context, c RunChecks) error {
	if len(c.Cases) == 0 && len(c.Environments) == 0 && c.Product == nil {
		return nil
	}
	r, err := s.q.TestRunCheck(ctx, db.TestRunCheckParams{CaseIds: c.Cases, ProductID: c.Product, EnvironmentIds: c.Environments})
	switch {
	case err != nil:
		return translate(err, "TestRun")
	case len(r.BadCases) > 0:
		return Errorf(Invalid, "[('case', ['Select a valid choice. %d is not one of the available choices.'])]", slices.Min(r.BadCases))
	case !r.ProductOk:
		return Errorf(Invalid, "[('product', ['%s'])]", msgInvalidChoice)
	case !r.EnvironmentsOk:
		return Errorf(Invalid, "[('environment', ['%s'])]", msgInvalidChoice)
	}
	return nil
}

// int64Value reads an id column value: an int64, a *int64 or nil.
func int64Value(x any) *int64 {
	switch v := x.(type) {
	case int64:
		return &v
	case *int64:
		return v
	}
	return nil
}

// CreateTestRun adds a run and its '+' history row in one statement, the
// users it names found in the same statement, and returns it as
// S-TestRun. The build must be an active build of the plan's version.
func (s *Store) CreateTestRun(ctx context.Context, by Principal, v RunValues, checks RunChecks) (TestRun, error) {
	for c := range v {
		if _, ok := runColumns[c]; !ok {
			return TestRun{}, fmt.Errorf("test run: no column %q", c)
		}
	}
	if err := s.checkRun(ctx, checks); err != nil {
		return TestRun{}, err
	}
	if ref, ok := v["manager_id"].(UserRef); ok && (ref.Ref == nil || ref.Ref == "") {
		return TestRun{}, Errorf(Invalid, "A user name or user ID is required.")
	}
	p := db.TestRunCreateParams{HistoryUserID: by.UserID, PlanID: ptrValue(int64Value(v["plan_id"])),
		BuildID: ptrValue(int64Value(v["build_id"]))}
	var err error
	if p.ManagerID, p.ManagerIds, p.ManagerNames, err = userParam(v["manager_id"]); err != nil {
		return TestRun{}, err
	}
	if p.DefaultTesterID, p.TesterIds, p.TesterNames, err = userParam(v["default_tester_id"]); err != nil {
		return TestRun{}, err
	}
	p.Summary, _ = v["summary"].(string)
	if notes, ok := v["notes"].(string); ok {
		p.Notes = &notes
	}
	for col, d := range map[string]**time.Time{"start_date": &p.StartDate, "stop_date": &p.StopDate,
		"planned_start": &p.PlannedStart, "planned_stop": &p.PlannedStop} {
		*d, _ = v[col].(*time.Time)
	}
	r, err := s.q.TestRunCreate(ctx, p)
	if errors.Is(err, pgx.ErrNoRows) {
		return TestRun{}, s.whyNoRun(ctx, v)
	}
	if err != nil {
		return TestRun{}, translate(err, "TestRun")
	}
	return TestRun{ID: r.ID, StartDate: r.StartDate, StopDate: r.StopDate, PlannedStart: r.PlannedStart,
		PlannedStop: r.PlannedStop, Summary: r.Summary, Notes: r.Notes, Plan: r.PlanID, Build: r.BuildID,
		Manager: r.ManagerID, DefaultTester: r.DefaultTesterID}, nil
}

// ptrValue is *p, or the zero value for nil.
func ptrValue[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// whyNoRun words why TestRunCreate wrote nothing: a user named is not
// found, else the build does not fit the plan (a missing plan is the
// plan's fault).
func (s *Store) whyNoRun(ctx context.Context, v RunValues) error {
	if err := resolveUserFields(ctx, s.pool, maps.Clone(v), "manager_id"); err != nil {
		return err
	}
	field := "build"
	found, err := s.q.TestRunPlanExists(ctx, ptrValue(int64Value(v["plan_id"])))
	if err != nil {
		return translate(err, "TestRun")
	}
	if !found {
		field = "plan"
	}
	return Errorf(Invalid, "[('%s', ['%s'])]", field, msgInvalidChoice)
}

// UpdateTestRun sets the given columns of a run and writes a '~' history
// row whose change reason lists the changed fields, in one statement; it
// returns S-TestRun. Unless the plan is given, the build (given or
// current) must be an active build of the plan's version.
func (s *Store) UpdateTestRun(ctx context.Context, by Principal, id int64, v RunValues) (TestRun, error) {
	v = maps.Clone(v)
	var out TestRun
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var fit bool
		err := tx.QueryRow(ctx, `SELECT coalesce(b.is_active AND b.version_id = p.product_version_id, false)
			FROM test_runs r JOIN test_plans p ON p.id = r.plan_id LEFT JOIN builds b ON b.id = coalesce($2::bigint, r.build_id)
			WHERE r.id = $1 FOR UPDATE OF r`, id, v["build_id"]).Scan(&fit)
		if err != nil {
			return err
		}
		if _, planGiven := v["plan_id"]; !fit && !planGiven {
			return Errorf(Invalid, "[('build', ['%s'])]", msgInvalidChoice)
		}
		if err := resolveUserFields(ctx, tx, v, "manager_id"); err != nil {
			return err
		}
		cols, marks, args, err := v.columns(2)
		if err != nil {
			return err
		}
		set := make([]string, len(cols))
		for i, c := range cols {
			set[i] = c + " = " + marks[i]
		}
		rows, err := tx.Query(ctx, recordedUpdate("test_runs", TestRunOwner, runRecord, set, len(cols)+2, runFields("c")),
			append(append([]any{id}, args...), by.UserID)...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[TestRun])
		return err
	})
	return out, translate(err, "TestRun")
}
