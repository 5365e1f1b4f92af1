package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// TestExecution is the TestExecution namespace.
type TestExecution struct{ s *Server }

var testExecutionMethods = []Method{
	{Name: "TestExecution.create", Access: Perms, Perms: []string{"testruns.add_testexecution"}, Returns: "struct",
		Doc: "Creates a test execution from {case_text_version, run, case, status, build (required), assignee, tested_by (id, username or email), start_date, stop_date, sortkey}, with no defaults, and returns it; tag is the list of its tag ids."},
	{Name: "TestExecution.filter", Access: Perms, Perms: []string{"testruns.view_testexecution"}, Returns: "array",
		Doc: "Test executions matching the query (required; {} for all), by id, with FK names, status icon and colour, expected_duration (the case's setup + testing seconds) and actual_duration (stop - start seconds, or null). Filterable: see docs/filters.md (TestExecution), including run__plan, case__category__product, status__weight, tag__name."},
	{Name: "TestExecution.update", Access: Perms, Perms: []string{"testruns.change_testexecution"}, Returns: "struct",
		Doc: "Sets the given fields of an execution (execution_id, values: status, build, assignee, tested_by, start_date, stop_date, sortkey, case_text_version or \"latest\"); with a status, a missing tested_by becomes the caller and a missing build the run's current build. Dates are never set implicitly. Returns the execution with FK names."},
	{Name: "TestExecution.bulk_update", Access: Perms, Perms: []string{"testruns.change_testexecution", "django_comments.add_comment"}, Returns: "array",
		Doc: "Reports many executions at once (values_list: a list of {id, status, start_date, stop_date, comment, tested_by}, at most 10,000), all or none, with TestExecution.update's rules for status (tested_by, an id, username or email, replaces the caller as the tester); a comment is added as the caller. Returns the executions as update does, in the order given. Not in Kiwi TCMS."},
	{Name: "TestExecution.history", Access: Perms, Perms: []string{"testruns.view_historicaltestexecution"}, Returns: "array",
		Doc: "The changes of an execution (execution_id) as {history_user__username, history_change_reason, history_date}, newest first; the creation record has no change reason."},
	{Name: "TestExecution.remove", Access: Perms, Perms: []string{"testruns.delete_testexecution"}, Returns: "nil",
		Doc: "Deletes the executions a non-empty query matches (the keys of TestExecution.filter), with their links, properties, tags, comments and attachments."},
}

// ExecutionIDArgs names one test execution.
type ExecutionIDArgs struct {
	ExecutionID int64 `json:"execution_id"`
}

// ExecutionUpdateArgs are the parameters of TestExecution.update.
type ExecutionUpdateArgs struct {
	ExecutionID int64          `json:"execution_id"`
	Values      map[string]any `json:"values"`
}

// BulkUpdateArgs are the parameters of TestExecution.bulk_update.
type BulkUpdateArgs struct {
	ValuesList []map[string]any `json:"values_list"`
}

