package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// TestCase is the TestCase namespace.
type TestCase struct{ s *Server }

var testCaseMethods = []Method{
	{Name: "TestCase.create", Access: Perms, Perms: []string{"testcases.add_testcase"}, Returns: "struct",
		Doc: "Creates a test case from {summary, case_status, category, priority (required), author, default_tester (ids; author defaults to the caller), is_automated, script, arguments, extra_link, requirement, notes, text, setup_duration, testing_duration, create_date} and returns it, durations as timedelta text or \"None\"."},
	{Name: "TestCase.bulk_create", Access: Perms, Perms: []string{"testcases.add_testcase"}, Returns: "array",
		Doc: "TestCase.create for many cases (values_list: a list of TestCase.create's values, at most 10,000) in one call, all or none; returns the cases as TestCase.create does, in the order given. Not in Kiwi TCMS."},
	{Name: "TestCase.filter", Access: Perms, Perms: []string{"testcases.view_testcase"}, Returns: "array",
		Doc: "Test cases matching the query, by id, with FK names, history_date and durations in float seconds. Filterable: see docs/filters.md (TestCase), including plan, tag, tag__name, component, component__name, category__product, executions, executions__run."},
	{Name: "TestCase.get", Access: Perms, Perms: []string{"testcases.view_testcase"}, Getter: true, Returns: "struct",
		Doc: "One test case by id, as TestCase.filter returns it. Also answers holders of an object grant of testcases.view_testcase on that case."},
	{Name: "TestCase.update", Access: Perms, Perms: []string{"testcases.change_testcase"}, Returns: "struct",
		Doc: "Sets the given fields of a test case (author, default_tester, reviewer by id, username or email; create_date never changes), records a history row listing the changes, and returns the case with FK names."},
	{Name: "TestCase.history", Access: Perms, Perms: []string{"testcases.view_testcase"}, Returns: "array",
		Doc: "The history rows of a test case matching the optional query (e.g. {\"history_type\": \"~\"}), newest first; durations in float seconds."},
	{Name: "TestCase.remove", Access: Perms, Perms: []string{"testcases.delete_testcase"}, Returns: "array",
		Doc: "Deletes the test cases a non-empty query matches, with their links, properties, comments and attachments; returns [total, {model: count}]."},
	{Name: "TestCase.sortkeys", Access: Perms, Perms: []string{"testcases.view_testcase"}, Returns: "struct",
		Doc: "{case id as a string: sortkey or null} for the plan-case links the optional query matches (plan, case, sortkey)."},
}

// CaseIDArgs names one test case.
type CaseIDArgs struct {
	CaseID int64 `json:"case_id"`
}

// CaseUpdateArgs are the parameters of TestCase.update.
type CaseUpdateArgs struct {
	CaseID int64          `json:"case_id"`
	Values map[string]any `json:"values"`
}

// CaseHistoryArgs are the parameters of TestCase.history.
type CaseHistoryArgs struct {
	CaseID int64          `json:"case_id"`
	Query  map[string]any `json:"query" rpc:"optional"`
}

// Create answers TestCase.create.
func (t *TestCase) Create(r *http.Request, args *ValuesArgs, reply *store.TestCase) error {
	v, err := newCase(r, args.Values)
	if err != nil {
		return err
	}
	*reply, err = t.s.store.CreateTestCase(r.Context(), *caller(r), v)
	return err
}

// BulkCreateArgs are the parameters of TestCase.bulk_create.
type BulkCreateArgs struct {
	ValuesList []map[string]any `json:"values_list"`
}

// BulkCreate answers TestCase.bulk_create.
func (t *TestCase) BulkCreate(r *http.Request, args *BulkCreateArgs, reply *[]store.TestCase) error {
	if len(args.ValuesList) > store.MaxBulkCases {
		return invalidParams("values_list has %d items; at most %d are allowed in one call", len(args.ValuesList), store.MaxBulkCases)
	}
	list := make([]store.NewCase, len(args.ValuesList))
	for i, item := range args.ValuesList {
		v, err := newCase(r, item)
		if err != nil {
			return store.Errorf(store.Invalid, "values_list item %d: %s", i, err)
		}
		list[i] = v
	}
	var err error
	*reply, err = t.s.store.CreateTestCases(r.Context(), *caller(r), list)
	return err
}

// newCase reads the values of a new test case; the author defaults to
// the caller.
func newCase(r *http.Request, values map[string]any) (store.NewCase, error) {
	f := newForm(values)
	v := store.NewCase{CaseFields: f.caseFields(true)}
	author := f.id("author", false)
	if author == nil && !truthy(values["author_id"]) {
		author = &caller(r).UserID
	}
	if author == nil {
		f.fail("author", msgRequired)
	}
	v.DefaultTester = f.id("default_tester", false)
	v.CreateDate = f.dateTime("create_date")
	if err := f.err(); err != nil {
		return store.NewCase{}, err
	}
	v.Author = *author
	return v, nil
}

// Filter answers TestCase.filter.
func (t *TestCase) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.TestCaseRow) (err error) {
	*reply, err = t.s.store.FilterTestCases(r.Context(), args.Query)
	return err
}

// Get answers TestCase.get; the check point has already applied object grants.
func (t *TestCase) Get(r *http.Request, args *CaseIDArgs, reply *store.TestCaseRow) (err error) {
	*reply, err = t.s.store.TestCaseByID(r.Context(), args.CaseID)
	return err
}

// Update answers TestCase.update: absent keys keep their values.
func (t *TestCase) Update(r *http.Request, args *CaseUpdateArgs, reply *store.TestCaseUpdated) error {
	f := newForm(args.Values)
	v := store.CaseChange{CaseFields: f.caseFields(false)}
	if err := f.err(); err != nil {
		return err
	}
	if err := f.userRefs([]string{"author", "default_tester", "reviewer"}, &v.Author, &v.DefaultTester, &v.Reviewer); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.store.UpdateTestCase(r.Context(), *caller(r), args.CaseID, v)
	return err
}

// History answers TestCase.history.
func (t *TestCase) History(r *http.Request, args *CaseHistoryArgs, reply *[]store.HistTestCase) (err error) {
	*reply, err = t.s.store.TestCaseHistory(r.Context(), args.CaseID, args.Query)
	return err
}

// Remove answers TestCase.remove with [total, {model: count}].
func (t *TestCase) Remove(r *http.Request, args *QueryArgs, reply *[]any) error {
	if args.Query == nil {
		return invalidParams("query is required")
	}
	return setDeleted(reply)(t.s.store.RemoveTestCases(r.Context(), *caller(r), args.Query))
}

// Sortkeys answers TestCase.sortkeys.
func (t *TestCase) Sortkeys(r *http.Request, args *OptQueryArgs, reply *map[string]*int64) (err error) {
	*reply, err = t.s.store.TestCaseSortkeys(r.Context(), args.Query)
	return err
}
