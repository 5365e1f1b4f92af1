package rpc

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/tcms/tcms/store"
)

// TestRun is the TestRun namespace: runs, their tags, CC list,
// properties and attachments (and, in testrun_cases.go, their cases).
type TestRun struct{ s *Server }

var testRunMethods = []Method{
	{Name: "TestRun.create", Access: Perms, Perms: []string{"testruns.add_testrun"}, Returns: "struct",
		Doc: "Creates a run from {summary, plan, build (an active build of the plan's version), manager (required), default_tester (default: the caller; users by id, username or email), notes, start_date, stop_date, planned_start, planned_stop}; case, product, environment and matrix_type are checked but change nothing. Returns {id, start_date, stop_date, planned_start, planned_stop, summary, notes, plan, build, manager, default_tester}."},
	{Name: "TestRun.filter", Access: Perms, Perms: []string{"testruns.view_testrun"}, Returns: "array",
		Doc: "Runs matching the query (everything when left out), by id, with plan__name, build__name, build__version, build__version__value, build__version__product, manager__username and default_tester__username. Filterable: see docs/filters.md (TestRun), including tag__name, cc, executions__case and executions__status."},
	{Name: "TestRun.get", Access: Perms, Perms: []string{"testruns.view_testrun"}, Getter: true, Returns: "struct",
		Doc: "One run by id, as TestRun.filter shows it. Also answers holders of an object grant of testruns.view_testrun on that run."},
	{Name: "TestRun.summary", Access: Perms, Perms: []string{"testruns.view_testrun"}, Getter: true, Returns: "struct",
		Doc: "A run's results in one call, for CI gates: {run, total, statuses: {status name: executions, every status}, positive, neutral, negative (executions by status weight), completion (percent of executions with a positive or negative status), passed (true when the run has executions, none negative and none neutral)}. Also answers holders of an object grant of testruns.view_testrun on that run."},
	{Name: "TestRun.update", Access: Perms, Perms: []string{"testruns.change_testrun"}, Returns: "struct",
		Doc: "Sets the given fields of a run (absent ones are kept; null or \"\" clears a date). Unless plan is given, the build, given or current, must be an active build of the plan's version. Records a history row listing the changes and returns the run as TestRun.create does."},
	{Name: "TestRun.remove", Access: Perms, Perms: []string{"testruns.delete_testrun"}, Returns: "array",
		Doc: "Deletes the runs a non-empty query matches, with their executions, tags, CC, properties, links, comments and attachments; returns [total, {model: count}]."},
}

// RunIDArgs names one run.
type RunIDArgs struct {
	RunID int64 `json:"run_id"`
}

// RunUpdateArgs are the parameters of TestRun.update.
type RunUpdateArgs struct {
	RunID  int64          `json:"run_id"`
	Values map[string]any `json:"values"`
}

// runFields reads the run fields both create and update take but the
// users, for the keys present in the form (all keys when all is true).
func (f *form) runFields(all bool) store.RunFields {
	var v store.RunFields
	given := func(key string) bool { return all || f.has(key) }
	if given("summary") {
		v.Summary = new(f.text("summary", true, 0))
	}
	if given("notes") {
		v.Notes = new(f.text("notes", false, 0))
	}
	if given("plan") {
		v.Plan = f.id("plan", true)
	}
	if given("build") {
		v.Build = f.id("build", true)
	}
	// In this order, for the error list.
	for _, d := range []struct {
		key string
		set *bool
		v   **time.Time
	}{{"start_date", &v.SetStartDate, &v.StartDate}, {"stop_date", &v.SetStopDate, &v.StopDate},
		{"planned_start", &v.SetPlannedStart, &v.PlannedStart}, {"planned_stop", &v.SetPlannedStop, &v.PlannedStop}} {
		if *d.set = given(d.key); *d.set {
			*d.v = f.dateTime(d.key)
		}
	}
	return v
}

// idList reads a list of ids as Django's multiple choice fields do; with
// single a lone id counts as a list of one.
func (f *form) idList(key string, single bool) []int64 {
	x := f.v[key]
	if x == nil || x == "" {
		return nil
	}
	list, ok := x.([]any)
	if !ok && !single {
		f.fail(key, "Enter a list of values.")
		return nil
	}
	if !ok {
		list = []any{x}
	}
	ids := make([]int64, 0, len(list))
	for _, item := range list {
		one := newForm(map[string]any{key: item})
		id := one.id(key, true)
		if one.err() != nil {
			f.fail(key, fmt.Sprintf("“%v” is not a valid value.", item))
			return nil
		}
		ids = append(ids, *id)
	}
	return ids
}

// Create answers TestRun.create with the rules of Kiwi's.
func (t *TestRun) Create(r *http.Request, args *ValuesArgs, reply *store.TestRun) error {
	who := caller(r)
	f := newForm(args.Values)
	v := store.NewRun{RunFields: f.runFields(true)}
	if !truthy(args.Values["manager"]) {
		f.fail("manager", msgRequired)
	}
	checks := store.RunChecks{Cases: f.idList("case", false), Environments: f.idList("environment", true), Product: f.id("product", false)}
	if m, _, err := f.v.str("matrix_type"); err != nil || !slices.Contains([]string{"", "full", "pairwise"}, m) {
		f.fail("matrix_type", fmt.Sprintf("Select a valid choice. %v is not one of the available choices.", args.Values["matrix_type"]))
	}
	if err := f.err(); err != nil {
		return err
	}
	var manager *store.UserRef // given: the form checked it
	if err := f.userRefs([]string{"manager", "default_tester"}, &manager, &v.DefaultTester); err != nil {
		return err
	}
	v.Manager = *manager
	if !truthy(args.Values["default_tester"]) {
		v.DefaultTester = nil // the caller
	}
	var err error
	*reply, err = t.s.store.CreateTestRun(r.Context(), *who, v, checks)
	return err
}

// Filter answers TestRun.filter.
func (t *TestRun) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.TestRunRow) (err error) {
	*reply, err = t.s.store.FilterTestRuns(r.Context(), args.Query)
	return err
}

// Get answers TestRun.get; the check point has already applied object grants.
func (t *TestRun) Get(r *http.Request, args *RunIDArgs, reply *store.TestRunRow) (err error) {
	*reply, err = t.s.store.TestRunByID(r.Context(), args.RunID)
	return err
}

// Update answers TestRun.update as Kiwi's does: absent keys keep their
// values, and a bad value changes nothing.
func (t *TestRun) Update(r *http.Request, args *RunUpdateArgs, reply *store.TestRun) error {
	f := newForm(args.Values)
	v := store.RunChange{RunFields: f.runFields(false)}
	if err := f.err(); err != nil {
		return err
	}
	if err := f.userRefs([]string{"manager", "default_tester"}, &v.Manager, &v.DefaultTester); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.store.UpdateTestRun(r.Context(), *caller(r), args.RunID, v)
	return err
}

// Remove answers TestRun.remove with [total, {model: count}].
func (t *TestRun) Remove(r *http.Request, args *QueryArgs, reply *[]any) error {
	if args.Query == nil {
		return invalidParams("query is required")
	}
	return setDeleted(reply)(t.s.store.RemoveTestRuns(r.Context(), *caller(r), args.Query))
}

// Summary answers TestRun.summary; the check point has already applied
// object grants.
func (t *TestRun) Summary(r *http.Request, args *RunIDArgs, reply *store.RunSummary) (err error) {
	*reply, err = t.s.store.TestRunSummary(r.Context(), args.RunID)
	return err
}
