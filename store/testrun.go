package store

import (
	"context"
	"errors"
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

// RunFields are the fields of a run that TestRun.create and update take
// alike (users apart). In an update nil keeps a field and the Set flags
// say whether the dates are given (nil then clears them); a create writes
// every field as it is.
type RunFields struct {
	Summary, Notes *string
	Plan, Build    *int64

	SetStartDate, SetStopDate, SetPlannedStart, SetPlannedStop bool
	StartDate, StopDate, PlannedStart, PlannedStop             *time.Time
}

// NewRun is a run to create: its fields, its manager and its default
// tester (nil: the caller) by reference.
type NewRun struct {
	RunFields
	Manager       UserRef
	DefaultTester *UserRef
}

// RunChange is what TestRun.update sets: the fields given, and the users
// given (nil keeps a user; a reference to no user clears it, but a run
// always has a manager).
type RunChange struct {
	RunFields
	Manager, DefaultTester *UserRef
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

// CreateTestRun adds a run and its '+' history row in one statement, the
// users it names found in the same statement, and returns it as
// S-TestRun. The build must be an active build of the plan's version.
func (s *Store) CreateTestRun(ctx context.Context, by Principal, n NewRun, checks RunChecks) (TestRun, error) {
	if err := s.checkRun(ctx, checks); err != nil {
		return TestRun{}, err
	}
	if n.Manager.Ref == nil || n.Manager.Ref == "" {
		return TestRun{}, Errorf(Invalid, "A user name or user ID is required.")
	}
	p := db.TestRunCreateParams{HistoryUserID: by.UserID, PlanID: ptrValue(n.Plan), BuildID: ptrValue(n.Build),
		Summary: ptrValue(n.Summary), Notes: n.Notes, StartDate: n.StartDate, StopDate: n.StopDate,
		PlannedStart: n.PlannedStart, PlannedStop: n.PlannedStop}
	var err error
	if p.ManagerID, p.ManagerIds, p.ManagerNames, err = userParam(n.Manager); err != nil {
		return TestRun{}, err
	}
	if n.DefaultTester == nil {
		p.DefaultTesterID = &by.UserID
	} else if p.DefaultTesterID, p.TesterIds, p.TesterNames, err = userParam(*n.DefaultTester); err != nil {
		return TestRun{}, err
	}
	r, err := s.q.TestRunCreate(ctx, p)
	if errors.Is(err, pgx.ErrNoRows) {
		return TestRun{}, s.whyNoRun(ctx, n)
	}
	if err != nil {
		return TestRun{}, translate(err, "TestRun")
	}
	return testRun(r), nil
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
func (s *Store) whyNoRun(ctx context.Context, n NewRun) error {
	if err := refusedUser(ctx, s.pool, &n.Manager, n.DefaultTester); err != nil {
		return err
	}
	field := "build"
	found, err := s.q.TestRunPlanExists(ctx, ptrValue(n.Plan))
	if err != nil {
		return translate(err, "TestRun")
	}
	if !found {
		field = "plan"
	}
	return Errorf(Invalid, "[('%s', ['%s'])]", field, msgInvalidChoice)
}

// UpdateTestRun sets the fields and users a change gives and writes a '~'
// history row whose change reason lists the changed fields, in one
// statement that also finds the users; it returns S-TestRun. Unless the
// plan is given, the build (given or current) must be an active build of
// the plan's version.
func (s *Store) UpdateTestRun(ctx context.Context, by Principal, id int64, c RunChange) (TestRun, error) {
	p := db.TestRunUpdateParams{ID: id, HistoryUserID: by.UserID, Summary: c.Summary, Notes: c.Notes, PlanID: c.Plan,
		BuildID: c.Build, SetStartDate: c.SetStartDate, StartDate: c.StartDate, SetStopDate: c.SetStopDate,
		StopDate: c.StopDate, SetPlannedStart: c.SetPlannedStart, PlannedStart: c.PlannedStart,
		SetPlannedStop: c.SetPlannedStop, PlannedStop: c.PlannedStop}
	var err error
	if p.SetManager, p.ManagerIds, p.ManagerNames, err = refParam(c.Manager); err != nil {
		return TestRun{}, err
	}
	if p.SetDefaultTester, p.TesterIds, p.TesterNames, err = refParam(c.DefaultTester); err != nil {
		return TestRun{}, err
	}
	r, err := s.q.TestRunUpdate(ctx, p)
	if errors.Is(err, pgx.ErrNoRows) {
		return TestRun{}, s.whyNoRunChange(ctx, id, c)
	}
	if err != nil {
		return TestRun{}, translate(err, "TestRun")
	}
	return testRun(db.TestRunCreateRow(r)), nil // the same columns
}

// testRun is S-TestRun from a row of TestRunCreate.
func testRun(r db.TestRunCreateRow) TestRun {
	return TestRun{ID: r.ID, StartDate: r.StartDate, StopDate: r.StopDate, PlannedStart: r.PlannedStart,
		PlannedStop: r.PlannedStop, Summary: r.Summary, Notes: r.Notes, Plan: r.PlanID, Build: r.BuildID,
		Manager: r.ManagerID, DefaultTester: r.DefaultTesterID}
}

// whyNoRunChange words why TestRunUpdate wrote nothing: the run is not
// found, else the build does not fit, else a user named is not found or
// the manager names none.
func (s *Store) whyNoRunChange(ctx context.Context, id int64, c RunChange) error {
	fit, err := s.q.TestRunBuildFits(ctx, db.TestRunBuildFitsParams{ID: id, BuildID: c.Build})
	switch {
	case err != nil:
		return translate(err, "TestRun")
	case !fit && c.Plan == nil:
		return Errorf(Invalid, "[('build', ['%s'])]", msgInvalidChoice)
	}
	if err := refusedUser(ctx, s.pool, c.Manager, c.DefaultTester); err != nil {
		return err
	}
	return errors.New("store: TestRunUpdate wrote nothing, yet the run, its build and its users are found")
}
