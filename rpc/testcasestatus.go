package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// TestCaseStatus is the TestCaseStatus namespace, with update and remove
// that Kiwi lacks: they never leave the server without a confirmed or an
// unconfirmed status.
type TestCaseStatus struct{ s *Server }

var testCaseStatusMethods = []Method{
	{Name: "TestCaseStatus.filter", Access: Perms, Perms: []string{"testcases.view_testcasestatus"}, Returns: "array",
		Doc: "Test case statuses matching the query ({id, name, description, is_confirmed}), by id. Filterable: id, name, description, is_confirmed."},
	{Name: "TestCaseStatus.create", Access: Perms, Perms: []string{"testcases.add_testcasestatus"}, Returns: "struct",
		Doc: "Creates a test case status from {name (required, not unique), description, is_confirmed (absent: false)} and returns it."},
	{Name: "TestCaseStatus.update", Access: Perms, Perms: []string{"testcases.change_testcasestatus"}, Returns: "struct",
		Doc: "Sets the given name, description and is_confirmed of a status and returns it; refused when no confirmed or no unconfirmed status would remain."},
	{Name: "TestCaseStatus.remove", Access: Perms, Perms: []string{"testcases.delete_testcasestatus"}, Returns: "nil",
		Doc: "Deletes a status; refused when it is the last confirmed or the last unconfirmed one, or while a test case has it."},
}

// StatusIDArgs names one status.
type StatusIDArgs struct {
	StatusID int64 `json:"status_id"`
}

// StatusUpdateArgs are the parameters of the status update methods.
type StatusUpdateArgs struct {
	StatusID int64          `json:"status_id"`
	Values   map[string]any `json:"values"`
}

// Filter answers TestCaseStatus.filter.
func (t *TestCaseStatus) Filter(r *http.Request, args *QueryArgs, reply *[]store.TestCaseStatus) (err error) {
	*reply, err = t.s.store.FilterTestCaseStatuses(r.Context(), args.Query)
	return err
}

// Create answers TestCaseStatus.create.
func (t *TestCaseStatus) Create(r *http.Request, args *ValuesArgs, reply *store.TestCaseStatus) error {
	f := newForm(args.Values)
	name, description, confirmed := f.text("name", true, 255), f.text("description", false, 0), f.boolean("is_confirmed", false)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.store.CreateTestCaseStatus(r.Context(), name, description, confirmed)
	return err
}

// Update answers TestCaseStatus.update: absent keys keep their values.
func (t *TestCaseStatus) Update(r *http.Request, args *StatusUpdateArgs, reply *store.TestCaseStatus) error {
	f := newForm(args.Values)
	var c store.TestCaseStatusChange
	if f.has("name") {
		c.Name = new(f.text("name", true, 255))
	}
	if f.has("description") {
		c.Description = new(f.text("description", false, 0))
	}
	if f.has("is_confirmed") {
		c.IsConfirmed = new(f.boolean("is_confirmed", false))
	}
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.store.UpdateTestCaseStatus(r.Context(), args.StatusID, c)
	return err
}

// Remove answers TestCaseStatus.remove.
func (t *TestCaseStatus) Remove(r *http.Request, args *StatusIDArgs, _ *any) error {
	return t.s.store.RemoveTestCaseStatus(r.Context(), args.StatusID)
}

func ptr[T any](v T) *T { return &v }