// executionFields reads the fields of TestExecution.create (all, with
// create) or update (those present).
func (f *form) executionFields(create bool) store.ExecutionFields {
	var v store.ExecutionFields
	// In the order of Kiwi's form, for its error list.
	switch x := f.v["case_text_version"]; {
	case !create && x == store.LatestCaseText:
		v.LatestCaseText = true
	case create || f.has("case_text_version"):
		if x == nil {
			f.fail("case_text_version", msgRequired)
		}
		v.CaseTextVersion = new(f.integer("case_text_version", 0))
	}
	for _, t := range []struct {
		key string
		id  **int64
	}{{"run", &v.Run}, {"case", &v.Case}, {"status", &v.Status}, {"build", &v.Build}} {
		if create || (t.key == "status" || t.key == "build") && f.has(t.key) {
			// An update may leave build empty: a status fills it in.
			*t.id = f.id(t.key, create || t.key == "status")
		}
	}
	if v.SetSortkey = f.has("sortkey"); v.SetSortkey && f.v["sortkey"] != nil {
		v.Sortkey = new(f.integer("sortkey", 0))
	}
	if v.SetStartDate = f.has("start_date"); v.SetStartDate {
		v.StartDate = f.dateTime("start_date")
	}
	if v.SetStopDate = f.has("stop_date"); v.SetStopDate {
		v.StopDate = f.dateTime("stop_date")
	}
	for _, t := range []struct {
		key string
		ref **store.UserRef
	}{{"assignee", &v.Assignee}, {"tested_by", &v.TestedBy}} {
		if f.has(t.key) {
			ref, err := userRef(f.v[t.key])
			if err != nil {
				f.fail(t.key, err.Error())
			}
			*t.ref = &ref
		}
	}
	if !create && v.Build == nil && f.has("build") && !truthy(f.v["status"]) {
		f.fail("build", msgRequired)
	}
	return v
}

// Create answers TestExecution.create.
func (t *TestExecution) Create(r *http.Request, args *ValuesArgs, reply *store.Execution) error {
	f := newForm(args.Values)
	v := f.executionFields(true)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.store.CreateExecution(r.Context(), *caller(r), v)
	return err
}

// Filter answers TestExecution.filter; the query is required.
func (t *TestExecution) Filter(r *http.Request, args *QueryArgs, reply *[]store.ExecutionRow) (err error) {
	if err := requiredQuery(args.Query); err != nil {
		return err
	}
	*reply, err = t.s.store.FilterExecutions(r.Context(), args.Query)
	return err
}

// Update answers TestExecution.update: absent keys keep their values.
func (t *TestExecution) Update(r *http.Request, args *ExecutionUpdateArgs, reply *store.ExecutionUpdated) error {
	f := newForm(args.Values)
	v := f.executionFields(false)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.store.UpdateExecution(r.Context(), *caller(r), args.ExecutionID, v)
	return err
}

// BulkUpdate answers TestExecution.bulk_update.
func (t *TestExecution) BulkUpdate(r *http.Request, args *BulkUpdateArgs, reply *[]store.ExecutionUpdated) error {
	if len(args.ValuesList) > store.MaxBulkResults {
		return invalidParams("values_list has %d items; at most %d are allowed in one call", len(args.ValuesList), store.MaxBulkResults)
	}
	results := make([]store.ExecutionResult, len(args.ValuesList))
	for i, item := range args.ValuesList {
		f := newForm(item)
		res := store.ExecutionResult{Status: f.id("status", false), Comment: f.text("comment", false, 3000),
			StartDate: f.dateTime("start_date"), StopDate: f.dateTime("stop_date"),
			SetStart: f.has("start_date"), SetStop: f.has("stop_date")}
		if id := f.id("id", true); id != nil {
			res.ID = *id
		}
		if f.has("tested_by") {
			ref, err := userRef(f.v["tested_by"])
			if err != nil {
				f.fail("tested_by", err.Error())
			}
			res.TestedBy = &ref
		}
		if err := f.err(); err != nil {
			return store.Errorf(store.Invalid, "values_list item %d: %s", i, err)
		}
		results[i] = res
	}
	var err error
	*reply, err = t.s.store.ReportExecutions(r.Context(), *caller(r), results)
	return err
}

// History answers TestExecution.history.
func (t *TestExecution) History(r *http.Request, args *ExecutionIDArgs, reply *[]store.ExecHistory) (err error) {
	*reply, err = t.s.store.ExecutionHistory(r.Context(), args.ExecutionID)
	return err
}

// Remove answers TestExecution.remove.
func (t *TestExecution) Remove(r *http.Request, args *QueryArgs, _ *any) error {
	if err := requiredQuery(args.Query); err != nil {
		return err
	}
	return t.s.store.RemoveExecutions(r.Context(), *caller(r), args.Query)
}
